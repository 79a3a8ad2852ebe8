"""The factwire command: extract, export and eval contracts, and clear errors."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import sitegen
from factwire.cli import app

runner = CliRunner()


def test_extract_writes_one_gold_format_line_per_document(tmp_path):
    docs = tmp_path / "docs.jsonl"
    with docs.open("w") as fh:
        for slug, (published, title, body) in sitegen.REPORTS.items():
            fh.write(json.dumps({"doc_id": slug, "published": published, "text": body, "title": title}) + "\n")
    result = runner.invoke(app, ["extract", str(docs)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["doc_id"] for r in records] == list(sitegen.REPORTS)
    for record in records:
        for key in ("dateline", "organizations", "places", "people", "facilities", "quantities", "dates"):
            assert key in record
        assert record["extractor_version"]
    aktau = records[0]
    assert aktau["dateline"]["place"] == "ASTANA" and aktau["dateline"]["date"] == "2025-03-14"
    assert any(q["amount"] == 1_400_000 and q["unit"] == "t" for q in aktau["quantities"])
    for q in aktau["quantities"]:
        text = sitegen.REPORTS["aktau-transit"][2]
        assert text[q["char_start"]:q["char_end"]] == q["text"]


@pytest.mark.parametrize("content,message", [
    ("{not json\n", "docs.jsonl:1: not JSON"),
    ('{"doc_id": "a"}\n', "needs at least 'text'"),
])
def test_extract_bad_input_is_one_clear_line(tmp_path, content, message):
    docs = tmp_path / "docs.jsonl"
    docs.write_text(content)
    result = runner.invoke(app, ["extract", str(docs)])
    assert result.exit_code == 1 and message in result.output
    assert "Traceback" not in result.output


def test_export_and_eval_need_a_factwire_database(tmp_path):
    missing = runner.invoke(app, ["export", "--db", str(tmp_path / "nope.db")])
    assert missing.exit_code == 1 and "no such database" in missing.output
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    result = runner.invoke(app, ["export", "--db", str(junk)])
    assert result.exit_code == 1 and "not a usable SQLite database" in result.output
    import sqlite_utils
    other = tmp_path / "other.db"
    sqlite_utils.Database(other)["t"].insert({"a": 1})
    result = runner.invoke(app, ["export", "--db", str(other)])
    assert result.exit_code == 1 and "not a factwire database" in result.output


def test_help_starts_without_heavy_imports():
    code = ("import sys; from factwire.cli import app; "
            "assert 'prefect' not in sys.modules and 'spacy' not in sys.modules, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
