"""The eval suite (`python -m eval --suite`): the dev/test split, every set's gold file, the table; one real run."""

import json
from collections import Counter

import pytest

from eval.gold import GoldItem, read_docs, validate
from eval.split import half, hash_order
from eval.suite import COLUMNS, SETS, halves_of, parse_sets, rows, select, table


def test_the_split_is_deterministic_and_by_id_alone():
    ids = [f"x{i:03d}" for i in range(400)]
    assert [half(i) for i in ids] == [half(i) for i in reversed(ids)][::-1]
    assert half("g001") == half("g001") and {half(i) for i in ids} == {"dev", "test"}
    assert 160 <= sum(half(i) == "dev" for i in ids) <= 240
    assert len({hash_order(i) for i in ids}) == len(ids)


def test_the_suite_has_every_set_and_they_are_sound():
    names = [s.name for s in SETS]
    assert names == ["gold", "news-heldout", "spf-heldout", "spf-titles", "squad2-en",
                     "xquad-zh", "xquad-ru", "xquad-ar", "xquad-es"]
    for s in SETS:
        items, texts = s.load(), read_docs(s.docs_path)
        assert items and texts, s.name
        assert validate(items, texts) == [], s.name  # unique ids, schema, evidence verbatim in its documents
    langs = {s.name: {it.lang for it in s.load()} for s in SETS}
    assert langs["xquad-zh"] == {"zh"} and langs["xquad-ar"] == {"ar"} and langs["squad2-en"] == {"en"}


def test_the_datasets_are_in_the_project_with_their_readme():
    from config.settings import ROOT

    for s in SETS:
        assert s.docs_path.resolve().is_relative_to(ROOT.resolve()), s.name
    for folder in ("service-public-fr", "squad2-en", "xquad"):
        assert "icen" in (ROOT / "eval" / "datasets" / folder / "README.md").read_text(encoding="utf-8")


def test_every_set_splits_roughly_half_and_half():
    counts = Counter()
    for s in SETS:
        items = s.load()
        dev = sum(half(it.id) == "dev" for it in items)
        counts["dev"] += dev
        counts["all"] += len(items)
        assert 0.3 <= dev / len(items) <= 0.7, (s.name, dev, len(items))
    assert 0.45 <= counts["dev"] / counts["all"] <= 0.55


def test_quick_takes_a_fixed_sample_of_each_half_in_file_order():
    items = SETS[0].load()
    quick = select(items, ("dev", "test"), 3)
    assert quick == select(list(reversed(items)), ("dev", "test"), 3)[::-1]  # not the file order's choice
    assert Counter(half(it.id) for it in quick) == {"dev": 3, "test": 3}
    assert [it.id for it in quick] == [it.id for it in items if it in quick]
    assert {half(it.id) for it in select(items, ("dev",), None)} == {"dev"}
    assert len(select(items, ("dev", "test"), None)) == len(items)


def test_sets_and_halves_arguments():
    assert [s.name for s in parse_sets("xquad-zh,gold")] == ["gold", "xquad-zh"]
    assert len(parse_sets(None)) == len(SETS)
    with pytest.raises(ValueError, match="unknown sets nope"):
        parse_sets("gold,nope")
    assert halves_of("both") == ("dev", "test") and halves_of("test") == ("test",)


def _item(i: int, answerable: bool) -> GoldItem:
    return GoldItem(id=f"t{i}", question="q", lang="fr", answer="", must_include=("600",) if answerable else (),
                    docs=("a.txt",) if answerable else (), evidence=("600",) if answerable else (),
                    type="number" if answerable else "unanswerable")


def test_the_table_renders_from_fake_results():
    texts = {"a.txt": "Il a perdu 600 milliards."}
    items = [_item(i, answerable=i % 4 != 0) for i in range(16)]
    timings = {"retrieve_ms": 10.0, "first_token_ms": 2500.0, "total_ms": 4000.0, "gen_tokens_per_s": 20.0}
    passage = {"doc": "a.txt", "start": 0, "end": 25, "score": 0.9, "text": texts["a.txt"]}
    results = []
    for it in items:
        n = int(it.id[1:])
        if not it.answerable:
            r = {"answer": "Le corpus ne le dit pas.", "refused": True}
        elif n % 4 == 1:
            r = {"answer": "600 milliards [1].", "refused": False, "draft": "600 milliards [1].",
                 "citations": [{"n": 1, "doc": "a.txt", "start": 0, "end": 25, "quote": ""}]}
        elif n % 4 == 2:
            r = {"answer": "700 milliards.", "refused": False, "draft": "600 milliards"}
        else:
            r = {"answer": "Le corpus ne le dit pas.", "refused": True}
        results.append({"id": it.id, "half": half(it.id), "retrieved": [passage], "timings": timings,
                        "citations": [], **r})
    got = rows("fake", items, results, texts, ("dev", "test"))
    assert [r["half"] for r in got] == ["dev", "test"]
    assert sum(r["n"] for r in got) == 16 and sum(r["unanswerable"] for r in got) == 4
    for r in got:
        assert r["refusal"] == (1.0 if r["unanswerable"] else None)
        assert r["invalid_citations"] == 0 and r["first_token_p50_s"] == 2.5
        assert r["accuracy"] + r["false_refusal"] + r["answered_wrong"] == pytest.approx(1.0, abs=1e-3)
        assert r["first_draft_accuracy"] >= r["accuracy"]
    md = table(got + [{"set": "broken", "half": "dev", "error": "no index"}], {"fake": "a note", "other": "no"})
    lines = md.splitlines()
    assert lines[0].startswith("| set | half | n (answerable/unanswerable) | answer accuracy | first-draft accuracy")
    assert all(line.count("|") == len(COLUMNS) + 4 for line in lines[:5])
    assert "| fake | dev |" in md and "2.50 s" in md and "4.00 s" in md and "error: no index" in md
    assert "- fake: a note" in md and "other" not in md
    json.dumps(got)  # suite.json


