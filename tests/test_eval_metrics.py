"""Metric computation on hand-built results: accents, numbers with spaces, multi-doc, refusals, citations."""

import pytest

from eval import metrics
from eval.gold import GoldItem, validate
from eval.metrics import (
    REFUSAL_SENTENCES,
    contains,
    invalid_citations,
    is_refusal,
    normalise,
    score_item,
    summarise,
)
from tests.conftest import ROOT

TEXTS = {
    "a.txt": "Intro. Nvidia a perdu près de 600 milliards de dollars lundi. Fin du texte.",
    "b.txt": "Autre. DeepSeek a coûté 5,6 millions de dollars. Encore.",
}


def item(**kw) -> GoldItem:
    base = dict(id="x", question="q", lang="fr", answer="", must_include=("600",), docs=("a.txt",),
                evidence=("Nvidia a perdu près de 600 milliards",), type="number")
    return GoldItem(**{**base, **kw})


def passage(doc: str, start: int, end: int) -> dict:
    return {"doc": doc, "start": start, "end": end, "score": 0.5, "text": TEXTS[doc][start:end]}


@pytest.mark.parametrize(("answer", "key", "expected"), [
    ("Nvidia a perdu 600 milliards.", "600 milliards", True),
    ("Nvidia a perdu 600\u00a0milliards.", "600 milliards", True),  # non-breaking space
    ("Il s'agit de Janus-Pro.", "janus pro", True),
    ("Le modèle ÉLÉPHANT", "elephant", True),  # accents and case
    ("Elle a perdu 6000 milliards", "600", False),  # word boundary on numbers
    ("5,6 millions de dollars", "5,6", True),
    ("5.6 million dollars", "5,6", True),
    ("Janusz", "Janus", False),
])
def test_contains_is_accent_space_and_boundary_aware(answer, key, expected):
    assert contains(answer, key) is expected


@pytest.mark.parametrize(("answer", "key", "expected"), [
    # Chinese: no spaces between words, so a key matches inside an unspaced answer, character by character
    ("科尔尼大道位于弗雷斯诺街和索恩大街之间。", "弗雷斯诺街和索恩大街", True),
    ("答案是州99号公路。", "州99号公路", True),
    ("平均每户规模是3.07人", "3.07", True),
    ("平均每户规模是3.07人", "3.7", False),
    ("答案是州199号公路。", "州99号公路", False),  # digits keep their boundary
    ("弗雷斯诺南", "弗雷斯诺西南", False),
    ("１９５０年代", "1950年代", True),  # full-width digits
    # Russian: case, ё/й folded the same way on both sides, word boundaries
    ("Столица — МОСКВА.", "москва", True),
    ("Это Москвария.", "Москва", False),
    ("Средний размер семьи 3,07 человека", "3,07*", True),
    ("Он жил в XIII веке", "XIII век", False),  # a whole word, not a prefix
    # Arabic: vowel signs dropped, Arabic-Indic digits, the Arabic decimal separator
    ("كان مُحَمَّد هنا", "محمد", True),
    ("بلغ عدد السكان ٣٫٧ مليون", "3.7", True),
    ("بلغ عدد السكان 3.7 مليون", "٣٫٧", True),
    ("المحمدية", "محمد", False),
    # Spanish: accents, inverted punctuation, decimal comma
    ("¿Quién? Fue la Revolución Francesa.", "revolucion francesa", True),
    ("El tamaño medio es de 3,07 personas", "3.07", True),
    ("Año 1850", "año 185", False),
])
def test_contains_in_other_scripts(answer, key, expected):
    assert contains(answer, key) is expected


def test_normalise_folds_case_accents_digits_and_cjk():
    assert normalise("Œuvre  ÉLÉPHANT, l’État!") == "oeuvre elephant l etat"
    assert normalise("州99号公路") == "州 99 号 公 路"
    assert normalise("ＡＢＣ ٣٤ १२") == "abc 34 12"
    assert normalise("한국어 ひらがな カタカナ") == "한 국 어 ひ ら が な カ タ カ ナ"
    assert normalise("5,6") == normalise("5.6") == "5 6"


