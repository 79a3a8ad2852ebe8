"""Rule-based extraction of facts from wire reports.

Everything here is a plain function or a registered spaCy component: nothing
knows about Prefect, HTTP or the database, so a test or a notebook can call
``extract(text, published)`` and get a record in the gold format of
``shared/eval/GOLD_FORMAT.md``.
"""
from .record import extract, extract_many, EXTRACTOR_VERSION, FAMILY_VERSIONS
from .pipeline import load_pipeline

__all__ = ["extract", "extract_many", "load_pipeline", "EXTRACTOR_VERSION", "FAMILY_VERSIONS"]
