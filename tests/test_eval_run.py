"""`python -m eval` end to end: its own collection, the four outputs, retrieval-only on the full gold set."""

import json

import pytest

from eval.__main__ import main as eval_main
from eval.gold import load, read_docs
from eval.metrics import evidence_spans
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
    assert eval_main(["--limit", "3", "--docs", str(CORPUS), "--no-self-calibration", "--out", str(out)]) == 0
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


def test_oracle_puts_the_gold_evidence_where_the_model_reads_it(eval_env):
    """g027's evidence is ranked below the five shown passages by the real retrieval: with --oracle it comes
    first. g066 (two documents) gets a passage of each. g001's is read anyway: its retrieval is left alone,
    as is the unanswerable g071's (no evidence)."""
    out = eval_env / "oracle"
    assert eval_main(["--oracle", "--ids", "g001,g027,g066,g071", "--no-self-calibration", "--out", str(out)]) == 0
    records = {r["id"]: r for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}
    texts = read_docs(CORPUS)
    items = {it.id: it for it in load(ROOT / "eval" / "gold.jsonl")}

    def holds(passage: dict, item_id: str, doc: str | None = None) -> bool:
        return any(d == passage["doc"] and passage["start"] <= a and b <= passage["end"]
                   for d, a, b in evidence_spans(items[item_id], texts) if doc in (None, d))

    first = records["g027"]["retrieved"][0]
    assert holds(first, "g027") and first["text"] == texts[first["doc"]][first["start"]:first["end"]]
    assert records["g027"]["oracle"] in ("pool", "slice")  # not even shown without the oracle
    two = records["g066"]["retrieved"][:2]
    assert all(any(holds(p, "g066", doc) for p in two) for doc in items["g066"].docs)
    assert records["g001"]["oracle"] == "read"
    assert records["g071"]["oracle"] is None  # unanswerable: nothing to put in place
    assert json.loads((out / "summary.json").read_text())["run"]["oracle_retrieval"] is True
    assert "oracle retrieval" in (out / "report.md").read_text()


def test_bad_arguments_are_reported(eval_env, tmp_path, capsys):
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"id": "x"}\n')
    assert eval_main(["--gold", str(bad)]) == 2
    assert "missing" in capsys.readouterr().err
    assert eval_main(["--types", "nonsense"]) == 2
    assert eval_main(["--oracle", "--retrieval-only"]) == 2
    assert "cannot be combined" in capsys.readouterr().err
