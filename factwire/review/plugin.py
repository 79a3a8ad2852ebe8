"""The Datasette plugin: the review queue, decisions, name merges.

Routes
  GET  /-/review            the queue: unreviewed facts, lowest confidence first
                            (?status=orphaned|accepted|corrected|all, ?article=ID,
                            ?fact=ID: one fact with its decision history)
  POST /-/review/decide     accept / reject / correct one fact
  GET  /-/review/names      facility and entity names, with merge and alias forms
  POST /-/review/merge      merge a name into a canonical one, or add an alias

Who may write: actors allowed the ``factwire-review`` action (granted to the
configured reviewers in the Datasette config).  Every form carries a token
signed with the Datasette secret and bound to the reviewer, checked on POST, on
top of Datasette's own cross-origin (Sec-Fetch-Site / Origin) protection.
Report text is only ever rendered through Jinja's autoescaping.
"""
from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

from datasette import hookimpl
from datasette.permissions import Action
from datasette.utils.asgi import Response

from . import core
from .settings import PLUGIN, REVIEW_ACTION

QUEUE_STATUSES = ("unreviewed", "orphaned", "accepted", "corrected", "all")
CORRECTABLE = ("amount", "unit", "per", "commodity", "period_start", "period_end",
               "facilities", "status")
TOKEN_NAMESPACE = "factwire-review-form"


# -- helpers ---------------------------------------------------------------------------------

def database_name(datasette) -> str | None:
    config = datasette.plugin_config(PLUGIN) or {}
    if config.get("database") in datasette.databases:
        return config["database"]
    for name, db in datasette.databases.items():
        if not db.is_memory and name != "_internal":
            return name
    return None


def form_token(datasette, actor) -> str:
    return datasette.sign({"a": (actor or {}).get("id")}, TOKEN_NAMESPACE)


def token_ok(datasette, actor, token) -> bool:
    if not actor or not token:
        return False
    try:
        return datasette.unsign(token, TOKEN_NAMESPACE).get("a") == actor.get("id")
    except Exception:  # BadSignature, malformed
        return False


def safe_link(url) -> str | None:
    """Only http(s) links are rendered as links (never javascript: and the like)."""
    if isinstance(url, str) and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


def back_to(value) -> str:
    """Where to go after a POST: only this plugin's own pages."""
    if isinstance(value, str) and value.startswith("/-/review") and "//" not in value \
            and "\\" not in value:
        return value
    return "/-/review"


def describe(fact: dict | None) -> str:
    if not fact:
        return "left out"
    rate = f"/{fact['per']}" if fact.get("per") else ""
    amount = fact.get("amount")
    amount = f"{amount:,.6g}" if isinstance(amount, float) and abs(amount) < 1e6 else \
        (f"{amount:,.0f}" if isinstance(amount, (int, float)) else str(amount))
    parts = [f"{amount} {fact.get('unit') or ''}{rate}".strip()]
    if fact.get("commodity"):
        parts.append(fact["commodity"])
    if fact.get("period_start"):
        parts.append(f"{fact['period_start']}..{fact['period_end']}")
    facilities = fact.get("facilities")
    if isinstance(facilities, str):
        facilities = json.loads(facilities or "[]")
    if facilities:
        parts.append("at " + ", ".join(facilities))
    parts.append(f"status {fact.get('status') or '-'}")
    return ", ".join(parts) + f" [{fact.get('review_status')}]"


def segments(sentence: str, offset: int, spans: list[tuple[int, int, str]]) -> list[dict]:
    """Split a sentence into runs of text, each with the class of the span it is in.

    ``spans`` are (char_start, char_end, css_class) in article offsets; earlier
    spans in the list win where they overlap.
    """
    sentence = sentence or ""
    classes: list[str | None] = [None] * len(sentence)
    for start, end, css in reversed(spans):
        for i in range(max(0, start - offset), min(len(sentence), end - offset)):
            classes[i] = css
    out: list[dict] = []
    for ch, css in zip(sentence, classes):
        if out and out[-1]["cls"] == css:
            out[-1]["text"] += ch
        else:
            out.append({"text": ch, "cls": css})
    return out