@pytest.mark.slow
def test_quick_suite_through_the_real_engine(tmp_path, monkeypatch):
    """`python -m eval --suite --sets gold --quick --quick-n 2`: four items through the real models."""
    from eval.__main__ import main as eval_main
    from tests.conftest import make_settings

    monkeypatch.setattr("eval.__main__.get_settings", lambda: make_settings(tmp_path / "storage", collection="default"))
    out = tmp_path / "suite"
    assert eval_main(["--suite", "--sets", "gold", "--quick", "--quick-n", "2", "--no-self-calibration",
                      "--out", str(out)]) == 0
    suite = json.loads((out / "suite.json").read_text())
    assert [(r["set"], r["half"], r["n"]) for r in suite["rows"]] == [("gold", "dev", 2), ("gold", "test", 2)]
    assert suite["sets"]["gold"]["collection"].startswith("eval-corpus-")
    records = [json.loads(line) for line in (out / "gold" / "results.jsonl").read_text().splitlines()]
    assert len(records) == 4 and all(r["half"] == half(r["id"]) for r in records)
    summary = json.loads((out / "gold" / "summary.json").read_text())
    assert {"first_draft_accuracy", "answered_wrong"} <= summary["overall"].keys()
    assert "| gold | dev | 2 (" in (out / "suite.md").read_text()
    assert (out / "gold" / "report.md").exists()
    assert eval_main(["--suite", "--limit", "3"]) == 2
    assert eval_main(["--quick"]) == 2


def test_fits_are_compared_on_the_test_half_of_the_same_answers(tmp_path):
    """Every draft recorded once (an open fit); each fit's decision is replayed on the test half."""
    from calibration.fitting import Item
    from eval.gold import GoldItem
    from eval.replay import decided
    from eval.suite import compare, comparison_table
    from qa.fit import Fit
    from tests.conftest import make_settings

    def gold(i: int, answerable: bool) -> GoldItem:
        return GoldItem(id=f"x{i}", question="q", lang="fr", answer="a", must_include=("a",), evidence=(),
                        docs=("d.txt",) if answerable else (), type="fact" if answerable else "unanswerable")

    items = [gold(i, i % 3 != 0) for i in range(60)]
    labelled = [Item(group="s", answerable=g.answerable, right=g.answerable and i % 2 == 0,
                     signals={"probe": 0.9 if g.answerable and i % 2 == 0 else 0.2, "support": 1.0, "supported": 1.0,
                              "sentences": 1.0, "model_refused": 0.0}, supported=1, sentences=1)
                for i, g in enumerate(items)]
    own = Fit(probe_floor=0.5, source="collection", model="m", answers=30)
    rows = compare("s", [half(g.id) for g in items], labelled, own, Fit(model="m"), make_settings(tmp_path))
    assert [r["fit"] for r in rows] == ["every draft", "model's global fit", "fitted on the dev half",
                                        "collection's own fit"]
    test = sum(half(g.id) == "test" for g in items)
    assert all(r["n"] == test for r in rows)
    every, mine = rows[0], rows[3]
    assert mine["answered_wrong"] == 0 < every["answered_wrong"] and mine["refusal"] == 1.0 > every["refusal"]
    assert "| s | collection's own fit |" in comparison_table(rows)
    record = {"answer": "Nvidia [1].", "refused": False, "citations": [{"n": 1}], "draft": "Nvidia"}
    wrong = next(it for it in labelled if not it.right)
    assert decided(record, wrong, own, "fr")["refused"] and decided(record, wrong, own, "fr")["citations"] == []
    right = next(it for it in labelled if it.right)
    assert decided(record, right, own, "fr") == record
