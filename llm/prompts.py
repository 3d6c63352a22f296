"""Prompts are files in prompts/: one per use, and per language where the words must be the reader's
(`<kind>_<lang>.txt`), with a generic fallback (`<kind>.txt`)."""

from __future__ import annotations

from functools import lru_cache

from config.settings import ROOT

PROMPTS = ROOT / "prompts"


@lru_cache(maxsize=64)
def load(name: str) -> str:
    return (PROMPTS / f"{name}.txt").read_text(encoding="utf-8").strip()


def lines(name: str) -> list[str]:
    """A prompt file that is a list, one item a line."""
    return [line.strip() for line in load(name).splitlines() if line.strip()]


def own(kind: str, lang: str) -> str:
    """The language's own prompt file, or the generic one."""
    return f"{kind}_{lang}" if (PROMPTS / f"{kind}_{lang}.txt").is_file() else kind
