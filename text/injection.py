"""Passages that address the model ("ignore previous instructions…") are data, never instructions.

The passage is still retrieved and shown to the user (flagged), but its sentences that give orders are
blanked before it reaches the model or the citation checks: a 1.5B model follows embedded
instructions too readily for a prompt-only defence. The rest of the passage stays usable.
"""

from __future__ import annotations

import re

from text.sentences import sentence_spans

_INSTRUCTION = re.compile(
    # imperatives only: « il a ignoré les règles » is not addressed to anyone
    r"\b(ignore|ignorez|oublie|oubliez|disregard|forget)\b[^.!?]{0,40}\b(consignes?|instructions?|r[eè]gles"
    r"|rules|prompt|pr[eé]c[eé]dent\w*|previous|above|ci-dessus)"
    r"|(^|[\n.!?]\s*)(system|syst[eè]me|assistant)\s*:"
    r"|\b(tu dois|vous devez|you must|you should)\s+(d[eé]sormais|maintenant|toujours|uniquement|now|always|only)"
    r"|\b(you are now|tu es maintenant|from now on|[aà] partir de maintenant,? (tu|vous)|d[eé]sormais,? (tu|vous))"
    r"|\b(r[eé]ponds|r[eé]pondez|answer|respond|say)\b[^.!?]{0,30}\b(uniquement|only|toujours|always)\b",
    re.IGNORECASE,
)


def looks_like_injection(text: str) -> bool:
    return bool(_INSTRUCTION.search(text))


def defuse(text: str) -> str:
    """The text with every order-giving sentence blanked, same length (offsets stay valid)."""
    out = text
    for start, end in sentence_spans(text):
        if looks_like_injection(text[start:end]):
            out = out[:start] + " " * (end - start) + out[end:]
    return out
