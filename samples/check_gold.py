#!/usr/bin/env python3
"""Validate a samples gold file against the served sample pages.

Usage:
    python samples/check_gold.py samples/gold.jsonl [more.jsonl ...]
        [--site samples/site] [--sources samples/sources.toml] [--strict]
    python samples/check_gold.py --dump CANONICAL_URL_OR_PAGE_PATH

Standard library only. For every gold line it

* checks the JSON shape of GOLD_FORMAT.md (keys, types, ISO dates, start <= end,
  allowed `unit`/`per`/`status`/facility `kind` values, no duplicate names,
  quantity `facilities` that name a listed facility);
* finds the sample page whose <link rel="canonical"> equals the line's `url`
  (`doc_id` must equal `url` for source "web");
* extracts the article body: the text of every <p> inside the element matched by
  the agency's `body_selector` hint in sources.toml (the agency is the first
  directory of the page path, e.g. site/trend/... -> source "trend"), falling back
  to the element with itemprop="articleBody", then to <article>; paragraphs are
  whitespace-collapsed and joined with blank lines ("\n\n");
* checks that `published` is the local date of <meta property=
  "article:published_time">, that the dateline place opens the body, that every
  quantity `text` and date `text` occurs in the body (and not more often in the
  gold than it can: a range text may carry one entry per number it contains), and
  that every facility's name or one of its aliases occurs in the body (a facility
  "X port" may be written "port of X", "X refinery" as "refinery at/in X", etc.).
  Organisations, places and people whose name and aliases are all absent are
  warnings ("the Kazakh government" may be annotated "Government of Kazakhstan"
  without an alias), errors with --strict.

Exit status 0 when there is no error. --dump prints the extracted body text of a
page, which is what annotators annotate.
"""
import argparse
import datetime as dt
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = None

HERE = Path(__file__).resolve().parent
UNITS = {"t", "bbl", "m3", "kg", "MWh", "kWh", "GWh", "TWh", "ft3", "gal", "l", "TEU", "toe", "boe", "btu", "J", "t_cargo"}
PERS = {None, "day", "week", "month", "quarter", "year"}
STATUSES = {None, "actual", "planned", "forecast", "capacity", "agreed"}
KINDS = {"pipeline", "port", "terminal", "field", "refinery", "mooring", "platform", "storage", "plant",
         "railway", "other"}
