"""factwire's schema: database tables and the gold/export record, declared once."""
from .tables import TABLES, BY_NAME, EXTRACTION_TABLES, ENTITY_KIND, PROVENANCE, Table
from .db import connect, ensure

__all__ = ["TABLES", "BY_NAME", "EXTRACTION_TABLES", "ENTITY_KIND", "PROVENANCE", "Table",
           "connect", "ensure"]
