"""Follow-up questions, in any language, are made standalone before retrieval; search mode cites without
generating."""

import pytest

from eval.gold import load, read_docs, validate
from qa.followup import with_context
from tests.conftest import CORPUS, ROOT


@pytest.mark.slow
@pytest.mark.parametrize(("history", "follow_up", "key"), [
    (["Qui a lancé DeepSeek ?"], "Et combien aurait coûté son développement, officiellement ?", "5,6"),
    ([("user", "谁创立了DeepSeek？"), ("assistant", "DeepSeek由梁文锋创立 [1]。")], "它的开发成本是多少？", "5,6"),
    ([("user", "Кто основал DeepSeek?"), ("assistant", "DeepSeek основал Лян Вэньфэн [1].")],
     "А сколько стоила его разработка?", "5,6"),
])
def test_a_follow_up_in_any_language_is_answered_from_the_conversation(engine, history, follow_up, key):
    """No word list decides: the question joined with the last exchange finds closer passages than alone."""
    answer = engine.ask(follow_up, history=history)
    assert answer.query != follow_up and "DeepSeek" in answer.query
    assert any(key in p.text for p in answer.retrieved)
    # the model answers from the passages; whether the checks then show or withhold the draft is the fit's call
    written = answer.draft if answer.verdict == "withheld" else answer.answer
    assert key.replace(",", "") in written.replace(",", "").replace(".", ""), answer
    assert answer.question == follow_up  # the user's words are kept; retrieval and the model see the query


@pytest.mark.slow
def test_a_new_question_is_searched_alone(engine):
    question = "Combien Nvidia a-t-elle perdu en Bourse après l'annonce de DeepSeek ?"
    preview = engine.preview(question, ["Quel géant chinois de l'e-commerce développe le modèle Qwen ?"])
    assert preview.query == question


def test_conversation_gold_file_validates():
    items = load(ROOT / "eval" / "gold_conversations.jsonl")
    assert items and all(it.turns for it in items)
    assert validate(items, read_docs(CORPUS)) == []


@pytest.mark.slow
def test_the_conversation_gold_items_are_answered(engine):
    for item in load(ROOT / "eval" / "gold_conversations.jsonl"):
        answer = engine.ask(item.question, history=item.turns)
        assert any(k in answer.answer for k in item.must_include), (item.id, answer.answer)


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


def test_the_conversation_is_read_the_same_whoever_passes_it():
    from ui.chat import conversation

    ui = [{"role": "user", "content": "Quelle start-up chinoise a fait chuter Nvidia ?"},
          {"role": "assistant", "content": 'La start-up DeepSeek <a class="cite" href="#src-1">[1]</a>.'}]
    api = [("user", "Quelle start-up chinoise a fait chuter Nvidia ?"), ("assistant", "La start-up DeepSeek [1].")]
    follow_up = "Combien a coûté son entraînement ?"
    assert with_context(follow_up, conversation(ui)) == with_context(follow_up, api) == (
        "Combien a coûté son entraînement ? (Quelle start-up chinoise a fait chuter Nvidia ? La start-up DeepSeek.)")
    assert with_context(follow_up, ["Quelle start-up chinoise a fait chuter Nvidia ?"]).endswith("Nvidia ?)")
    assert with_context(follow_up, []) is None


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
            replies.append(page.locator("#chat .message.bot").last.evaluate(  # the verdict line is a UI field
                "e => { const c = e.cloneNode(true); c.querySelectorAll('.verdict').forEach(v => v.remove());"
                " return c.innerText; }"))
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
