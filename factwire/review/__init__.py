"""factwire's review capability: a Datasette plugin and the data functions behind it.

``register_plugin()`` registers this package with Datasette's plugin manager
(it carries the hooks of ``plugin.py`` and its ``templates/`` directory), so
``factwire review`` needs no entry point and no ``--plugins-dir``.
"""
from __future__ import annotations

from .plugin import (menu_links, register_actions, register_routes,  # noqa: F401  (hooks)
                     row_actions, startup)

PLUGIN_NAME = "factwire-review"


def register_plugin() -> None:
    """Register the review plugin with Datasette (idempotent)."""
    import sys

    from datasette.plugins import pm
    module = sys.modules[__name__]
    if not pm.is_registered(module) and pm.get_plugin(PLUGIN_NAME) is None:
        pm.register(module, name=PLUGIN_NAME)
