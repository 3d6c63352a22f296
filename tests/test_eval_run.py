"""`python -m eval` end to end: its own collection, the four outputs, retrieval-only on the full gold set."""

import json

import pytest

from eval.__main__ import main as eval_main
from eval.gold import load
from tests.conftest import CORPUS, ROOT

pytestmark = pytest.mark.slow


@pytest.fixture()
def eval_env(tmp_path, monkeypatch):
    """Point the default settings at temporary storage, so the eval never touches storage/."""
    from tests.conftest import make_settings

    settings = make_settings(tmp_path / "storage", collection="default")
    monkeypatch.setattr("eval.__main__.get_settings", lambda: settings)
    return tmp_path


def test_full_gold_set_retrieval_only(eval_env):
    out = eval_env / "ret"
    assert eval_main(["--retrieval-only", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["run"]["collection"].startswith("eval-corpus-")  # its own collection, not the user's
    assert summary["overall"]["n"] == len(load(ROOT / "eval" / "gold.jsonl"))
    assert summary["overall"]["doc_hit@5"] >= 0.9
    assert summary["overall"]["accuracy"] is None
    lines = (out / "results.jsonl").read_text().splitlines()
    assert all({"id", "type", "lang", "retrieved", "timings"} <= json.loads(line).keys() for line in lines)


def test_limit_three_writes_all_outputs_and_compares(eval_env):
    out = eval_env / "three"
    assert eval_main(["--limit", "3", "--docs", str(CORPUS), "--out", str(out)]) == 0
    for name in ("results.jsonl", "summary.json", "report.md", "report.png"):
        assert (out / name).stat().st_size > 0
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert len(records) == 3
    assert {"question", "answer", "refused", "citations", "retrieved", "timings", "backend"} <= records[0].keys()
    assert "## Overall" in (out / "report.md").read_text()
    again = eval_env / "again"
    assert eval_main(["--limit", "1", "--out", str(again), "--retrieval-only",
                      "--compare", str(out / "summary.json")]) == 0
    assert "| doc_hit@5 |" in (again / "compare.md").read_text()


def test_bad_arguments_are_reported(eval_env, tmp_path, capsys):
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"id": "x"}\n')
    assert eval_main(["--gold", str(bad)]) == 2
    assert "missing" in capsys.readouterr().err
    assert eval_main(["--types", "nonsense"]) == 2