def test_refusal_detection_uses_the_flag_and_the_wording():
    assert is_refusal({"refused": True, "answer": "x"})
    assert is_refusal({"refused": False, "answer": "Le corpus ne le dit pas."})
    assert is_refusal({"refused": False, "answer": "The documents don't say."})
    assert not is_refusal({"refused": False, "answer": "Nvidia a perdu 600 milliards."})


def test_retrieval_metrics_ranks_and_evidence_span_cover():
    it = item()
    ev_start = TEXTS["a.txt"].index("Nvidia")
    result = {"retrieved": [passage("b.txt", 0, 20), passage("a.txt", 0, 20), passage("a.txt", 7, 60)]}
    s = score_item(it, result, TEXTS)
    assert (s["doc_hit@1"], s["doc_hit@3"], s["mrr"]) == (0.0, 1.0, 0.5)
    assert s["evidence_hit@5"] == 1.0 and ev_start >= 7
    assert s["accuracy"] is None  # retrieval-only: no answer metrics
    s = score_item(it, {"retrieved": [passage("a.txt", 0, 20)]}, TEXTS)
    assert s["evidence_hit@5"] == 0.0  # right document, wrong span


def test_answer_and_citation_metrics():
    it = item()
    cite_start = TEXTS["a.txt"].index("Nvidia")
    result = {
        "answer": "Nvidia a perdu près de 600 milliards de dollars [1]. DeepSeek a coûté peu [2].",
        "refused": False,
        "retrieved": [passage("a.txt", 7, 60), passage("b.txt", 7, 48)],
        "citations": [{"n": 1, "doc": "a.txt", "start": cite_start, "end": cite_start + 20, "quote": ""},
                      {"n": 2, "doc": "b.txt", "start": 7, "end": 20, "quote": ""}],
    }
    s = score_item(it, result, TEXTS)
    assert s["accuracy"] == 1.0 and s["false_refusal"] == 0.0
    assert s["citation_precision"] == 0.5 and s["citation_span_precision"] == 0.5
    assert s["citation_coverage"] == 1.0 and s["invalid_citations"] == 0.0


def test_citation_numbers_without_a_shown_passage_are_counted():
    result = {"answer": "Oui [1] [3].", "retrieved": [passage("a.txt", 0, 10)],
              "citations": [{"n": 1, "doc": "b.txt", "start": 0, "end": 3, "quote": ""},
                            {"n": 4, "doc": "a.txt", "start": 0, "end": 3, "quote": ""}]}
    assert invalid_citations(result) == 3  # wrong doc for [1], [4] not shown, [3] in the text only


def test_multi_doc_needs_every_key_and_every_document():
    it = item(type="multi_doc", docs=("a.txt", "b.txt"), must_include=("600", "5,6"),
              evidence=("Nvidia a perdu près de 600 milliards", "DeepSeek a coûté 5,6 millions"))
    both = {"answer": "600 milliards et 5,6 millions.", "refused": False,
            "retrieved": [passage("a.txt", 7, 60), passage("b.txt", 7, 48)], "citations": []}
    one = {**both, "answer": "600 milliards.", "retrieved": [passage("a.txt", 7, 60)]}
    assert score_item(it, both, TEXTS)["accuracy"] == 1.0
    assert score_item(it, both, TEXTS)["evidence_hit@5"] == 1.0
    assert score_item(it, one, TEXTS)["accuracy"] == 0.0
    assert score_item(it, one, TEXTS)["evidence_hit@5"] == 0.0


def test_unanswerable_items_score_refusal_only_and_summary_groups():
    un = item(id="u", type="unanswerable", docs=(), must_include=(), evidence=(), lang="en")
    ok = item(id="k")
    results = [
        {"answer": "The documents don't say.", "refused": True, "retrieved": [], "citations": [],
         "timings": {"retrieve_ms": 10.0, "first_token_ms": None, "total_ms": 12.0, "gen_tokens_per_s": None}},
        {"answer": "Le corpus ne le dit pas.", "refused": True, "retrieved": [passage("a.txt", 7, 60)],
         "citations": [], "timings": {"retrieve_ms": 20.0, "first_token_ms": 900.0, "total_ms": 1500.0,
                                      "gen_tokens_per_s": 12.0}},
    ]
    summary = summarise([un, ok], results, TEXTS)
    o = summary["overall"]
    assert o["refusal"] == 1.0 and o["false_refusal"] == 1.0 and o["accuracy"] == 0.0
    assert o["first_token_ms"] == {"p50": 900.0, "p95": 900.0}
    assert summary["by_lang"]["en"]["n"] == 1 and summary["by_type"]["unanswerable"]["refusal"] == 1.0


