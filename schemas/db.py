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


def ensure(db: sqlite_utils.Database) -> sqlite_utils.Database:
    """Create missing tables, columns and indexes; safe to call on every open."""
    for table in TABLES:
        _create(db, table)
    with db.conn:
        for sql in TRIGGERS.values():
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
