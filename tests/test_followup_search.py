"""Follow-up questions are made standalone before retrieval; search mode cites without generating."""

import pytest

from eval.gold import load, read_docs, validate
from qa.followup import earlier_questions, names, standalone
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


def test_the_last_answer_names_complete_the_follow_up_whoever_passes_the_conversation():
    from ui.chat import conversation

    ui = [{"role": "user", "content": "Quelle start-up chinoise a fait chuter Nvidia ?"},
          {"role": "assistant", "content": 'La start-up DeepSeek <a class="cite" href="#src-1">[1]</a>.'}]
    api = [("user", "Quelle start-up chinoise a fait chuter Nvidia ?"), ("assistant", "La start-up DeepSeek [1].")]
    assert conversation(ui) == [("user", ui[0]["content"]), ("assistant", ui[1]["content"])]
    [question] = earlier_questions(conversation(ui))
    assert question.endswith("DeepSeek") and earlier_questions(api) == [question]
    follow_up = "Combien a coûté son entraînement ?"
    assert standalone(follow_up, conversation(ui)) == standalone(follow_up, api)
    assert "DeepSeek" in standalone(follow_up, api)
    assert names("OpenAI a répondu. Le modèle R1 de DeepSeek, selon Liang Wenfeng.") == [
        "OpenAI", "R1", "DeepSeek", "Liang", "Wenfeng"]


@pytest.mark.slow
def test_the_same_conversation_gets_the_same_answer_from_the_ui_and_the_api(engine, browser):
    import httpx

    from tests.conftest import serving

    first, follow_up = "Quel modèle de génération d'images DeepSeek a-t-il dévoilé lundi ?", "Et qui l'a lancé ?"
    with serving(engine) as url:
        page = browser.new_page()
        page.goto(url)
        replies = []
        for n, question in enumerate((first, follow_up), 1):
            page.locator("#question textarea").fill(question)
            page.locator("#question textarea").press("Enter")
            page.wait_for_function(f"() => document.querySelectorAll('#chat .message.bot').length >= {n}",
                                   timeout=60_000)
            page.locator("#sources .meta:has-text('total')").wait_for(timeout=300_000)  # the final answer
            replies.append(page.locator("#chat .message.bot").last.inner_text())
        model = "corpus:" + engine.settings.chroma.collection
        messages = [{"role": "user", "content": first}]
        api = []
        for question in (first, follow_up):
            if api:
                messages += [{"role": "assistant", "content": api[-1]}, {"role": "user", "content": question}]
            reply = httpx.post(f"{url}/v1/chat/completions", timeout=300, json={"model": model, "messages": messages})
            api.append(reply.json()["choices"][0]["message"]["content"])
    assert "Janus" in api[0]
    assert [_text(r) for r in replies] == [_text(a) for a in api]  # the chat shows [n] as links: the words


def _text(rendered: str) -> str:
    """An answer as the chat shows it, without its markup: the words only."""
    import re
    from html import unescape

    return " ".join(re.sub(r"<[^>]+>|\[\d+\]|⚠", " ", unescape(rendered)).split())
