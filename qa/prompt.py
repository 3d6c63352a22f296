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
    return "\n\n".join(f"[{n}] {clean_inline(p.text)}" for n, p in zip(numbers, passages, strict=True))


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
