"""Follow-up questions («Et combien a coûté son entraînement ?») made standalone before retrieval.

One place for the UI, the API and the eval: each passes the conversation before the question as it has it
(messages as (role, text), or the user's earlier questions as plain strings), and gets the same query.

Deterministic and instant (no extra model call on a 2-core CPU): a question that leans on the
conversation — it opens with "et"/"and" or refers back with a pronoun — is completed with the
previous question, itself completed with the names its answer gave (« Quelle start-up… ? » answered
« DeepSeek… » makes « son » resolvable).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import unescape

import regex

from text.sentences import sentence_spans

Turn = tuple[str, str]  # (role, text), role "user" or "assistant"

_LEANS_BACK = re.compile(
    r"^(et|and|also|aussi|what about|how about|et pour|et si|puis)\b"
    r"|\b(son|sa|ses|leur|leurs|il|elle|ils|elles|celui|celle|ceux|its|it|his|her|their|they|them|he|she"
    r"|this|that|these|those|ce|cet|cette|ces|lui|eux)\b|\bl['’](a|ont|avait|est)\b",
    re.IGNORECASE,
)
_INVERSION = re.compile(r"-t?-?(il|elle|ils|elles|on)\b", re.IGNORECASE)  # « a-t-elle » asks, it does not refer back
_WORD = regex.compile(r"[\w-]+")
_INNER = regex.compile(r"\p{Lu}|\d")  # DeepSeek, OpenAI, R1: a name even at the start of a sentence
_MARKUP = re.compile(r"<[^>]+>|\[\d+\]")


def earlier_questions(history: Sequence[str | Turn]) -> list[str]:
    """The user's questions before this one, oldest first, the last completed with its answer's names."""
    questions: list[str] = []
    answer = ""
    for turn in history:
        role, text = ("user", turn) if isinstance(turn, str) else turn
        text = unescape(_MARKUP.sub(" ", text or "")).strip()
        if not text:
            continue
        if role == "user":
            questions.append(text)
            answer = ""
        elif role == "assistant" and questions:
            answer = text
    if questions and answer:
        new = [n for n in names(answer) if n not in questions[-1]]
        if new:
            questions[-1] = f"{questions[-1]} {' '.join(dict.fromkeys(new))}"
    return questions


def names(text: str) -> list[str]:
    """Capitalised words that are not merely a sentence's first word, in scripts with capitals."""
    found = []
    for start, end in sentence_spans(text):
        for i, m in enumerate(_WORD.finditer(text, start, end)):
            word = m.group()
            if word[:1].isupper() and (i > 0 or _INNER.search(word[1:])):
                found.append(word)
    return found


def standalone(question: str, history: Sequence[str | Turn]) -> str:
    previous = earlier_questions(history)
    if not previous:
        return question
    if not _LEANS_BACK.search(_INVERSION.sub("", question)) or len(question.split()) > 20:
        return question
    return f"{question.rstrip()} ({previous[-1].rstrip(' ?')})"
