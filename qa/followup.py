"""A follow-up question («Et son prix ?», "它的价格呢？», « а его цена? ») made standalone before retrieval.

One place for the UI, the API and the eval: each passes the conversation before the question as it has it
(messages as (role, text), or the user's earlier questions as plain strings).

No list of words decides what is a follow-up: the question is searched alone and with the last exchange
(the previous question and the first sentence of its answer) appended, and the conversation is kept when it
brings the question closer to the documents — the multilingual embedding judges, in any language. A new,
self-contained question finds its passages better alone: the appended exchange only dilutes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import unescape

from text.sentences import sentence_spans

Turn = tuple[str, str]  # (role, text), role "user" or "assistant"

_TAG = re.compile(r"<[^>]+>")
_MARKER = re.compile(r"\s*\[\d+\]\s*")  # a citation marker, with the spaces around it
_CONTEXT_CHARS = 300  # of the last answer: its first sentence names what it is about


def last_exchange(history: Sequence[str | Turn]) -> tuple[str, str] | None:
    """The user's last question before this one and the answer it got ("" if none), markup removed."""
    question, answer = None, ""
    for turn in history:
        role, text = ("user", turn) if isinstance(turn, str) else turn
        text = " ".join(_MARKER.sub(_marker_gap, unescape(_TAG.sub(" ", text or ""))).split())
        if not text:
            continue
        if role == "user":
            question, answer = text, ""
        elif role == "assistant" and question is not None:
            answer = text
    return (question, answer) if question is not None else None


def _marker_gap(m: re.Match[str]) -> str:
    """A marker goes; a space stays between words, not before the sentence's end."""
    after = m.string[m.end() : m.end() + 1]
    return "" if not after or after in ".,;:!?。，；：！？" else " "


def with_context(question: str, history: Sequence[str | Turn]) -> str | None:
    """The question followed by the last exchange, in brackets; None when there is no earlier question."""
    exchange = last_exchange(history)
    if exchange is None:
        return None
    previous, answer = exchange
    spans = sentence_spans(answer)
    first = answer[spans[0][0] : spans[0][1]] if spans else answer
    context = " ".join(part for part in (previous.rstrip(), first[:_CONTEXT_CHARS].strip()) if part)
    return f"{question.rstrip()} ({context})"
