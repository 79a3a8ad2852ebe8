"""Doc extensions that carry factwire's results.

Each family's component fills one attribute with a list of plain dicts (the
gold-format item plus provenance keys: ``char_start``, ``char_end``,
``sentence``, ``sentence_start``, ``confidence``).  ``record.py`` turns a Doc into a record.
"""
from spacy.tokens import Doc

_ATTRIBUTES = {
    "published": None,        # datetime.date: the reference for relative dates
    "dateline": None,         # dict or None
    "dates": None,            # list[dict]
    "organizations": None,    # list[dict]
    "places": None,
    "people": None,
    "facilities": None,
    "quantities": None,
}

for _name, _default in _ATTRIBUTES.items():
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)
