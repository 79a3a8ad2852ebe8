"""Generate a large agency site for benchmarks: feeds and article pages with varied reports.

The sentences are the project's own templates filled with random but plausible
figures; they exist to load the pipeline, not to be read.
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from xml.sax.saxutils import escape

ORIGIN = "http://samples.factwire.test"
FACILITIES = ["the Baku-Tbilisi-Ceyhan pipeline", "the port of Aktau", "the CPC terminal near Novorossiysk",
              "the Tengiz field", "the Kashagan field", "the Druzhba pipeline", "the port of Kuryk",
              "the Atyrau refinery", "the Sangachal terminal", "the South Caucasus Pipeline"]
ACTORS = ["KazMunayGas", "SOCAR", "KazTransOil", "the Ministry of Energy", "Tengizchevroil",
          "the Caspian Pipeline Consortium", "BP", "Chevron", "Transneft", "QazaqGaz"]
COMMODITIES = [("oil", "tons"), ("crude oil", "tonnes"), ("oil", "barrels per day"), ("gas", "bcm"),
               ("grain", "tons"), ("wheat", "tonnes"), ("condensate", "tons")]
CITIES = [("BAKU", "Azerbaijan"), ("ASTANA", "Kazakhstan"), ("ALMATY", "Kazakhstan"), ("ATYRAU", "Kazakhstan")]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def _amount(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return f"{rng.randint(1, 60)}.{rng.randint(1, 9)} million"
    if kind < 0.7:
        return f"{rng.randint(1, 999):,}{',000' if rng.random() < 0.5 else ''}"
    return f"{rng.randint(2, 900)} thousand"


def report(rng: random.Random, day: dt.date) -> tuple[str, str]:
    city, country = rng.choice(CITIES)
    paragraphs = [f"{city}, {country}, {MONTHS[day.month - 1]} {day.day}. "
                  f"{rng.choice(ACTORS)} shipped {_amount(rng)} {c[1]} of {c[0]} via "
                  f"{rng.choice(FACILITIES)} in {MONTHS[rng.randrange(12)]} {day.year - rng.randint(0, 1)}, "
                  f"the company said on {rng.choice(['Monday', 'Tuesday', 'Wednesday', 'Thursday'])}, Trend reports."
                  for c in [rng.choice(COMMODITIES)]]
    for _ in range(rng.randint(3, 6)):
        c = rng.choice(COMMODITIES)
        paragraphs.append(rng.choice([
            f"In January-{MONTHS[rng.randrange(1, 12)]} {day.year}, exports through {rng.choice(FACILITIES)} "
            f"reached {_amount(rng)} {c[1]} of {c[0]}, up {rng.randint(1, 30)} percent from a year earlier.",
            f"{rng.choice(ACTORS)} plans to raise transit to {_amount(rng)} {c[1]} per year by {day.year + rng.randint(1, 5)}, "
            f"an official said, adding that talks with {rng.choice(ACTORS)} continue.",
            f"The capacity of {rng.choice(FACILITIES)} is {_amount(rng)} {c[1]} a year, while investment "
            f"in the project is estimated at ${rng.randint(1, 40)} billion.",
            f"Last year, {rng.choice(ACTORS)} delivered about {_amount(rng)} {c[1]} of {c[0]} to Germany "
            f"under a contract signed in {day.year - rng.randint(2, 6)}.",
        ]))
    title = f"{rng.choice(ACTORS)} reports {rng.choice(COMMODITIES)[0]} flows via {rng.choice(FACILITIES)[4:]}"
    return title, "\n\n".join(paragraphs)


def page(ident: str, day: dt.date, title: str, body: str) -> str:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in body.split("\n\n"))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<link rel="canonical" href="https://bench.example/news/{ident}.html">'
            f'<meta property="article:published_time" content="{day.isoformat()}T09:00:00+04:00"></head>'
            f'<body><nav><a href="/">Home</a> <a href="/energy">Energy</a></nav>'
            f'<div class="ad">Advertisement</div><article><h1>{escape(title)}</h1>'
            f'<div class="article-body">{paragraphs}</div><div class="share">Share</div></article>'
            f'<footer>Copyright</footer></body></html>')


def build(root: Path, items: int, feeds: int = 5, seed: int = 7) -> list[dict]:
    """Write ``feeds`` RSS feeds sharing ``items`` pages and a sitemap of them all.

    Returns the documents written.
    """
    rng = random.Random(seed)
    docs = []
    per_feed: dict[int, list[str]] = {f: [] for f in range(feeds)}
    start = dt.date(2025, 1, 1)
    for n in range(items):
        day = start + dt.timedelta(days=n % 330)
        title, body = report(rng, day)
        ident = f"{n:06d}"
        path = root / "news" / f"{ident}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page(ident, day, title, body), encoding="utf-8")
        docs.append({"doc_id": ident, "published": day.isoformat(), "text": body, "title": title})
        per_feed[n % feeds].append(
            f"<item><title>{escape(title)}</title><link>{ORIGIN}/news/{ident}.html</link>"
            f'<guid isPermaLink="false">https://bench.example/news/{ident}.html</guid>'
            f"<pubDate>{day.strftime('%a, %d %b %Y')} 09:00:00 +0400</pubDate></item>")
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{ORIGIN}/news/{d['doc_id']}.html</loc><lastmod>{d['published']}</lastmod></url>"
                  for d in docs) + "</urlset>", encoding="utf-8")
    for f, entries in per_feed.items():
        (root / f"feed{f}.xml").write_text(
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench</title>'
            + "".join(entries) + "</channel></rss>", encoding="utf-8")
    return docs


def sources_toml(path: Path, feeds: int = 5, sitemap: bool = False) -> Path:
    """The sources file of a generated site; with ``sitemap``, the first source offers it."""
    blocks = []
    for f in range(feeds):
        lines = [f'name = "bench{f}"', f'feed_url = "{{samples}}/feed{f}.xml"', 'feed_kind = "rss"',
                 "local = true"]
        if sitemap and f == 0:
            lines.append('sitemap_url = "{samples}/sitemap.xml"')
        blocks.append("[[source]]\n" + "\n".join(lines) +
                      '\n[source.hints]\nbody_selector = "div.article-body"\n')
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path
