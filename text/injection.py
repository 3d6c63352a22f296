"""Passages that address the model ("ignore previous instructions…") are data, never instructions: the spans
of their order-giving sentences (found at ingest, ingest/orders.py) are blanked before the model or the
citation checks read them. A 1.5B model follows embedded instructions too readily for a prompt-only defence."""

from __future__ import annotations

from collections.abc import Sequence

from text.sentences import Span


def defuse(text: str, spans: Sequence[Span]) -> str:
    """The text with the given spans blanked, same length (offsets stay valid)."""
    out = text
    for start, end in spans:
        out = out[:start] + " " * (end - start) + out[end:]
    return out
