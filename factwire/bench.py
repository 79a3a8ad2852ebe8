"""``make bench``: accuracy and speed of factwire against its baselines, in one process.

Accuracy: ``factwire eval``'s table for factwire and for the baseline (spaCy NER
+ quantulum3 + dateparser, see ``factwire.baseline``) side by side, on the
development gold and on the samples gold.

Speed: words per second over the Reuters energy corpus for bare
``en_core_web_sm`` (the same model factwire builds on), factwire's whole
extraction and the baseline, printed as ratios; and the peak memory of the
process after factwire's run.  Not a test: timings depend on the machine, the
ratios much less.
"""
from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from .config import PROJECT_ROOT

SHARED = PROJECT_ROOT.parent / "shared"
CORPUS = SHARED / "corpora" / "reuters21578-energy" / "docs.jsonl"
GOLD_SETS = {
    "dev gold": (SHARED / "eval" / "dev_gold.jsonl", SHARED / "eval" / "dev_docs.jsonl"),
    "samples gold": (PROJECT_ROOT / "samples" / "gold.jsonl", None),
    "devset gold": (PROJECT_ROOT / "tests" / "devset" / "gold.jsonl",
                    PROJECT_ROOT / "tests" / "devset" / "docs.jsonl"),
}


def _samples_docs(gold: dict) -> list[dict]:
    """The samples' report texts as the ingestion reads them (needs a demo database)."""
    import sqlite_utils
    db_path = PROJECT_ROOT / "factwire.db"
    if not db_path.exists():
        return []
    db = sqlite_utils.Database(db_path)
    return [{"doc_id": r["canonical_url"], "text": r["text"], "published": r["published"]}
            for r in db["articles"].rows_where("status = 'extracted'") if r["canonical_url"] in gold]


def accuracy(model: str | None) -> None:
    from extractors import extract_many
    from .baseline import baseline_records
    from .cli import print_scores
    from .evaluate import load_jsonl, score

    for label, (gold_path, docs_path) in GOLD_SETS.items():
        if not gold_path.exists():
            print(f"{label}: {gold_path} not found, skipped")
            continue
        gold = load_jsonl(gold_path)
        if docs_path is not None:
            docs = [d for d in load_jsonl(docs_path).values() if d["doc_id"] in gold]
        else:
            docs = _samples_docs(gold)
            if not docs:
                print(f"{label}: run 'make demo' first (the samples are read from factwire.db)")
                continue
        ours = {r["doc_id"]: r for r in extract_many(docs, model=model)}
        theirs = {r["doc_id"]: r for r in baseline_records(docs, model=model)}
        print(f"\n== {label}: {gold_path} ({len(docs)} documents)")
        print_scores({"factwire": score(gold, ours), "baseline": score(gold, theirs)})


def _timed(label: str, run, texts: list[str]) -> float:
    words = sum(len(t.split()) for t in texts)
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    rate = words / seconds
    print(f"{label:<34}{words:>9} words {seconds:>8.1f} s {rate:>10.0f} words/s")
    return rate


def _ner_and_its_inputs(nlp) -> list[str]:
    """The NER component and the tok2vec it listens to, if it shares one (md/lg models do)."""
    from spacy.pipeline.tok2vec import Tok2VecListener
    listens = any(isinstance(node, Tok2VecListener) for node in nlp.get_pipe("ner").model.walk())
    return ["tok2vec", "ner"] if listens and "tok2vec" in nlp.pipe_names else ["ner"]


def speed(model: str | None, limit: int) -> None:
    import spacy
    from extractors import extract_many, load_pipeline
    from extractors.pipeline import resolve_model_name
    from .baseline import baseline_records

    docs = [json.loads(line) for line in CORPUS.open(encoding="utf-8")]
    if limit:
        docs = docs[:limit]
    inputs = [{"doc_id": d["doc_id"], "text": d["body"], "published": d["date"]} for d in docs]
    texts = [d["text"] for d in inputs]
    name = resolve_model_name(model)
    bare = spacy.load(name)
    load_pipeline(model)
    warm = inputs[:20]
    list(bare.pipe(t["text"] for t in warm))
    list(extract_many(warm, model=model))
    print(f"\n== speed on {CORPUS.name} ({len(texts)} reports), model {name}")
    bare_rate = _timed("bare spaCy pipeline (nlp.pipe)", lambda: list(bare.pipe(texts, batch_size=32)), texts)
    with bare.select_pipes(enable=_ner_and_its_inputs(bare)):
        ner_rate = _timed("spaCy NER alone (no parse, no rules)", lambda: list(bare.pipe(texts, batch_size=32)),
                          texts)
    ours = _timed("factwire extraction", lambda: list(extract_many(inputs, model=model)), texts)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    base = _timed("baseline (NER+quantulum3+dateparser)", lambda: list(baseline_records(inputs, model=model)), texts)
    print(f"factwire / bare spaCy: {ours / bare_rate:.2f}x   (target >= 0.8x)")
    print(f"factwire / baseline:   {ours / base:.2f}x   (target >= 5x)")
    print(f"NER alone / baseline:  {ner_rate / base:.2f}x   (the least any extraction of organisations, "
          f"places and people over every word costs on this model)")
    print(f"peak memory after factwire's run: {peak_mb:.0f} MB   (target < 1024 MB)")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="spaCy English pipeline")
    ap.add_argument("--docs", type=int, default=0, help="only the first N corpus reports (0: all)")
    ap.add_argument("--skip-accuracy", action="store_true")
    ap.add_argument("--skip-speed", action="store_true")
    args = ap.parse_args(argv)
    if not args.skip_accuracy:
        accuracy(args.model)
    if not args.skip_speed:
        if not CORPUS.exists():
            print(f"{CORPUS} not found: speed benchmark skipped")
        else:
            speed(args.model, args.docs)


if __name__ == "__main__":
    main()