def test_validator_catches_bad_items():
    bad = [item(id="1", evidence=("not in the text",)), item(id="1"),
           item(id="2", type="unanswerable"), item(id="3", type="multi_doc")]
    problems = "\n".join(validate(bad, TEXTS))
    assert "evidence not found verbatim" in problems and "duplicate id" in problems
    assert "unanswerable items have doc null" in problems and "at least two documents" in problems


@pytest.mark.parametrize("path", sorted((ROOT / "prompts").glob("refusal_*.txt")), ids=lambda p: p.stem)
def test_every_refusal_sentence_of_the_app_is_a_refusal(path):
    sentence = path.read_text(encoding="utf-8").strip()
    assert is_refusal({"refused": False, "answer": sentence})
    assert normalise(sentence) in REFUSAL_SENTENCES


def test_refusal_sentences_of_new_languages_are_read_from_the_prompt_files(tmp_path, monkeypatch):
    sentences = {"zh": "文档中没有提到。", "ru": "В документах этого нет.", "ar": "المستندات لا تذكر ذلك.",
                 "es": "Los documentos no lo dicen."}
    for lang, text in sentences.items():
        (tmp_path / f"refusal_{lang}.txt").write_text(text + "\n", encoding="utf-8")
    (tmp_path / "system_zh.txt").write_text("不是拒绝", encoding="utf-8")
    found = metrics._refusal_sentences(tmp_path)
    assert len(found) == 4
    monkeypatch.setattr(metrics, "REFUSAL_SENTENCES", found)
    for text in sentences.values():
        assert is_refusal({"refused": False, "answer": text})
        assert is_refusal({"refused": False, "answer": f"{text} [1]"})
    assert is_refusal({"refused": False, "answer": "回答：文档中没有提到"})
    assert not is_refusal({"refused": False, "answer": "文档中提到了1950年。"})
    assert not is_refusal({"refused": False, "answer": "Los documentos lo dicen claramente."})
    assert is_refusal({"refused": True, "answer": "任何"})


def test_first_draft_and_answered_wrong():
    it = item()
    right_draft = {"answer": "Le corpus ne le dit pas.", "refused": True, "retrieved": [], "citations": [],
                   "draft": "Nvidia a perdu 600 milliards [1]."}
    s = score_item(it, right_draft, TEXTS)
    assert (s["accuracy"], s["first_draft_accuracy"], s["false_refusal"], s["answered_wrong"]) == (0, 1, 1, 0)
    wrong = {"answer": "Nvidia a perdu 6000 milliards.", "refused": False, "retrieved": [], "citations": [],
             "draft": "Le corpus ne le dit pas, mais 600 milliards"}
    s = score_item(it, wrong, TEXTS)
    assert (s["accuracy"], s["first_draft_accuracy"], s["false_refusal"], s["answered_wrong"]) == (0, 0, 0, 1)
    no_model = {"answer": "Le corpus ne le dit pas.", "refused": True, "retrieved": [], "citations": []}
    s = score_item(it, no_model, TEXTS)
    assert (s["first_draft_accuracy"], s["answered_wrong"]) == (0, 0)
    failed = {"answer": "Nvidia a perdu 600", "refused": False, "error": "backend down", "draft": "600"}
    s = score_item(it, failed, TEXTS)
    assert (s["accuracy"], s["first_draft_accuracy"], s["false_refusal"], s["answered_wrong"]) == (0, 0, 0, 0)
    un = item(id="u", type="unanswerable", docs=(), must_include=(), evidence=())
    assert score_item(un, wrong, TEXTS)["answered_wrong"] is None
    summary = summarise([it, item(id="k2")], [right_draft, wrong], TEXTS)
    assert summary["overall"]["first_draft_accuracy"] == 0.5 and summary["overall"]["answered_wrong"] == 0.5
    assert set(summary["by_half"]) <= {"dev", "test"}
    assert sum(m["n"] for m in summary["by_half"].values()) == 2
