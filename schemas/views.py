"""Views every reader uses: the *effective* facts, entities and facility names.

Readers (the query CLI, Datasette, the export of reviewed gold) never read the
extraction tables directly: they read these views, so that once reviewers'
corrections exist (see the review schema) they win in every answer.

Contract of the ``facts`` view (one row per effective quantity, rejected ones
left out): id, article_id, text, amount, unit, per, commodity, period_start,
period_end, facilities (JSON list of canonical names), status, qualifier,
confidence, extractor, sentence, sentence_start, char_start, char_end,
review_status (unreviewed | accepted | corrected | orphaned), reviewed_by,
reviewed_at, source, published, title, canonical_url.

``facility_names``: alias -> canonical name and kind, from every report's
facility items (and reviewers' merges once they exist).
``entity_names``: the same for organisations, places and people (with kind).
"""
from __future__ import annotations

FACTS = """
select q.id, q.article_id, q.text, q.amount, q.unit, q.per, q.commodity,
       q.period_start, q.period_end, q.facilities, q.status, q.qualifier,
       q.confidence, q.extractor, q.sentence, q.sentence_start, q.char_start, q.char_end,
       'unreviewed' as review_status, null as reviewed_by, null as reviewed_at,
       a.source, a.published, a.title, a.canonical_url
from quantities q join articles a on a.id = q.article_id
where a.status = 'extracted'
"""

FACILITY_NAMES = """
select distinct f.name as alias, f.name as canonical, f.kind from facilities f
union
select distinct j.value as alias, f.name as canonical, f.kind
from facilities f, json_each(coalesce(f.aliases, '[]')) j
"""

ENTITY_NAMES = """
select distinct e.name as alias, e.name as canonical, e.kind from entities e
union
select distinct j.value as alias, e.name as canonical, e.kind
from entities e, json_each(coalesce(e.aliases, '[]')) j
"""

VIEWS = {"facts": FACTS, "facility_names": FACILITY_NAMES, "entity_names": ENTITY_NAMES}
