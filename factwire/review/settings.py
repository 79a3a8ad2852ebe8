"""Datasette metadata, configuration and canned queries for a factwire database.

Also where reviewers' accounts come from: ``FACTWIRE_REVIEWERS`` (``name:hash``
pairs separated by commas or whitespace) and/or a TOML file
(``FACTWIRE_REVIEWERS_FILE`` or ``--reviewers``) with a ``[reviewers]`` table
of ``name = "hash"``.  Hashes are datasette-auth-passwords' PBKDF2-SHA256
strings (``pbkdf2_sha256$<iterations>$<salt>$<base64>``); make one with
``factwire review --hash-password`` (or ``datasette hash-password``).
"""
from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

REVIEW_ACTION = "factwire-review"
PLUGIN = "factwire-review"
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class ReviewerConfigError(ValueError):
    pass


def _check(name: str, hashed: str, where: str) -> None:
    if not _NAME.match(name):
        raise ReviewerConfigError(f"{where}: reviewer name {name!r} must be letters, digits, _ . -")
    if hashed.count("$") != 3 or not hashed.startswith("pbkdf2_sha256$"):
        raise ReviewerConfigError(
            f"{where}: the password of {name!r} is not a pbkdf2_sha256 hash "
            "(make one with 'factwire review --hash-password')")


def load_reviewers(env: str | None = None, path: str | Path | None = None) -> dict[str, str]:
    """Reviewer name -> password hash, from the environment and/or a TOML file."""
    reviewers: dict[str, str] = {}
    path = path or os.environ.get("FACTWIRE_REVIEWERS_FILE")
    if path:
        path = Path(path)
        if not path.exists():
            raise ReviewerConfigError(f"{path}: no such reviewers file")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ReviewerConfigError(f"{path}: not valid TOML ({exc})") from None
        table = data.get("reviewers")
        if not isinstance(table, dict):
            raise ReviewerConfigError(f"{path}: needs a [reviewers] table of name = \"hash\"")
        for name, hashed in table.items():
            _check(name, str(hashed), str(path))
            reviewers[name] = str(hashed)
    env = os.environ.get("FACTWIRE_REVIEWERS", "") if env is None else env
    for pair in re.split(r"[\s,]+", env.strip()):
        if not pair:
            continue
        name, sep, hashed = pair.partition(":")
        if not sep:
            raise ReviewerConfigError(f"FACTWIRE_REVIEWERS: {pair!r} is not name:hash")
        _check(name, hashed, "FACTWIRE_REVIEWERS")
        reviewers[name] = hashed
    return reviewers


# -- canned queries ------------------------------------------------------------------------

