"""Reviewers' tables: corrections, name merges and the append-only audit log.

Corrections are data of their own, keyed by the stable ids of extractor rows
("12:quantities:55-71:1"), so re-extraction (which deletes and rewrites an
article's extractor rows) never touches them.  The ``facts``, ``facility_names``
and ``entity_names`` views (schemas/views.py) overlay them on the extractions.

Every correction and every merge is copied into ``audit_log`` by SQLite
triggers, whoever writes it; ``audit_log`` itself refuses UPDATE and DELETE.
The triggers are created with the tables by :func:`schemas.db.ensure`, so every
database factwire opens has them.
"""
from __future__ import annotations

from .tables import Table

CORRECTIONS = Table(
    "corrections",
    {"id": int, "target_table": str, "target_id": str, "article_id": int, "action": str,
     "corrected": str, "before": str, "reviewer": str, "created_at": str, "note": str},
    foreign_keys=(("article_id", "articles", "id"),),
    indexes=(("target_table", "target_id"), ("article_id",), ("reviewer",)),
    json_columns=("corrected", "before"),
    not_null=frozenset({"target_table", "target_id", "action", "reviewer", "created_at"}),
    description="One row per reviewer decision on an extracted fact (accept, reject, correct); "
                "'corrected' holds the full effective values after it, 'before' those before it. "
                "The latest row per target wins.",
)

NAME_MERGES = Table(
    "name_merges",
    {"id": int, "target": str, "kind": str, "alias": str, "canonical": str, "action": str,
     "reviewer": str, "created_at": str},
    indexes=(("target", "alias"), ("target", "canonical")),
    not_null=frozenset({"target", "alias", "canonical", "action", "reviewer", "created_at"}),
    description="Reviewers' name decisions: 'merge' (this name is another spelling of the "
                "canonical one) and 'alias' (a new alias for a canonical name). target is "
                "'facilities' or 'entities'; the latest row per (target, kind, alias) wins.",
)

AUDIT_LOG = Table(
    "audit_log",
    {"id": int, "at": str, "reviewer": str, "action": str, "target_table": str,
     "target_id": str, "article_id": int, "before": str, "after": str},
    indexes=(("target_table", "target_id"), ("reviewer",), ("at",)),
    json_columns=("before", "after"),
    description="Append-only history of every review action (written by triggers; "
                "UPDATE and DELETE are refused).",
)

REVIEW_TABLES: tuple[Table, ...] = (CORRECTIONS, NAME_MERGES, AUDIT_LOG)

ACTIONS = ("accept", "reject", "correct")
MERGE_ACTIONS = ("merge", "alias")

TRIGGERS = {
    "audit_log_no_update": """
        create trigger if not exists audit_log_no_update before update on audit_log
        begin select raise(abort, 'audit_log is append-only'); end""",
    "audit_log_no_delete": """
        create trigger if not exists audit_log_no_delete before delete on audit_log
        begin select raise(abort, 'audit_log is append-only'); end""",
    # Corrections and merges are history too: they are appended, never edited.
    "corrections_no_update": """
        create trigger if not exists corrections_no_update before update on corrections
        begin select raise(abort, 'corrections are append-only: add a new correction'); end""",
    "corrections_no_delete": """
        create trigger if not exists corrections_no_delete before delete on corrections
        begin select raise(abort, 'corrections are append-only: add a new correction'); end""",
    "name_merges_no_update": """
        create trigger if not exists name_merges_no_update before update on name_merges
        begin select raise(abort, 'name_merges are append-only: add a new row'); end""",
    "name_merges_no_delete": """
        create trigger if not exists name_merges_no_delete before delete on name_merges
        begin select raise(abort, 'name_merges are append-only: add a new row'); end""",
    "corrections_audit": """
        create trigger if not exists corrections_audit after insert on corrections
        begin
          insert into audit_log (at, reviewer, action, target_table, target_id, article_id,
                                 before, after)
          values (new.created_at, new.reviewer, new.action, new.target_table, new.target_id,
                  new.article_id, new.before, new.corrected);
        end""",
    "name_merges_audit": """
        create trigger if not exists name_merges_audit after insert on name_merges
        begin
          insert into audit_log (at, reviewer, action, target_table, target_id, article_id,
                                 before, after)
          values (new.created_at, new.reviewer, new.action, new.target,
                  new.kind || ':' || new.alias, null,
                  (select json_object('alias', m.alias, 'canonical', m.canonical, 'kind', m.kind)
                   from name_merges m
                   where m.target = new.target and m.kind is new.kind and m.alias = new.alias
                     and m.id < new.id
                   order by m.id desc limit 1),
                  json_object('alias', new.alias, 'canonical', new.canonical, 'kind', new.kind));
        end""",
}
