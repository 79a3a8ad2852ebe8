"""Build small agency sites for the ingestion tests (our own sentences).

Each page is a realistic article page (navigation, share buttons, comments,
metadata) so the tests take the same path as real pages.
"""
from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

ORIGIN = "http://samples.factwire.test"

REPORTS = {
    "aktau-transit": ("2025-03-14", "Kazakh oil transit via Aktau grows",
        "ASTANA, Kazakhstan, March 14. Kazakhstan shipped about 1.4 million tons of oil "
        "from the port of Aktau toward the Baku-Tbilisi-Ceyhan pipeline in 2024, the "
        "Ministry of Energy said on Friday.\n\nThe ministry plans to raise the transit to "
        "2.2 million tons per year, Trend reports."),
    "cpc-loadings": ("2025-03-15", "CPC terminal loads more crude in February",
        "BAKU, Azerbaijan, March 15. The Caspian Pipeline Consortium loaded 5.2 million "
        "tons of crude oil at its terminal near Novorossiysk in February, the consortium "
        "told Trend.\n\nLoadings in January reached 5.5 million tons, it said."),
    "tengiz-output": ("2025-03-16", "Tengiz output rises after expansion",
        "ASTANA, Kazakhstan, March 16. Tengizchevroil produced 2.6 million tons of oil at "
        "the Tengiz field in February, according to the operator.\n\nThe Future Growth "
        "Project is expected to add 12 million tons per year of capacity, Trend reports."),
}


def page(slug: str, published: str, title: str, body: str, agency: str = "Trend",
         canonical_host: str = "en.trend.example") -> str:
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in body.split("\n\n"))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{escape(title)} | {agency}</title>
<link rel="canonical" href="https://{canonical_host}/business/{slug}.html">
<meta property="og:title" content="{escape(title)}">
<meta property="article:published_time" content="{published}T10:00:00+04:00">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle",
"headline":"{escape(title)}","datePublished":"{published}T10:00:00+04:00","inLanguage":"en"}}</script>
</head><body>
<header><nav><a href="/">Home</a> | <a href="/business">Business</a> | <a href="/world">World</a></nav></header>
<div class="ad-slot">Advertisement: Fly to Baku with our airline, book now and save</div>
<main><article><h1>{escape(title)}</h1><div class="date">{published}</div>
<div class="article-body">{paragraphs}</div>
<div class="share">Share: Facebook | X | Telegram | WhatsApp</div></article>
<aside><h3>Related news</h3><ul><li><a href="/x">Another story about markets</a></li></ul></aside>
<section class="comments"><h3>Comments (2)</h3><p>Reader: Good to see this, thanks.</p></section>
</main><footer>&copy; 2025 {agency}. All rights reserved. Reproduction prohibited.</footer>
</body></html>"""


def rss(items: list[tuple[str, str, str, str]], title: str = "Trend business") -> str:
    """items: (slug, published, title, link path)."""
    entries = "\n".join(
        f"""<item><title>{escape(t)}</title><link>{ORIGIN}{path}</link>
<guid isPermaLink="false">https://en.trend.example/business/{slug}.html</guid>
<pubDate>{pub_rfc822(pub)}</pubDate><description>{escape(t)}</description></item>"""
        for slug, pub, t, path in items)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{escape(title)}</title><link>{ORIGIN}/</link>
<description>Business news</description>
{entries}
</channel></rss>"""


def pub_rfc822(day: str) -> str:
    import datetime as dt
    d = dt.datetime.fromisoformat(day + "T10:00:00+04:00")
    return d.strftime("%a, %d %b %Y %H:%M:%S +0400")


def build(root: Path, slugs=None) -> list[str]:
    """Write a Trend-like feed and pages under ``root``; returns the page paths."""
    slugs = slugs or list(REPORTS)
    paths = []
    for slug in slugs:
        published, title, body = REPORTS[slug]
        path = f"/trend/news/{slug}.html"
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page(slug, published, title, body), encoding="utf-8")
        paths.append(path)
    (root / "trend").mkdir(parents=True, exist_ok=True)
    (root / "trend/rss.xml").write_text(
        rss([(s, REPORTS[s][0], REPORTS[s][1], p) for s, p in zip(slugs, paths)]), encoding="utf-8")
    return paths


def sources_toml(path: Path, entries: list[dict]) -> Path:
    lines = []
    for e in entries:
        lines.append("[[source]]")
        for key, value in e.items():
            if isinstance(value, bool):
                lines.append(f"{key} = {'true' if value else 'false'}")
            else:
                lines.append(f'{key} = "{value}"')
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