QUERIES = {
    "agency_disagreements": {
        "title": "Agencies disagreeing on the same facility and period",
        "description": "Effective facts tied to the same facility, commodity, unit, rate basis, "
                       "period and status, reported by more than one agency with amounts that "
                       "differ by more than 0.5%.",
        "sql": """
with f as (
  select facts.*, j.value as facility
  from facts, json_each(coalesce(facts.facilities, '[]')) j
  where facts.period_start is not null
)
select facility, commodity, unit, per, period_start, period_end, status,
       count(distinct source) as agencies,
       min(amount) as lowest, max(amount) as highest,
       group_concat(source || ': ' || amount || ' (fact ' || id || ', ' || review_status || ')',
                    '; ') as reports
from f
group by facility, commodity, unit, per, period_start, period_end, status
having count(distinct source) > 1 and max(amount) > min(amount) * 1.005
order by agencies desc, facility, period_start
""".strip(),
    },
    "facts_by_status": {
        "title": "Facts by status",
        "description": "How many effective facts have each status (actual, planned, forecast, "
                       "capacity, agreed) and each review status.",
        "sql": """
select coalesce(status, '(none)') as status, review_status,
       count(*) as facts, count(distinct article_id) as articles,
       round(avg(confidence), 3) as mean_confidence
from facts
group by 1, 2
order by 1, 2
""".strip(),
    },
    "last_run_new_facts": {
        "title": "The last run's new facts",
        "description": "Effective facts of the reports stored or re-extracted by the latest run.",
        "sql": """
select f.id, f.source, f.published, f.title, f.text, f.amount, f.unit, f.per, f.commodity,
       f.period_start, f.period_end, f.facilities, f.status, f.review_status, f.confidence,
       r.id as run_id, r.started as run_started
from facts f
join articles a on a.id = f.article_id
join runs r on r.id = a.run_id
where r.id = (select max(id) from runs)
order by f.published desc, f.article_id, f.char_start
""".strip(),
    },
    "most_corrected_rules": {
        "title": "Most-corrected extractor rules",
        "description": "Per extractor (rule family and version), reviewers' latest decisions on "
                       "its facts and which values they had to change.",
        "sql": """
with latest as (
  select * from (
    select c.*, row_number() over (partition by c.target_id order by c.id desc) as rn
    from corrections c where c.target_table = 'quantities') where rn = 1
)
select coalesce(json_extract(before, '$.extractor'), '(unknown)') as extractor,
       count(*) as reviewed,
       sum(action = 'correct') as corrected,
       sum(action = 'reject') as rejected,
       sum(action = 'accept') as accepted,
       round(1.0 * sum(action in ('correct', 'reject')) / count(*), 3) as error_rate,
       sum(action = 'correct' and json_extract(before, '$.amount') is not json_extract(corrected, '$.amount')) as amount_fixed,
       sum(action = 'correct' and json_extract(before, '$.unit') is not json_extract(corrected, '$.unit')) as unit_fixed,
       sum(action = 'correct' and json_extract(before, '$.per') is not json_extract(corrected, '$.per')) as per_fixed,
       sum(action = 'correct' and json_extract(before, '$.commodity') is not json_extract(corrected, '$.commodity')) as commodity_fixed,
       sum(action = 'correct' and (json_extract(before, '$.period_start') is not json_extract(corrected, '$.period_start')
                                   or json_extract(before, '$.period_end') is not json_extract(corrected, '$.period_end'))) as period_fixed,
       sum(action = 'correct' and json_extract(before, '$.facilities') is not json_extract(corrected, '$.facilities')) as facilities_fixed,
       sum(action = 'correct' and json_extract(before, '$.status') is not json_extract(corrected, '$.status')) as status_fixed
from latest
group by 1
order by corrected + rejected desc, reviewed desc
""".strip(),
    },
}

# -- metadata (titles, descriptions, column descriptions with units) -------------------------

_FACT_COLUMNS = {
    "id": "Stable id: article:field:start-end:n (the same span keeps its id across re-runs).",
    "text": "The amount as written in the report.",
    "amount": "The number after scaling words (million, bln ...), in the row's unit.",
    "unit": "Unit of amount: t (metric tonnes), bbl (barrels), m3 (cubic metres), kg, MWh ...",
    "per": "Rate basis: day, week, month, quarter, year, or empty for a plain amount.",
    "commodity": "The good the amount is of (oil, crude oil, gas, LNG, wheat ...).",
    "period_start": "First day (ISO date) of the time the amount refers to.",
    "period_end": "Last day (ISO date, inclusive) of the time the amount refers to.",
    "facilities": "JSON list of canonical names of the facilities the amount is tied to.",
    "status": "actual, planned, forecast, capacity or agreed.",
    "confidence": "Extractor's confidence, 0 to 1 (the review queue shows the lowest first).",
    "extractor": "Rule family and version that produced the fact.",
    "sentence": "The sentence the fact was read from.",
    "sentence_start": "Character offset of the sentence in the article text.",
    "char_start": "Character offset where the amount's text starts in the article.",
    "char_end": "Character offset where the amount's text ends (exclusive).",
    "review_status": "unreviewed, accepted, corrected, or orphaned (reviewed, but the latest "
                     "extraction no longer finds it: needs a second look).",
    "reviewed_by": "Reviewer of the latest decision.",
    "reviewed_at": "Time (UTC) of the latest decision.",
    "published": "Publication date of the report (ISO).",
    "canonical_url": "The report's canonical address.",
}


