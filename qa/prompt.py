"""Prompts are files in prompts/; the system prompt is a fixed prefix so the backend can cache it.

French and English have their own prompts (the shipped corpus is French); a few more languages have their
own user prompt and refusal sentence; any other language gets the generic prompt, which names it.
"""

from __future__ import annotations

from collections.abc import Sequence

from llm import Message
from llm.prompts import PROMPTS, load, own
from qa.schema import Passage
from text.language import name as language_name
from text.markup import clean_inline


def refusal(lang: str) -> str:
    return load(own("refusal", lang))


def refusals() -> set[str]:
    """Every refusal sentence the app can write, whatever the language."""
    return {load(p.stem) for p in PROMPTS.glob("refusal*.txt")}


def format_passages(passages: Sequence[Passage], numbers: Sequence[int] | None = None) -> str:
    """numbers: each passage's number in the sources panel, so the model's [n] mean what the user sees."""
    numbers = numbers or range(1, len(passages) + 1)
    texts = [unseen(p, passages) for p in passages]
    return "\n\n".join(f"[{n}] {clean_inline(t)}" for n, t in zip(numbers, texts, strict=True))


def unseen(passage: Passage, context: Sequence[Passage]) -> str:
    """The passage without its opening sentence when another passage of the context ends with it (chunks
    overlap by a sentence): the prompt is read at ~75 tokens/s, and the sentence stays where the document
    has it, at the end of the passage it continues."""
    if len(passage.text) != passage.end - passage.start:  # rewritten (a defused passage): offsets are off
        return passage.text
    start = max([q.end for q in context if q.doc == passage.doc and q.start < passage.start < q.end],
                default=passage.start)
    return passage.text[start - passage.start :] if start < passage.end else passage.text


def build_messages(question: str, passages: Sequence[Passage], lang: str,
                   numbers: Sequence[int] | None = None) -> list[Message]:
    user = load(own("user", lang)).format(passages=format_passages(passages, numbers), question=question.strip(),
                                           language=language_name(lang))
    return [
        # A fixed system prompt per language: the llama.cpp backend keeps its state (llm/llamacpp.py),
        # so it is never read again; the instructions in it cost nothing per question.
        {"role": "system", "content": load(own("system", lang))},
        {"role": "user", "content": user},
    ]


# The one-word replies prompts/probe.txt asks for: the reply's first token is read, not its text.
REPLIES = ("yes", "no")


def probe_messages(question: str, answer_messages: list[Message]) -> list[Message]:
    """The answer prompt cut right after the question, asking whether the passages answer it: it shares
    everything up to there with the answer prompt, so the backend reads the passages once for both."""
    user = answer_messages[-1]["content"]
    cut = user.rindex(question.strip()) + len(question.strip())
    return [*answer_messages[:-1], {"role": "user", "content": f"{user[:cut]}\n{load('probe')}"}]
