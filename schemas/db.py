"""Open a factwire database and make its tables match ``schemas.tables``."""
from __future__ import annotations

import sqlite_utils

from .review import TRIGGERS
from .tables import TABLES, Table
from .views import VIEWS


def _create(db: sqlite_utils.Database, table: Table) -> None:
    t = db[table.name]
    if not t.exists():
        t.create(
            table.columns,
            pk=table.pk,
            foreign_keys=list(table.foreign_keys),
            not_null=set(table.not_null),
        )
    else:
        missing = {c: ty for c, ty in table.columns.items() if c not in t.columns_dict}
        for column, column_type in missing.items():
            t.add_column(column, column_type)
    for cols in table.indexes:
        t.create_index(list(cols), if_not_exists=True)
    for cols in table.unique:
        t.create_index(list(cols), unique=True, if_not_exists=True)
    if table.fts and not db[f"{table.name}_fts"].exists():
        t.enable_fts(list(table.fts), create_triggers=True, tokenize="porter")


# Every name and alias of an extraction table's rows, as rows of ``names``.
NAMES_FROM_ROWS = """
insert or ignore into names (source_table, alias, canonical, kind)
select '{table}', t.name, t.name, coalesce(t.kind, '') from {table} t where t.name is not null
union
select '{table}', j.value, t.name, coalesce(t.kind, '')
from {table} t, json_each(coalesce(t.aliases, '[]')) j where t.name is not null
"""


# Keep ``names`` up to date with every facility or entity row written, by anyone.
NAME_TRIGGERS = {
    f"{table}_names": f"""
        create trigger if not exists {table}_names after insert on {table}
        when new.name is not null
        begin
          insert or ignore into names (source_table, alias, canonical, kind)
          values ('{table}', new.name, new.name, coalesce(new.kind, ''));
          insert or ignore into names (source_table, alias, canonical, kind)
          select '{table}', j.value, new.name, coalesce(new.kind, '')
          from json_each(coalesce(new.aliases, '[]')) j;
        end"""
    for table in ("facilities", "entities")
}


def ensure(db: sqlite_utils.Database) -> sqlite_utils.Database:
    """Create missing tables, columns and indexes; safe to call on every open."""
    fill_names = not db["names"].exists()
    for table in TABLES:
        _create(db, table)
    if fill_names:
        # A database from before the names table: learn the names it already holds.
        for source_table in ("facilities", "entities"):
            db.execute(NAMES_FROM_ROWS.format(table=source_table))
    with db.conn:
        for sql in (*TRIGGERS.values(), *NAME_TRIGGERS.values()):
            db.execute(sql)
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)
    return db


def connect(path: str, *, create: bool = True) -> sqlite_utils.Database:
    """Open ``path`` in WAL mode with foreign keys on, creating the schema if asked."""
    db = sqlite_utils.Database(path)
    db.conn.execute("PRAGMA busy_timeout = 10000")
    db.conn.execute("PRAGMA foreign_keys = ON")
    if create:
        db.enable_wal()
        ensure(db)
    return db
