"""The bundled backend keeps one llama.cpp state per system prompt, so a change of language skips it too."""

import pytest

from qa.llm import chatml
from qa.prompt import build_messages

pytestmark = pytest.mark.slow


def test_a_language_switch_restores_the_system_prompt_instead_of_reading_it_again(engine, monkeypatch):
    llm = engine.llm()
    model = llm._model
    passages = engine.search("Qui a fondé DeepSeek ?")[:2]
    fr = chatml(build_messages("Qui a fondé DeepSeek ?", passages, "fr"))
    en = chatml(build_messages("Who founded DeepSeek?", passages, "en"))
    first = llm.complete(fr, formatted=True).text
    llm.complete(en, formatted=True)  # both system prompts have been read once

    read: list[int] = []
    original = model.eval
    monkeypatch.setattr(model, "eval", lambda tokens: (read.append(len(tokens)), original(tokens))[1])

    def user_tokens(prompt: str) -> int:
        system = prompt[: prompt.index("<|im_end|>\n") + len("<|im_end|>\n")]
        return len(model.tokenize(prompt.encode(), special=True)) - len(model.tokenize(system.encode(), special=True))

    again = llm.complete(fr, formatted=True).text  # after an English prompt
    assert read[0] == user_tokens(fr)  # only the user message was read
    assert again == first  # and the restored state answers as the first one did
    read.clear()
    llm.complete(en, formatted=True)  # after a French prompt: the English instructions are not re-read
    assert read[0] == user_tokens(en)