async def _rows(db, sql, params=()):
    return [dict(r) for r in (await db.execute(sql, params)).rows]


# -- hooks -----------------------------------------------------------------------------------

@hookimpl
def register_actions(datasette):
    return [Action(name=REVIEW_ACTION, abbr="fwr",
                   description="Review factwire facts: accept, reject, correct, merge names")]


@hookimpl
def startup(datasette):
    async def inner():
        name = database_name(datasette)
        if not name:
            return
        db = datasette.get_database(name)
        if not db.is_mutable:
            return

        def ensure(conn):
            import sqlite_utils
            from schemas.db import ensure as ensure_schema
            sdb = sqlite_utils.Database(conn)
            if "articles" in sdb.table_names():
                ensure_schema(sdb)

        await db.execute_write_fn(ensure, transaction=False)
    return inner


@hookimpl
def register_routes():
    return [
        (r"^/-/review$", queue_page),
        (r"^/-/review/decide$", decide),
        (r"^/-/review/names$", names_page),
        (r"^/-/review/merge$", merge),
    ]


@hookimpl
def row_actions(datasette, actor, request, database, table, row):
    """'Review this fact' on the row page of an extracted quantity or a correction."""
    if database != database_name(datasette):
        return None
    if table == "quantities":
        fact_id = row["id"]
    elif table == "corrections" and row["target_table"] == "quantities":
        fact_id = row["target_id"]
    else:
        return None
    return [{"href": datasette.urls.path("/-/review?" + urlencode({"fact": fact_id})),
             "label": "Review this fact",
             "description": "Its sentence, effective values and history in the review queue"}]


@hookimpl
def menu_links(datasette, actor):
    return [{"href": datasette.urls.path("/-/review"), "label": "Review queue"},
            {"href": datasette.urls.path("/-/review/names"), "label": "Review names"}]


# -- pages -----------------------------------------------------------------------------------

async def _fact_cards(db, facts: list[dict]) -> list[dict]:
    """Facts with their sentence split into highlighted runs (amount, facilities, dates)."""
    ids = sorted({f["article_id"] for f in facts})
    marks = ",".join("?" * len(ids))
    facility_spans: dict[int, list] = {}
    date_spans: dict[int, list] = {}
    if ids:
        for row in await _rows(db, f"select article_id, name, aliases, mentions from facilities "
                                   f"where article_id in ({marks})", ids):
            for start, end in json.loads(row["mentions"] or "[]"):
                facility_spans.setdefault(row["article_id"], []).append(
                    (start, end, row["name"]))
        for row in await _rows(db, f"select article_id, char_start, char_end from dates "
                                   f"where article_id in ({marks})", ids):
            date_spans.setdefault(row["article_id"], []).append((row["char_start"], row["char_end"]))
    cards = []
    for fact in facts:
        linked = set(json.loads(fact["facilities"] or "[]"))
        spans = [(fact["char_start"], fact["char_end"], "quantity")]
        spans += [(s, e, "facility") for s, e, name in facility_spans.get(fact["article_id"], [])
                  if s is not None and name in linked]
        spans += [(s, e, "facility-other") for s, e, name in facility_spans.get(fact["article_id"], [])
                  if s is not None and name not in linked]
        spans += [(s, e, "date") for s, e in date_spans.get(fact["article_id"], []) if s is not None]
        card = dict(fact)
        card["facility_list"] = json.loads(fact["facilities"] or "[]")
        card["segments"] = segments(fact["sentence"], fact["sentence_start"] or 0,
                                    [s for s in spans if s[0] is not None and s[1] is not None])
        card["link"] = safe_link(fact["canonical_url"])
        card["summary"] = describe(fact)
        cards.append(card)
    return cards


