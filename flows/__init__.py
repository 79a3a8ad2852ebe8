"""Prefect flows of factwire: they orchestrate; the work is in plain functions."""
