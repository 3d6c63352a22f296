"""The bundled backend on llama-cpp-python's public API: the GGUF's own chat template, one saved state per
system prompt (a change of language skips re-reading it), every prompt read on from its system prompt (the
same prompt gets the same answer whatever was asked before), and the answer reading on from its probe."""

import pytest

from llm import shared_backend
from qa import prompt

pytestmark = pytest.mark.slow


@pytest.fixture()
def backend(engine):
    return shared_backend(engine.settings.llm)


def _reads(backend, monkeypatch) -> list[int]:
    """How many tokens each llama.cpp evaluation reads."""
    read: list[int] = []
    original = backend.llm.eval
    monkeypatch.setattr(backend.llm, "eval", lambda tokens: (read.append(len(tokens)), original(tokens))[1])
    return read


def _user_tokens(backend, messages) -> int:
    tokens = backend.tokens(messages)
    return len(tokens) - backend._system_length(messages, tokens)


def _answer(backend, messages) -> str:
    return "".join(backend.stream(messages, max_tokens=40))


def test_the_prompt_is_the_ggufs_own_chat_template(backend):
    text = backend.formatter(messages=[{"role": "system", "content": "S"}, {"role": "user", "content": "U"}]).prompt
    assert text == "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n"


def test_a_language_switch_restores_the_system_prompt_instead_of_reading_it_again(engine, backend, monkeypatch):
    passages = engine.search("Qui a fondé DeepSeek ?")[:2]
    fr = prompt.build_messages("Qui a fondé DeepSeek ?", passages, "fr")
    en = prompt.build_messages("Who founded DeepSeek?", passages, "en")
    first = _answer(backend, fr)
    _answer(backend, en)  # both system prompts have been read once
    read = _reads(backend, monkeypatch)
    assert _answer(backend, fr) == first  # restored after the English prompt: the same answer
    assert read[0] == _user_tokens(backend, fr)  # only the user message was read
    read.clear()
    _answer(backend, en)
    assert read[0] == _user_tokens(backend, en)


def test_a_prompt_is_read_from_its_system_prompt_whatever_the_last_one_shared_with_it(engine, backend, monkeypatch):
    passages = engine.search("Qui a fondé DeepSeek ?")[:2]
    founder = prompt.build_messages("Qui a fondé DeepSeek ?", passages, "fr")
    year = prompt.build_messages("En quelle année DeepSeek a-t-elle été fondée ?", passages, "fr")
    first = _answer(backend, founder)
    read = _reads(backend, monkeypatch)
    _answer(backend, year)  # shares the passages with the last prompt, not only its system part
    assert read[0] == _user_tokens(backend, year)
    read.clear()
    assert _answer(backend, founder) == first and read[0] == _user_tokens(backend, founder)


def test_the_answer_reads_on_from_its_probe(engine, backend, monkeypatch):
    question = "Qui a fondé DeepSeek ?"
    messages = prompt.build_messages(question, engine.search(question)[:2], "fr")
    read = _reads(backend, monkeypatch)
    p = backend.reply_probability(prompt.probe_messages(question, messages), *prompt.REPLIES)
    assert 0.5 < p <= 1.0  # the passages do say who founded DeepSeek
    probe_read = read[0]
    read.clear()
    _answer(backend, messages)
    assert read[0] < probe_read / 4  # the passages and the question were not read again