async def queue_page(request, datasette):
    name = database_name(datasette)
    if name is None:
        return Response.text("No factwire database is attached.", status=404)
    db = datasette.get_database(name)
    actor = request.actor
    can_review = await datasette.allowed(action=REVIEW_ACTION, actor=actor)
    fact_id = request.args.get("fact")
    status = request.args.get("status") or ("all" if fact_id else "unreviewed")
    if status not in QUEUE_STATUSES:
        status = "unreviewed"
    try:
        limit = max(1, min(100, int(request.args.get("limit") or 20)))
        offset = max(0, int(request.args.get("offset") or 0))
        article = int(request.args["article"]) if request.args.get("article") else None
    except ValueError:
        return Response.text("limit, offset and article must be whole numbers", status=400)
    where, params = [], []
    if status != "all":
        where.append("review_status = ?")
        params.append(status)
    if article is not None:
        where.append("article_id = ?")
        params.append(article)
    if fact_id:
        where.append("id = ?")
        params.append(fact_id)
    sql_where = (" where " + " and ".join(where)) if where else ""
    facts = await _rows(db, f"select * from facts{sql_where} order by confidence asc, "
                            f"published, article_id, char_start limit ? offset ?",
                        params + [limit, offset])
    total = (await db.execute(f"select count(*) from facts{sql_where}", params)).first()[0]
    counts = {r["review_status"]: r["n"] for r in await _rows(
        db, "select review_status, count(*) as n from facts group by review_status")}
    counts["rejected"] = (await db.execute(
        "select count(*) from (select c.action, row_number() over (partition by c.target_id "
        "order by c.id desc) as rn from corrections c where c.target_table = 'quantities') "
        "where rn = 1 and action = 'reject'")).first()[0]
    flagged = []
    if status == "unreviewed" and offset == 0 and counts.get("orphaned"):
        flagged = await _rows(db, "select * from facts where review_status = 'orphaned' "
                                  "order by reviewed_at desc limit 20")
    recent = []
    if actor:
        recent = await _rows(db, """
            select c.id as decision, c.action, c.target_id, c.created_at, f.*
            from corrections c left join facts f on f.id = c.target_id
            where c.reviewer = ? and c.target_table = 'quantities'
            order by c.id desc limit 8""", [actor.get("id")])
        for r in recent:
            r["summary"] = describe(r) if r.get("id") else "left out (rejected)"
    history = []
    if fact_id:
        history = await _rows(db, "select * from audit_log where target_table = 'quantities' "
                                  "and target_id = ? order by id desc", [fact_id])
        for h in history:
            h["before_summary"] = describe(json.loads(h["before"])) if h["before"] else ""
            h["after_summary"] = (describe(dict(json.loads(h["after"]), review_status=h["action"]))
                                  if h["after"] else "")
    here = "/-/review?" + urlencode({k: v for k, v in (("status", status), ("article", article),
                                                        ("fact", fact_id),
                                                        ("offset", offset or None)) if v})
    pages = {}
    if offset + limit < total:
        pages["next"] = "/-/review?" + urlencode(
            {k: v for k, v in (("status", status), ("article", article),
                               ("offset", offset + limit)) if v is not None})
    if offset:
        pages["previous"] = "/-/review?" + urlencode(
            {k: v for k, v in (("status", status), ("article", article),
                               ("offset", max(0, offset - limit))) if v is not None})
    return Response.html(await datasette.render_template("factwire_review_queue.html", {
        "database": name, "facts": await _fact_cards(db, facts),
        "flagged": await _fact_cards(db, flagged), "recent": recent, "counts": counts,
        "status": status, "statuses": QUEUE_STATUSES, "total": total, "offset": offset,
        "pages": pages, "can_review": can_review, "token": form_token(datasette, actor),
        "here": here, "pers": core.PERS, "fact_statuses": core.STATUSES, "article": article,
        "fact_id": fact_id, "history": history,
    }, request=request))