def metadata(db_name: str) -> dict:
    return {
        "title": "factwire",
        "description_html": (
            "Facts read from news-agency reports. Reviewers correct them in the "
            '<a href="/-/review">review queue</a>; corrections overlay the extractions in the '
            "<code>facts</code> view, which every reader (CLI, export, this site) uses."),
        "databases": {db_name: {
            "title": "factwire facts",
            "description": "Reports, what the extractors found in them, and reviewers' decisions.",
            "tables": {
                "facts": {"title": "Facts (effective values)",
                          "description": "Quantities with reviewers' corrections applied; "
                                         "rejected facts left out.",
                          "columns": _FACT_COLUMNS},
                "quantities": {"title": "Extracted quantities (raw)",
                               "description": "The extractors' rows, rewritten on every "
                                              "re-extraction; read facts instead.",
                               "columns": {k: v for k, v in _FACT_COLUMNS.items()
                                           if k not in ("review_status", "reviewed_by",
                                                        "reviewed_at", "published",
                                                        "canonical_url")}},
                "articles": {"title": "Reports",
                             "description": "One row per report, under its canonical URL.",
                             "columns": {"text": "The report's text (shown escaped).",
                                         "published": "Publication date (ISO).",
                                         "status": "extracted, extract_failed or duplicate."}},
                "corrections": {"title": "Corrections",
                                "description": "Reviewers' decisions on facts (append-only); "
                                               "the latest per fact wins.",
                                "columns": {"corrected": "JSON: effective values after the decision.",
                                            "before": "JSON: effective values before it.",
                                            "created_at": "Time (UTC)."}},
                "name_merges": {"title": "Name merges and aliases",
                                "description": "Reviewers' name decisions (append-only)."},
                "audit_log": {"title": "Audit log",
                              "description": "Every review action with before and after; "
                                             "triggers refuse UPDATE and DELETE."},
                "facility_names": {"title": "Facility names",
                                   "description": "Every spelling -> canonical facility name, "
                                                  "with reviewers' merges."},
                "entity_names": {"title": "Entity names",
                                 "description": "Every spelling -> canonical organisation, "
                                                "place or person name, with reviewers' merges."},
                "facilities": {"title": "Extracted facilities (raw)"},
                "entities": {"title": "Extracted organisations, places and people (raw)"},
                "dates": {"title": "Extracted dates (raw)",
                          "columns": {"start": "First day (ISO).", "end": "Last day (ISO, inclusive)."}},
                "runs": {"title": "Runs", "description": "One row per ingest run with its counts."},
            },
        }},
    }


def config(db_name: str, reviewers: dict[str, str]) -> dict:
    """Datasette configuration: permissions, plugins, table options, canned queries."""
    auth = {f"{name}_password_hash": hashed for name, hashed in reviewers.items()}
    auth["actors"] = {name: {"id": name, "factwire_reviewer": True} for name in reviewers}
    return {
        # Only reviewers may record review decisions; nobody gets Datasette's own write
        # actions (insert-row, update-row, execute-write-sql ...), which default to root only,
        # so every change goes through the review routes (reviewer taken from the session).
        "permissions": {REVIEW_ACTION: {"id": sorted(reviewers) or ["*no reviewers*"]}},
        "plugins": {
            "datasette-auth-passwords": auth,
            PLUGIN: {"database": db_name},
        },
        "databases": {db_name: {
            "tables": {
                "facts": {"facets": ["review_status", "status", "commodity", "source", "unit"],
                          "sort_desc": "published", "label_column": "text",
                          "column_types": {"canonical_url": "url"}},
                "quantities": {"facets": ["status", "commodity", "extractor"], "sort": "confidence",
                               "label_column": "text"},
                "articles": {"facets": ["source", "status"], "sort_desc": "published",
                             "label_column": "title",
                             "column_types": {"canonical_url": "url", "url": "url"}},
                "corrections": {"facets": ["action", "reviewer"], "sort_desc": "id"},
                "name_merges": {"facets": ["target", "action", "reviewer"], "sort_desc": "id"},
                "audit_log": {"facets": ["action", "reviewer", "target_table"], "sort_desc": "id"},
                "facilities": {"facets": ["kind"], "label_column": "name"},
                "entities": {"facets": ["kind"], "label_column": "name"},
                "facility_names": {"facets": ["kind"], "sort": "canonical"},
                "entity_names": {"facets": ["kind"], "sort": "canonical"},
                "dates": {"facets": ["precision"], "sort": "start"},
                "runs": {"sort_desc": "id"},
            },
            "queries": QUERIES,
        }},
    }
