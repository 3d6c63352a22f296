"""Follow-up questions are made standalone before retrieval; search mode cites without generating."""

import pytest

from eval.gold import load, read_docs, validate
from qa.followup import standalone
from tests.conftest import CORPUS, ROOT


@pytest.mark.parametrize(("question", "dependent"), [
    ("Et combien a coûté son entraînement ?", True),
    ("And how much did it cost?", True),
    ("Qui l'a fondé ?", True),
    ("Combien Nvidia a-t-elle perdu en Bourse ?", False),  # « a-t-elle » is an inversion, not a reference
    ("What is the boiling point of mercury?", False),
])
def test_follow_up_detection(question, dependent):
    rewritten = standalone(question, ["Qui a fondé DeepSeek ?"])
    assert (rewritten != question) is dependent
    if dependent:
        assert "DeepSeek" in rewritten
    assert standalone(question, []) == question


def test_conversation_gold_file_validates():
    items = load(ROOT / "eval" / "gold_conversations.jsonl")
    assert items and all(it.turns for it in items)
    assert validate(items, read_docs(CORPUS)) == []


@pytest.mark.slow
def test_follow_up_retrieves_what_the_conversation_is_about(engine):
    [item, *_] = load(ROOT / "eval" / "gold_conversations.jsonl")
    with_history = engine.retriever.retrieve(standalone(item.question, item.turns))
    assert any("5,6 millions" in p.text for p in with_history)  # DeepSeek's cost, in 001 or 004
    answer = engine.ask(item.question, history=item.turns)
    assert not answer.refused and "5,6" in answer.answer
    assert answer.question == item.question  # the user's words are kept; only retrieval sees the rewrite


@pytest.mark.slow
def test_search_mode_cites_the_best_sentence_of_each_passage_without_generating(engine, corpus_text):
    answer = engine.search_answer("Quel modèle de génération d'images DeepSeek a-t-il dévoilé lundi ?")
    assert answer.timings.first_token_ms is None and not answer.refused
    assert [c.n for c in answer.citations] == list(range(1, len(answer.retrieved) + 1))
    for c, p in zip(answer.citations, answer.retrieved, strict=True):
        assert c.quote == corpus_text[c.doc][c.start : c.end] and c.quote in p.text
    assert any("Janus-Pro" in c.quote for c in answer.citations[:2])
    off_topic = engine.search_answer("What is the boiling point of mercury in kelvin?")
    assert off_topic.refused


def test_ui_history_gives_the_last_answer_names_to_the_follow_up():
    from app import user_turns

    history = [{"role": "user", "content": "Quelle start-up chinoise a fait chuter Nvidia ?"},
               {"role": "assistant", "content": 'La start-up DeepSeek <a class="cite" href="#src-1">[1]</a>.'},
               {"role": "user", "content": [{"type": "text", "text": "Et qui l'a lancée ?"}]}]
    turns = user_turns(history)
    assert turns[0].endswith("DeepSeek") and turns[1] == "Et qui l'a lancée ?"
    assert "DeepSeek" in standalone("Combien a coûté son entraînement ?", turns[:1])
