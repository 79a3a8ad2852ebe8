"""Sources configuration (TOML) and runtime settings.

A sources file has one ``[[source]]`` table per agency::

    [[source]]
    name = "trend"
    title = "Trend News Agency"
    feed_url = "{samples}/trend/rss.xml"   # {samples}: the bundled sample server
    feed_kind = "rss"                       # rss | atom
    interval = "15m"                        # poll interval (s, m, h, d) or cron = "..."
    language = "en"
    local = true                            # may live on loopback / a private network
    sitemap_url = "{samples}/trend/sitemap.xml"   # optional, for backfill
    [source.hints]                          # optional page-extraction hints
    body_selector = "div.article-content"
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = PROJECT_ROOT / "samples"
DEFAULT_SOURCES = SAMPLES_DIR / "sources.toml"
DEFAULT_DB = "factwire.db"


class ConfigError(ValueError):
    """The sources file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Source:
    name: str
    feed_url: str
    feed_kind: str = "rss"
    title: str = ""
    interval: str = "1h"
    cron: str | None = None
    language: str = "en"
    local: bool = False
    sitemap_url: str | None = None
    hints: dict = field(default_factory=dict)

    @property
    def interval_seconds(self) -> int:
        return parse_interval(self.interval)

    def as_row(self) -> dict:
        return {"name": self.name, "title": self.title, "feed_url": self.feed_url,
                "feed_kind": self.feed_kind, "interval": self.cron or self.interval,
                "language": self.language, "local": int(self.local),
                "sitemap_url": self.sitemap_url, "hints": self.hints}


_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str | int) -> int:
    """'15m' -> 900; a bare number is seconds."""
    if isinstance(text, int):
        return text
    m = _INTERVAL.match(str(text))
    if not m:
        raise ConfigError(f"interval {text!r} is not like 90, 90s, 15m, 1h or 1d")
    return int(m.group(1)) * _UNIT_SECONDS[m.group(2)]


def load_sources(path: str | os.PathLike | None = None, *, samples_origin: str | None = None,
                 only: list[str] | None = None) -> list[Source]:
    """Read the sources file; ``{samples}`` in URLs becomes ``samples_origin``."""
    path = Path(path or DEFAULT_SOURCES)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such sources file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    sources = []
    for n, entry in enumerate(data.get("source", []), 1):
        missing = [k for k in ("name", "feed_url") if not entry.get(k)]
        if missing:
            raise ConfigError(f"{path}: source #{n} lacks {', '.join(missing)}")
        if entry.get("feed_kind", "rss") not in ("rss", "atom"):
            raise ConfigError(f"{path}: source {entry['name']!r}: feed_kind must be rss or atom")
        urls = {k: entry.get(k) for k in ("feed_url", "sitemap_url")}
        for key, url in urls.items():
            if url and "{samples}" in url:
                if not samples_origin:
                    raise ConfigError(f"{path}: source {entry['name']!r} uses {{samples}} "
                                      "but no sample server origin was given")
                urls[key] = url.replace("{samples}", samples_origin.rstrip("/"))
        source = Source(
            name=entry["name"], feed_url=urls["feed_url"], feed_kind=entry.get("feed_kind", "rss"),
            title=entry.get("title", entry["name"]), interval=str(entry.get("interval", "1h")),
            cron=entry.get("cron"), language=entry.get("language", "en"),
            local=bool(entry.get("local", False)), sitemap_url=urls["sitemap_url"],
            hints=dict(entry.get("hints", {})),
        )
        parse_interval(source.interval)
        if only is None or source.name in only:
            sources.append(source)
    if not sources:
        raise ConfigError(f"{path}: no sources" + (f" named {', '.join(only)}" if only else ""))
    return sources


def local_settings() -> dict:
    """./factwire.toml, if present: [factwire] db, [dask] address, [prefect] api_url ..."""
    local = Path("factwire.toml")
    if not local.exists():
        return {}
    try:
        return tomllib.loads(local.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{local}: not valid TOML: {exc}") from None


def default_db_path() -> str:
    """$FACTWIRE_DB, else ``db`` in ./factwire.toml's [factwire] table, else factwire.db."""
    return (os.environ.get("FACTWIRE_DB") or local_settings().get("factwire", {}).get("db")
            or DEFAULT_DB)
