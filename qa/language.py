"""Which language a question is in: the answer and refusal follow it (see text.language)."""

from __future__ import annotations

from text.language import detect, name

__all__ = ["detect", "detect_language", "name"]


def detect_language(text: str, default: str = "en") -> str:
    """ISO 639-1 code of text's language ("fr", "en", "zh", "ru", "ar", ...)."""
    return detect(text, default)