QKEYS = {"text", "amount", "unit", "per", "commodity", "period", "facilities", "status"}
TOP = {"doc_id", "source", "url", "published", "dateline", "organizations", "places", "people",
       "facilities", "quantities", "dates"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


# ---------------------------------------------------------------- HTML parsing
def parse_selector(sel):
    """'div.article-content', '#body', 'section[itemprop=articleBody]' -> (tag, classes, id, attrs)."""
    sel = (sel or "").strip()
    m = re.fullmatch(r"([a-zA-Z][\w-]*)?((?:[.#][\w-]+)*)((?:\[[\w-]+(?:=[\"']?[^\]\"']*[\"']?)?\])*)", sel)
    if not m or not sel:
        raise ValueError(f"unsupported selector {sel!r} (use tag, .class, #id, [attr=value] in one compound)")
    tag, rest, attrs = m.group(1), m.group(2), m.group(3)
    classes = re.findall(r"\.([\w-]+)", rest)
    ids = re.findall(r"#([\w-]+)", rest)
    attr = {}
    for a, v in re.findall(r"\[([\w-]+)(?:=[\"']?([^\]\"']*)[\"']?)?\]", attrs):
        attr[a] = v if v != "" else None
    return (tag.lower() if tag else None, set(classes), ids[0] if ids else None, attr)


def selector_matches(sel, tag, attrs):
    stag, classes, sid, sattr = sel
    if stag and stag != tag:
        return False
    a = {k: (v or "") for k, v in attrs}
    if classes and not classes <= set(a.get("class", "").split()):
        return False
    if sid and a.get("id") != sid:
        return False
    for k, v in sattr.items():
        if k not in a or (v is not None and a[k] != v):
            return False
    return True


class PageParser(HTMLParser):
    """Collects head metadata and the <p> paragraphs inside the body container."""

    def __init__(self, selectors):
        super().__init__(convert_charrefs=True)
        self.selectors = selectors  # tried in order; the first that matches an element wins
        self.meta = {}
        self.links = {}
        self.title = ""
        self.stack = []  # open tag names
        self.active = {}  # selector index -> depth of its open container (first match per selector)
        self.paragraphs = {}  # selector index -> list of paragraphs
        self.in_p = 0
        self.cur = []
        self.in_title = False
        self.errors = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "meta":
            key = a.get("property") or a.get("name") or a.get("itemprop")
            if key and "content" in a:
                self.meta.setdefault(key, a["content"])
        elif tag == "link" and a.get("rel"):
            for r in a["rel"].split():
                self.links.setdefault(r, a.get("href", ""))
        elif tag == "title":
            self.in_title = True
        if tag in VOID:
            return
        self.stack.append(tag)
        for i, sel in enumerate(self.selectors):
            if i not in self.paragraphs and selector_matches(sel, tag, attrs):
                self.active[i] = len(self.stack)
                self.paragraphs[i] = []
        if tag == "p" and self.in_p == 0 and self.active:
            self.in_p = len(self.stack)
            self.cur = []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in VOID:
            return
        if tag not in self.stack:
            self.errors.append(f"stray </{tag}> at line {self.getpos()[0]}")
            return
        while self.stack:
            top = self.stack.pop()
            depth = len(self.stack) + 1
            if self.in_p and depth == self.in_p:
                text = " ".join("".join(self.cur).split())
                if text:
                    for i in self.active:
                        self.paragraphs[i].append(text)
                self.in_p = 0
            for i in [i for i, d in self.active.items() if d == depth]:
                del self.active[i]
            if top != tag:
                if top not in ("p", "li", "td", "tr", "option"):
                    self.errors.append(f"<{top}> closed implicitly by </{tag}> at line {self.getpos()[0]}")
                continue
            break

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        if self.in_p:
            self.cur.append(data)


def load_hints(sources_path):
    hints = {}
    if sources_path and Path(sources_path).exists() and tomllib:
        with open(sources_path, "rb") as fh:
            cfg = tomllib.load(fh)
        for src in cfg.get("source", []):
            hints[src.get("name")] = src.get("hints") or {}
    return hints


def read_page(path, site, hints):
    rel = Path(path).resolve().relative_to(Path(site).resolve())
    agency = rel.parts[0]
    sels = []
    if hints.get(agency, {}).get("body_selector"):
        sels.append(parse_selector(hints[agency]["body_selector"]))
    sels += [parse_selector("[itemprop=articleBody]"), parse_selector("article")]
    p = PageParser(sels)
    html = Path(path).read_text(encoding="utf-8")
    p.feed(html)
    p.close()
    body = []
    for i in range(len(sels)):
        if p.paragraphs.get(i):
            body = p.paragraphs[i]
            break
    problems = list(p.errors)
    if p.stack and p.stack != ["html"]:
        problems.append(f"unclosed elements at end: {p.stack}")
    if not html.lstrip().lower().startswith("<!doctype html>"):
        problems.append("missing <!DOCTYPE html>")
    return {"agency": agency, "meta": p.meta, "links": p.links, "title": p.title.strip(),
            "body": "\n\n".join(body), "problems": problems}


def index_site(site, hints):
    pages = {}
    for path in sorted(Path(site).rglob("*.html")):
        info = read_page(path, site, hints)
        info["path"] = path
        canon = info["links"].get("canonical")
        if canon:
            pages.setdefault(canon, info)
    return pages


# ---------------------------------------------------------------- gold checks
def iso(s):
    try:
        return dt.date.fromisoformat(s) if isinstance(s, str) and len(s) == 10 else None
    except ValueError:
        return None


def occurrences(text, body):
    return body.count(text) if text else 0


def nums_in(text):
    return max(1, len(re.findall(r"\d+(?:[.,]\d+)*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|"
                                 r"eleven|twelve|half)\b", text, re.I)))


def facility_forms(name):
    """Ways a canonical facility name may be written: 'Aktau port' -> 'port of Aktau'."""
    forms = {name}
    m = re.fullmatch(r"(.+?) (port|refinery|terminal|field|plant|oilfield|oil field|gas field)", name)
    if m:
        place, kind = m.groups()
        for prep in ("of", "at", "in", "near"):
            forms.add(f"{kind} {prep} {place}")
    return forms


def check_line(obj, n, pages, strict, out):
    err = lambda msg: out.append(("ERROR", n, obj.get("doc_id") if isinstance(obj, dict) else None, msg))
    warn = lambda msg: out.append(("ERROR" if strict else "WARN", n, obj.get("doc_id"), msg))
    if not isinstance(obj, dict):
        return err("line is not a JSON object")
    missing, extra = TOP - obj.keys(), obj.keys() - TOP
    if missing:
        err(f"missing keys {sorted(missing)}")
    if extra:
        err(f"unexpected keys {sorted(extra)}")
    if obj.get("source") == "web" and obj.get("doc_id") != obj.get("url"):
        err("doc_id must equal url for source 'web'")
    pub = iso(obj.get("published"))
    if not pub:
        err(f"published {obj.get('published')!r} is not YYYY-MM-DD")
    dl = obj.get("dateline")
    if dl is not None:
        if not isinstance(dl, dict) or set(dl) != {"place", "date"} or not isinstance(dl.get("place"), str) \
                or not iso(dl.get("date")):
            err(f"dateline must be null or {{place, date}}: {dl!r}")
    fac_names = set()
    for fam in ("organizations", "places", "people", "facilities"):
        items = obj.get(fam)
        if not isinstance(items, list):
            err(f"{fam} must be a list")
            continue
        seen = set()
        for it in items:
            keys = {"name", "aliases"} | ({"kind"} if fam == "facilities" else set())
            if not isinstance(it, dict) or set(it) != keys:
                err(f"{fam} item must have exactly keys {sorted(keys)}: {it!r}")
                continue
            if not isinstance(it["name"], str) or not it["name"].strip():
                err(f"{fam} item with empty name: {it!r}")
            if not isinstance(it["aliases"], list) or not all(isinstance(a, str) and a for a in it["aliases"]):
                err(f"{fam} {it['name']!r}: aliases must be a list of non-empty strings")
                continue
            if it["name"] in it["aliases"]:
                err(f"{fam} {it['name']!r}: the name is repeated as an alias")
            if len(set(it["aliases"])) != len(it["aliases"]):
                err(f"{fam} {it['name']!r}: duplicate aliases")
            low = it["name"].lower()
            if any(a.lower() == low for a in it["aliases"] if a != it["name"]):
                err(f"{fam} {it['name']!r}: an alias differs only in case (not an alias by convention)")
            if low in seen:
                err(f"{fam}: {it['name']!r} listed twice")
            seen.add(low)
            if fam == "facilities":
                if it["kind"] not in KINDS:
                    err(f"facility {it['name']!r}: kind {it['kind']!r} not in {sorted(KINDS)}")
                fac_names.add(it["name"])
    for q in obj.get("quantities") or []:
        if not isinstance(q, dict) or set(q) != QKEYS:
            err(f"quantity must have exactly keys {sorted(QKEYS)}: {q!r}")
            continue
        t = q["text"]
        if not isinstance(q["amount"], (int, float)) or isinstance(q["amount"], bool) or q["amount"] <= 0:
            err(f"quantity {t!r}: amount must be a positive number")
        if q["unit"] not in UNITS:
            err(f"quantity {t!r}: unit {q['unit']!r} not in {sorted(UNITS)}")
        if q["per"] not in PERS:
            err(f"quantity {t!r}: per {q['per']!r} not in {sorted(p for p in PERS if p)} or null")
        if q["status"] not in STATUSES:
            err(f"quantity {t!r}: status {q['status']!r} not allowed")
        if q["commodity"] is not None and not (isinstance(q["commodity"], str) and q["commodity"].strip()):
            err(f"quantity {t!r}: commodity must be a string or null")
        per = q["period"]
        if per is not None:
            if not isinstance(per, dict) or set(per) != {"start", "end"} or not iso(per.get("start")) \
                    or not iso(per.get("end")) or iso(per["start"]) > iso(per["end"]):
                err(f"quantity {t!r}: bad period {per!r}")
        if not isinstance(q["facilities"], list):
            err(f"quantity {t!r}: facilities must be a list")
        else:
            for f in q["facilities"]:
                if f not in fac_names:
                    err(f"quantity {t!r}: facility {f!r} is not a listed facility name")
    for d in obj.get("dates") or []:
        if not isinstance(d, dict) or set(d) != {"text", "start", "end"}:
            err(f"date must have exactly keys text/start/end: {d!r}")
            continue
        s, e = iso(d["start"]), iso(d["end"])
        if not s or not e or s > e:
            err(f"date {d['text']!r}: bad span {d['start']!r}..{d['end']!r}")

    # ---- against the page
    page = pages.get(obj.get("url"))
    if page is None:
        return err(f"no page under the site has <link rel=canonical href={obj.get('url')!r}>")
    for prob in page["problems"]:
        err(f"{page['path']}: HTML: {prob}")
    body = page["body"]
    if not body:
        return err(f"{page['path']}: no body paragraphs found")
    ptime = page["meta"].get("article:published_time")
    try:
        local = dt.datetime.fromisoformat(ptime.replace("Z", "+00:00")).date() if ptime else None
    except ValueError:
        local = None
    if local is None:
        err(f"{page['path']}: missing or bad article:published_time {ptime!r}")
    elif pub and local != pub:
        err(f"published {pub} != local date of article:published_time {ptime}")
    if dl and dl.get("place") and dl["place"] not in body[:200]:
        err(f"dateline place {dl['place']!r} does not open the body")
    from collections import Counter
    qtexts = Counter(q["text"] for q in obj.get("quantities") or [] if isinstance(q, dict) and "text" in q)
    for t, c in qtexts.items():
        occ = occurrences(t, body)
        if occ == 0:
            err(f"quantity text {t!r} not in body")
        elif c > occ * nums_in(t):
            err(f"quantity text {t!r} annotated {c} times but occurs {occ} time(s)")
    dtexts = Counter(d["text"] for d in obj.get("dates") or [] if isinstance(d, dict) and "text" in d)
    for t, c in dtexts.items():
        occ = occurrences(t, body)
        if occ == 0:
            err(f"date text {t!r} not in body")
        elif c > occ:
            err(f"date text {t!r} annotated {c} times but occurs {occ} time(s)")
    lowbody = body.lower()
    for fam in ("facilities", "organizations", "places", "people"):
        for it in obj.get(fam) or []:
            if not isinstance(it, dict) or not isinstance(it.get("aliases"), list):
                continue
            forms = set()
            for nm in [it.get("name", "")] + it["aliases"]:
                forms |= facility_forms(nm) if fam == "facilities" else {nm}
            if not any(f and f.lower() in lowbody for f in forms):
                msg = f"{fam}: neither {it.get('name')!r} nor an alias occurs in the body"
                err(msg) if fam == "facilities" else warn(msg)
            for a in it["aliases"]:
                alias_forms = facility_forms(a) if fam == "facilities" else {a}
                if not any(f.lower() in lowbody for f in alias_forms):
                    warn(f"{fam} {it.get('name')!r}: alias {a!r} does not occur in the body")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", nargs="*")
    ap.add_argument("--site", default=str(HERE / "site"))
    ap.add_argument("--sources", default=str(HERE / "sources.toml"))
    ap.add_argument("--strict", action="store_true", help="treat warnings as errors")
    ap.add_argument("--dump", metavar="URL_OR_PATH", help="print the body text of one page and exit")
    a = ap.parse_args()
    hints = load_hints(a.sources)
    if a.dump:
        if Path(a.dump).exists():
            info = read_page(a.dump, a.site, hints)
        else:
            info = index_site(a.site, hints).get(a.dump)
            if info is None:
                sys.exit(f"no page with canonical {a.dump!r}")
        print(info["body"])
        for prob in info["problems"]:
            print("HTML problem:", prob, file=sys.stderr)
        return
    if not a.gold:
        ap.error("give at least one gold file (or --dump)")
    pages = index_site(a.site, hints)
    out, ids, lines = [], {}, 0
    for gpath in a.gold:
        with open(gpath, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                lines += 1
                where = f"{gpath}:{n}"
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    out.append(("ERROR", where, None, f"not JSON: {e}"))
                    continue
                if isinstance(obj, dict):
                    if obj.get("doc_id") in ids:
                        out.append(("ERROR", where, obj.get("doc_id"), f"doc_id repeats {ids[obj['doc_id']]}"))
                    ids.setdefault(obj.get("doc_id"), where)
                check_line(obj, where, pages, a.strict, out)
    for level, where, doc, msg in out:
        print(f"{level} {where} {doc or ''}: {msg}")
    errors = sum(1 for o in out if o[0] == "ERROR")
    warns = len(out) - errors
    unannotated = [str(p["path"]) for c, p in pages.items() if c not in ids]
    print(f"{lines} gold line(s), {len(pages)} page(s) with a canonical address, "
          f"{errors} error(s), {warns} warning(s)")
    if unannotated:
        print(f"pages without a gold line in these files ({len(unannotated)}; syndicated copies and the "
              f"other helper's pages are expected here):")
        for p in unannotated:
            print("  ", p)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
