"""factwire's scorer counts exactly as the shared score.py does."""
from __future__ import annotations

import copy
import importlib.util
import json
import random

import pytest

from conftest import SHARED
from factwire.evaluate import load_jsonl, score

SCORE_PY = SHARED / "eval" / "score.py"
GOLD = SHARED / "eval" / "dev_gold.jsonl"

needs_shared = pytest.mark.skipif(not SCORE_PY.exists(), reason="shared/eval is not beside the repo")


def reference():
    spec = importlib.util.spec_from_file_location("shared_score", SCORE_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def perturb(docs: dict, seed: int) -> dict:
    """A prediction that is the gold with random, realistic mistakes."""
    rng = random.Random(seed)
    out = {}
    for doc_id, doc in docs.items():
        if rng.random() < 0.1:
            continue                                     # a missing document
        doc = copy.deepcopy(doc)
        for field in ("organizations", "places", "people", "facilities", "quantities", "dates"):
            items = doc.get(field) or []
            items = [i for i in items if rng.random() > 0.2]          # misses
            for item in items:
                roll = rng.random()
                if field == "quantities":
                    if roll < 0.15:
                        item["amount"] = item["amount"] * 1.5
                    elif roll < 0.3:
                        item["status"] = "actual" if item.get("status") != "actual" else "planned"
                    elif roll < 0.4:
                        item["period"] = None
                    elif roll < 0.5:
                        item["unit"] = "tonnes" if item.get("unit") == "t" else item.get("unit")
                elif field == "dates" and roll < 0.2:
                    item["end"] = item["start"]
                elif "name" in item and roll < 0.2:
                    item["name"] = item["name"].upper() + " Co"
            if items and rng.random() < 0.3:
                items.append(copy.deepcopy(rng.choice(items)))            # a spurious extra
            doc[field] = items
        if doc.get("dateline") and rng.random() < 0.2:
            doc["dateline"] = {"place": "LONDON", "date": doc["dateline"]["date"]}
        out[doc_id] = doc
    return out


@needs_shared
@pytest.mark.parametrize("seed", range(5))
def test_scores_agree_with_the_shared_scorer(seed):
    gold = load_jsonl(GOLD)
    pred = perturb(gold, seed)
    assert score(gold, pred) == reference().score(gold, pred)


@needs_shared
def test_perfect_prediction_scores_one():
    gold = load_jsonl(GOLD)
    result = score(gold, gold)
    assert all(result[f]["f1"] == 1.0 for f in ("quantities", "dates", "facts_strict", "places"))
    assert result["dateline_accuracy"] == 1.0


def test_bad_jsonl_is_a_clear_error(tmp_path):
    path = tmp_path / "g.jsonl"
    path.write_text('{"doc_id": "a"}\n{oops\n')
    with pytest.raises(ValueError, match="g.jsonl:2: not JSON"):
        load_jsonl(path)
