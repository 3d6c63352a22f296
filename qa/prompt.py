"""Prompts are files in prompts/; the system prompt is a fixed prefix so the backend can cache it."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from llama_index.core.llms import ChatMessage, MessageRole

from config.settings import ROOT
from ingest.clean import clean_inline
from qa.schema import Passage

PROMPTS = ROOT / "prompts"


@lru_cache(maxsize=32)
def load(name: str, folder: Path = PROMPTS) -> str:
    return (folder / f"{name}.txt").read_text(encoding="utf-8").strip()


def refusal(lang: str) -> str:
    return load(f"refusal_{lang}")


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


def build_messages(question: str, passages: Sequence[Passage], lang: str, template: str = "user",
                   numbers: Sequence[int] | None = None) -> list[ChatMessage]:
    """template: "user" for the answer, "extract" (or "extract_yesno") for the narrower second try on the
    best passage."""
    user = load(f"{template}_{lang}").format(passages=format_passages(passages, numbers), question=question.strip())
    return [
        # A fixed system prompt per language: the llama.cpp backend keeps its state (qa/llm.py), so it is
        # never read again; the instructions in it cost nothing per question.
        ChatMessage(role=MessageRole.SYSTEM, content=load(f"system_{lang}")),
        ChatMessage(role=MessageRole.USER, content=user),
    ]
