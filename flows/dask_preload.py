"""Dask worker preload: load the spaCy pipeline when a worker starts.

``dask worker SCHEDULER --preload flows.dask_preload`` (and the local clusters of
``flows.runners``) use it, so a worker's first extraction batch does not also
pay for loading the model.  The model is the one ``FACTWIRE_SPACY_MODEL`` names,
else the default English pipeline.
"""
from __future__ import annotations


def dask_setup(worker) -> None:
    from extractors import load_pipeline
    load_pipeline()
