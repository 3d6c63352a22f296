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


def format_passages(passages: Sequence[Passage]) -> str:
    return "\n\n".join(f"[{i}] {clean_inline(p.text)}" for i, p in enumerate(passages, 1))


def build_messages(question: str, passages: Sequence[Passage], lang: str, template: str = "user") -> list[ChatMessage]:
    """template: "user" for the answer, "extract" for the narrower second try on the best passage."""
    user = load(f"{template}_{lang}").format(passages=format_passages(passages), question=question.strip())
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=load(f"system_{lang}")),
        ChatMessage(role=MessageRole.USER, content=user),
    ]
