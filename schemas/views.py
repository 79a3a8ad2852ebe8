"""Views every reader uses: the *effective* facts, entities and facility names.

Readers (the query CLI, Datasette, the export of reviewed gold) never read the
extraction tables directly: they read these views, so that reviewers'
corrections (schemas/review.py) win in every answer.

Contract of the ``facts`` view (one row per effective quantity, rejected ones
left out): id, article_id, text, amount, unit, per, commodity, period_start,
period_end, facilities (JSON list of canonical names), status, qualifier,
confidence, extractor, sentence, sentence_start, char_start, char_end,
review_status (unreviewed | accepted | corrected | orphaned), reviewed_by,
reviewed_at, source, published, title, canonical_url.

How a row's values are chosen:
- no correction for the quantity id: the extractor's values, 'unreviewed';
- the latest correction (highest ``corrections.id`` for the id) wins: 'reject'
  leaves the fact out; 'accept' and 'correct' give the values stored in the
  correction's ``corrected`` JSON (a key missing there falls back to the
  extractor's value), 'accepted' or 'corrected';
- a reviewed fact whose extractor row no longer exists (re-extraction stopped
  finding it) still appears, from its correction, as 'orphaned' (flagged for a
  second look); once a reviewer decides on it again while it is orphaned, it
  is 'accepted' or 'corrected' again;
- facility names in ``facilities`` are mapped through reviewers' merges.

``facility_names``: alias -> canonical name and kind, from every report's
facility items and reviewers' merges and aliases (a reviewer's decision on a
name wins over the extractor's).
``entity_names``: the same for organisations, places and people (with kind).
"""
from __future__ import annotations

# Values a correction can carry, with the extractor column each falls back to.
FACT_VALUES = ("text", "amount", "unit", "per", "commodity", "period_start", "period_end",
               "facilities", "status", "qualifier", "confidence", "extractor", "sentence",
               "sentence_start", "char_start", "char_end")


def _value(column: str) -> str:
    path = f"'$.{column}'"
    return (f"case when l.id is null or json_type(l.corrected, {path}) is null then q.{column} "
            f"else json_extract(l.corrected, {path}) end as {column}")


def _snapshot(column: str) -> str:
    return f"json_extract(l.corrected, '$.{column}') as {column}"


# Latest decision per name (facility names are one namespace whatever their kind;
# entity names are per kind: Georgia the place is not Georgia the company).
_LATEST_MERGES = """
select target, kind, alias, canonical, action from (
  select m.*, row_number() over (
           partition by m.target, case when m.target = 'entities' then m.kind end, m.alias
           order by m.id desc) as rn
  from name_merges m) where rn = 1
"""

FACTS = f"""
with latest as (
  select c.* from corrections c
  where c.id in (select max(id) from corrections where target_table = 'quantities' group by target_id)
),
facility_merge as (
  select alias, canonical from ({_LATEST_MERGES}) where target = 'facilities'
  group by alias having max(canonical) = min(canonical)
),
effective as (
  select q.id, q.article_id, {", ".join(_value(c) for c in FACT_VALUES)},
         case when l.id is null then 'unreviewed'
              when l.action = 'accept' then 'accepted' else 'corrected' end as review_status,
         l.reviewer as reviewed_by, l.created_at as reviewed_at
  from quantities q left join latest l on l.target_id = q.id
  where l.action is null or l.action != 'reject'
  union all
  select l.target_id as id, l.article_id, {", ".join(_snapshot(c) for c in FACT_VALUES)},
         case when json_extract(l.before, '$.review_status') = 'orphaned'
              then (case when l.action = 'accept' then 'accepted' else 'corrected' end)
              else 'orphaned' end as review_status,
         l.reviewer as reviewed_by, l.created_at as reviewed_at
  from latest l
  where l.action != 'reject' and not exists (select 1 from quantities q where q.id = l.target_id)
)
select x.id, x.article_id, x.text, x.amount, x.unit, x.per, x.commodity,
       x.period_start, x.period_end,
       case when x.facilities is null then null
            when not exists (select 1 from name_merges where target = 'facilities') then x.facilities
            else (select json_group_array(distinct coalesce(m.canonical, j.value))
                  from json_each(x.facilities) j left join facility_merge m on m.alias = j.value)
       end as facilities,
       x.status, x.qualifier,
       x.confidence, x.extractor, x.sentence, x.sentence_start, x.char_start, x.char_end,
       x.review_status, x.reviewed_by, x.reviewed_at,
       a.source, a.published, a.title, a.canonical_url
from effective x join articles a on a.id = x.article_id
where a.status = 'extracted' or x.review_status != 'unreviewed'
"""

# Extractor names (the ``names`` table: every name and alias -> name, kept by the
# store), then reviewers' decisions on top:
# a name a reviewer merged or aliased maps to the reviewer's canonical name, and
# so does every alias whose extractor canonical was merged away.
_NAMES = """
with extracted as (
  select alias, canonical, nullif(kind, '') as kind from names where source_table = '{table}'
),
reviewed as (
  select alias, canonical, kind from ({latest}) where target = '{table}'
)
select e.alias, coalesce(r.canonical, e.canonical) as canonical, {kind} as kind
from extracted e left join reviewed r on r.alias = e.canonical and {same_kind}
where not exists (select 1 from reviewed r2 where r2.alias = e.alias and {same_kind2})
union
select r.alias, r.canonical, r.kind from reviewed r
"""

FACILITY_NAMES = _NAMES.format(table="facilities", latest=_LATEST_MERGES,
                               kind="coalesce(r.kind, e.kind)", same_kind="1", same_kind2="1")
ENTITY_NAMES = _NAMES.format(table="entities", latest=_LATEST_MERGES, kind="e.kind",
                             same_kind="r.kind = e.kind", same_kind2="r2.kind = e.kind")

VIEWS = {"facts": FACTS, "facility_names": FACILITY_NAMES, "entity_names": ENTITY_NAMES}
