"""End to end with the bundled models: the right passage is cited, the fact is stated, silence is admitted."""

import json

import pytest

from eval.metrics import contains
from qa.__main__ import main as qa_cli
from text.language import detect

pytestmark = pytest.mark.slow

NVIDIA, DEEPSEEK_MEDIAPART, GUERRE_FROIDE, MONDIALISATION, CETRI = (
    "003_36b561fd004fc80e.txt", "001_a4a13f3be7116cb7.txt", "002_bb450acb416809c4.txt",
    "000_e38fb1d8071498ce.txt", "004_49fdbb3fdbb46e63.txt",
)

CASES = [
    ("Combien Nvidia a-t-elle perdu en Bourse après l'annonce de DeepSeek ?", {DEEPSEEK_MEDIAPART, CETRI}, "600"),
    ("Quel modèle de génération d'images DeepSeek a-t-il dévoilé lundi ?", {DEEPSEEK_MEDIAPART}, "Janus"),
    ("Combien aurait coûté DeepSeek selon les informations officielles ?", {DEEPSEEK_MEDIAPART, CETRI}, "5,6"),
    ("How much does Alibaba plan to spend on AI data centers?", {GUERRE_FROIDE}, "53"),
    ("Who launched DeepSeek?", {DEEPSEEK_MEDIAPART, MONDIALISATION, CETRI}, "Liang"),
]


def check_structure(answer: dict, corpus_text: dict[str, str]) -> None:
    """The contract of the structured answer: offsets are exact, citation numbers map to shown passages."""
    assert set(answer) - {"draft", "reason", "checks", "candidate", "query"} == {
        "question", "answer", "refused", "citations", "retrieved", "timings", "backend", "verdict", "confidence"}
    if answer["refused"]:  # a refusal always says why
        assert answer["reason"] and answer["verdict"] in ("withheld", "not_in_documents")
    else:
        assert answer["verdict"] in ("supported", "partly_supported") and 0 <= answer["confidence"] <= 1
    for p in answer["retrieved"]:
        assert p["text"] == corpus_text[p["doc"]][p["start"] : p["end"]]
    shown = {n: p for n, p in enumerate(answer["retrieved"], 1)}
    for c in answer["citations"]:
        assert c["n"] in shown and f"[{c['n']}]" in answer["answer"]
        assert c["doc"] == shown[c["n"]]["doc"]
        assert c["quote"] == corpus_text[c["doc"]][c["start"] : c["end"]]
        assert c["quote"] in shown[c["n"]]["text"]


@pytest.mark.parametrize(("question", "docs", "fact"), CASES)
def test_answer_states_the_fact_and_cites_the_right_document(engine, corpus_text, question, docs, fact):
    answer = engine.ask(question)
    data = answer.to_dict()
    check_structure(data, corpus_text)
    assert not answer.refused, answer.answer
    assert contains(answer.answer, fact), answer.answer
    assert {c["doc"] for c in data["citations"]} & docs, data["citations"]
    if len(answer.answer.split()) >= 5:  # a bare name or figure is in no language
        assert detect(answer.answer) == detect(question)
    t = data["timings"]
    assert 0 < t["retrieve_ms"] <= t["first_token_ms"] <= t["total_ms"]


@pytest.mark.parametrize(("question", "doc", "yes"), [
    ("DeepSeek a-t-il publié le code de son système d'inférence ?", GUERRE_FROIDE, "Oui"),
    ("Is DeepSeek's R1 released under an open MIT licence?", MONDIALISATION, "Yes"),
])
def test_a_yes_no_question_gets_yes_or_no_and_the_passage_that_says_it(engine, corpus_text, question, doc, yes):
    answer = engine.ask(question)
    data = answer.to_dict()
    check_structure(data, corpus_text)
    assert not answer.refused and answer.answer.startswith(yes), answer.answer
    assert doc in {c["doc"] for c in data["citations"]}


# Unanswerable questions the support checks refuse: the draft states a figure or a fact no passage gives.
# Tempting ones whose wrong answer the passages support word for word (« le chiffre d'affaires de Nvidia
# est de 600 milliards », from its market-value loss) are answered today: BENCHMARKS.md, answer quality.
@pytest.mark.parametrize("question", [
    "DeepSeek est-il coté en Bourse ?",
    "Quelle est la recette de la tarte Tatin ?",
    "Combien d'employés compte Nvidia ?",
])
def test_unanswerable_question_is_refused_without_citations(engine, corpus_text, question):
    answer = engine.ask(question)
    check_structure(answer.to_dict(), corpus_text)
    assert answer.refused and answer.answer == "Le corpus ne le dit pas."
    assert answer.citations == [] and answer.retrieved  # the sources stay visible


@pytest.mark.parametrize(("question", "refusal"), [
    ("What is the boiling point of mercury in kelvin?", "The documents don't say."),
    ("Who won the 2018 football World Cup?", "The documents don't say."),
    ("Quelle est la recette de la tarte Tatin ?", "Le corpus ne le dit pas."),
    ("Comment renouveler mon passeport ?", "Le corpus ne le dit pas."),
])
def test_off_topic_question_is_refused_before_calling_the_model(engine, question, refusal):
    answer = engine.ask(question)
    assert answer.refused and answer.answer == refusal
    assert answer.timings.first_token_ms is None and answer.draft == ""


def test_cli_json_prints_the_structured_answer(indexed, monkeypatch, capsys, corpus_text):
    import config.settings

    monkeypatch.setattr(config.settings, "get_settings", lambda: indexed)
    monkeypatch.setattr("qa.__main__.get_settings", lambda: indexed)
    assert qa_cli(["Quel modèle de génération d'images DeepSeek a-t-il dévoilé lundi ?", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    check_structure(data, corpus_text)
    assert "Janus" in data["answer"]


def test_bad_questions_get_clear_errors(engine):
    from qa.engine import InvalidQuestion

    with pytest.raises(InvalidQuestion, match="type a question"):
        engine.ask("   \n\t ")
    with pytest.raises(InvalidQuestion, match="limit is 2,000"):
        engine.ask("DeepSeek ? " * 1000)
