"""Questions the model writes about a passage, with the words that answer them, for the self-calibration.

The model picks a fact of the passage and writes the question a reader would ask to get it, as JSON under a
schema (constrained decoding: a grammar on llama.cpp, structured output on a server). Its answer must be
words of the passage: the longest run of its words found there, in the same order, is the key a right answer
must hold (matched as the eval matches keys: any script, case and accents ignored).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from llm import Backend, BackendUnavailable, Preempted, Turns
from llm.prompts import load
from text.language import name as language_name
from text.markup import clean_inline
from text.matching import contains, normalise

SCHEMA = {"type": "object", "required": ["answer", "question"],
          "properties": {"answer": {"type": "string", "maxLength": 60},
                         "question": {"type": "string", "maxLength": 200}}}
MAX_TOKENS = 120


@dataclass(frozen=True)
class Written:
    question: str
    key: str  # words of the passage a right answer holds


def answer_key(answer: str, passage: str) -> str | None:
    """The longest run of the answer's words that the passage holds in the same order (normalised), if it is
    at least half of the answer or a number; None otherwise (the model did not copy the passage)."""
    words, text = normalise(answer).split(), f" {normalise(passage)} "
    best = ""
    for i in range(len(words)):
        for j in range(len(words), i, -1):
            run = " ".join(words[i:j])
            if j - i > len(best.split()) and f" {run} " in text:
                best = run
                break
    if not best:
        return None
    return best if 2 * len(best.split()) >= len(words) or best.replace(" ", "").isdigit() else None


def write(backend: Backend, turns: Turns, passage: str, lang: str) -> Written | None:
    """One question about `passage` (None when the model's reply is not usable). Runs as background work:
    stops (Preempted) as soon as a user's question waits."""
    text = clean_inline(passage)
    messages = [{"role": "user", "content": load("calibration_question").format(
        passage=text, language=language_name(lang or "en"))}]
    reply = ""
    with turns.background():
        try:
            for piece in backend.stream(messages, max_tokens=MAX_TOKENS, schema=SCHEMA):
                if turns.wanted:
                    raise Preempted("a question is waiting")
                reply += piece
        except (Preempted, BackendUnavailable):
            raise
        except Exception as e:  # the client's own errors: a server gone, a timeout
            raise BackendUnavailable(f"The language model ({backend.describe()}) failed: {e}") from e
    try:
        got = json.loads(reply)
        question, answer = str(got["question"]).strip(), str(got["answer"]).strip()
    except (ValueError, KeyError, TypeError):
        return None  # cut at the token limit, or not the object asked for
    key = answer_key(answer, text)
    if key is None or len(question) < 8 or contains(question, key):
        return None  # not copied from the passage, or a question that gives its own answer away
    return Written(question, key)
