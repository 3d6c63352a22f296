"""The bundled backend keeps one llama.cpp state per system prompt, so a change of language skips it too,
and reads every prompt from there: the same prompt gets the same answer whatever was asked before."""

import pytest

from qa.llm import chatml
from qa.prompt import build_messages

pytestmark = pytest.mark.slow


def _user_tokens(model, prompt: str) -> int:
    system = prompt[: prompt.index("<|im_end|>\n") + len("<|im_end|>\n")]
    return len(model.tokenize(prompt.encode(), special=True)) - len(model.tokenize(system.encode(), special=True))


def _count_reads(model, monkeypatch) -> list[int]:
    read: list[int] = []
    original = model.eval
    monkeypatch.setattr(model, "eval", lambda tokens: (read.append(len(tokens)), original(tokens))[1])
    return read


def _read_from_system(llm, read: list[int], prompt: str) -> str:
    """The prompt's answer, checking that only its user message was read (the cache held its system part)."""
    read.clear()
    text = llm.complete(prompt, formatted=True).text
    assert read[0] == _user_tokens(llm._model, prompt)
    return text


def test_a_language_switch_restores_the_system_prompt_instead_of_reading_it_again(engine, monkeypatch):
    llm = engine.generator.llm()
    model = llm._model
    passages = engine.search("Qui a fondé DeepSeek ?")[:2]
    fr = chatml(build_messages("Qui a fondé DeepSeek ?", passages, "fr"))
    en = chatml(build_messages("Who founded DeepSeek?", passages, "en"))
    first = llm.complete(fr, formatted=True).text
    llm.complete(en, formatted=True)  # both system prompts have been read once

    read = _count_reads(model, monkeypatch)
    # after an English prompt; the restored state answers as the first one did
    assert _read_from_system(llm, read, fr) == first
    _read_from_system(llm, read, en)  # after a French prompt: the English instructions are not re-read


def test_a_prompt_is_read_from_its_system_prompt_whatever_the_last_one_shared_with_it(engine, monkeypatch):
    llm = engine.generator.llm()
    model = llm._model
    passages = engine.search("Qui a fondé DeepSeek ?")[:2]
    founder = chatml(build_messages("Qui a fondé DeepSeek ?", passages, "fr"))
    year = chatml(build_messages("En quelle année DeepSeek a-t-elle été fondée ?", passages, "fr"))
    first = llm.complete(founder, formatted=True).text

    read = _count_reads(model, monkeypatch)
    _read_from_system(llm, read, year)  # shares the passages with the last prompt, not only its system part
    assert _read_from_system(llm, read, founder) == first  # not re-using the previous prompt's passages
    assert _read_from_system(llm, read, founder) == first  # the very same prompt twice in a row