async def _guard(request, datasette):
    """(actor, form) of an allowed POST, or a Response refusing it."""
    if request.method != "POST":
        return Response.text("POST only", status=405), None
    actor = request.actor
    if not await datasette.allowed(action=REVIEW_ACTION, actor=actor):
        return Response.text("Only reviewers may change facts: log in at /-/login.",
                             status=403), None
    form = await request.post_vars()
    if not token_ok(datasette, actor, form.get("csrftoken")):
        return Response.text("Form token missing or invalid (reload the page and try again).",
                             status=403), None
    return actor, form


async def decide(request, datasette):
    actor, form = await _guard(request, datasette)
    if form is None:
        return actor
    db = datasette.get_database(database_name(datasette))
    fact_id, action = form.get("fact_id") or "", form.get("action") or ""
    values = {k: form.get(k, "") for k in CORRECTABLE if k in form} if action == "correct" else None
    try:
        before = await db.execute_write_fn(lambda conn: core.current_state(conn, fact_id),
                                           transaction=False)
        after = await db.execute_write_fn(
            lambda conn: core.record_decision(conn, fact_id, action, actor["id"], values,
                                              form.get("note")),
            transaction=False)
    except core.ReviewError as exc:
        datasette.add_message(request, f"Not saved: {exc}", datasette.ERROR)
        return Response.redirect(back_to(form.get("return_to")))
    verb = {"accept": "Accepted", "reject": "Rejected", "correct": "Corrected"}[action]
    datasette.add_message(
        request, f"{verb} fact {fact_id} ({before.get('text')!s}): was {describe(before)}; "
                 f"now {describe(after)}", datasette.INFO)
    return Response.redirect(back_to(form.get("return_to")))


async def names_page(request, datasette):
    name = database_name(datasette)
    if name is None:
        return Response.text("No factwire database is attached.", status=404)
    db = datasette.get_database(name)
    actor = request.actor
    q = (request.args.get("q") or "").strip()
    like = f"%{q}%"
    facilities = await _rows(db, """
        select canonical, kind, json_group_array(alias) filter (where alias != canonical) as aliases
        from facility_names where canonical like ? or alias like ?
        group by canonical, kind order by canonical limit 300""", [like, like])
    entities = await _rows(db, """
        select canonical, kind, json_group_array(alias) filter (where alias != canonical) as aliases
        from entity_names where canonical like ? or alias like ?
        group by canonical, kind order by kind, canonical limit 300""", [like, like])
    for row in facilities + entities:
        row["alias_list"] = json.loads(row["aliases"] or "[]")
    merges = await _rows(db, "select * from name_merges order by id desc limit 15")
    return Response.html(await datasette.render_template("factwire_review_names.html", {
        "database": name, "facilities": facilities, "entities": entities, "merges": merges,
        "q": q, "can_review": await datasette.allowed(action=REVIEW_ACTION, actor=actor),
        "token": form_token(datasette, actor), "entity_kinds": core.ENTITY_KINDS,
    }, request=request))


async def merge(request, datasette):
    actor, form = await _guard(request, datasette)
    if form is None:
        return actor
    db = datasette.get_database(database_name(datasette))
    target = form.get("target") or ""
    kind = form.get("kind") or None
    alias, canonical = form.get("alias") or "", form.get("canonical") or ""
    action = form.get("action") or "merge"
    try:
        stored = await db.execute_write_fn(
            lambda conn: core.record_merge(conn, target, alias, canonical, actor["id"],
                                           action=action, kind=kind),
            transaction=False)
    except core.ReviewError as exc:
        datasette.add_message(request, f"Not saved: {exc}", datasette.ERROR)
        return Response.redirect(back_to(form.get("return_to") or "/-/review/names"))
    word = "merged into" if action == "merge" else "is now an alias of"
    datasette.add_message(request, f"{alias} {word} {stored}", datasette.INFO)
    return Response.redirect(back_to(form.get("return_to") or "/-/review/names"))
