"""Draw a timeline (``factwire.query.timeline``) to PNG or SVG with matplotlib (Agg).

One panel per unit and rate (tonnes and barrels/day are not drawn on one axis),
one colour per source, and a vertical bar joining the figures of a period on
which the reports disagree, so conflicts stand out instead of averaging away.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .query import human_amount


def _mid(g: dict) -> dt.date:
    start = dt.date.fromisoformat(g["period_start"][:10]) if g.get("period_start") else \
        dt.date.fromisoformat(g["start"][:10])
    end = dt.date.fromisoformat(g["period_end"][:10]) if g.get("period_end") else start
    return start + (end - start) / 2


def plot_timeline(result: dict, path: str | Path, title: str = "") -> Path:
    """Write the plot to ``path`` (.png or .svg); returns the path."""
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ValueError(f"{path}: plots are written as .png or .svg")
    panels: dict[tuple, list[dict]] = {}
    for g in result["groups"]:
        panels.setdefault((g["unit"], g["per"]), []).append(g)
    keys = sorted(panels, key=lambda k: -len(panels[k]))[:4] or [(None, None)]
    sources = result.get("sources") or []
    colours = {s: plt.get_cmap("tab10")(i % 10) for i, s in enumerate(sources)}
    fig, axes = plt.subplots(len(keys), 1, figsize=(9, 2.8 * len(keys) + 0.6), squeeze=False,
                             sharex=True)
    for ax, key in zip(axes[:, 0], keys):
        unit, per = key
        seen = set()
        for g in panels.get(key, []):
            x = _mid(g)
            values = []
            for rep in g["reports"]:
                for amount in rep["amounts"]:
                    values.append(amount)
                    label = rep["source"] if rep["source"] not in seen else None
                    seen.add(rep["source"])
                    marker = {"actual": "o", "planned": "s", "forecast": "^", "capacity": "D",
                              "agreed": "P"}.get(g["status"] or "", "x")
                    ax.scatter([x], [amount], color=colours.get(rep["source"], "grey"), marker=marker,
                               s=36, zorder=3, label=label)
            if g["conflict"] and values:
                ax.vlines(x, min(values), max(values), colors="red", linewidth=2, alpha=0.5, zorder=2)
        ax.set_ylabel(f"{unit or 'amount'}" + (f"/{per}" if per else ""))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: human_amount(v)))
        ax.grid(True, alpha=0.3)
        if seen:
            ax.legend(loc="best", fontsize=8, title="source (red bar: reports disagree)",
                      title_fontsize=8)
    if title:
        fig.suptitle(title)
    fig.autofmt_xdate()
    fig.tight_layout()
    metadata = {"Date": None} if fmt == "svg" else {}
    fig.savefig(path, format=fmt, metadata=metadata)
    plt.close(fig)
    return path
