"""Sources that disagree: the answer's figure and a different figure of the same kind, for the same thing,
in another document. The answer then says so and cites both, rather than silently picking one.

Deliberately narrow, since a false "the sources disagree" is itself misleading: a figure is compared only
with one stated in the same unit, as written — the currency sign or % beside it, or the same words right
after it (« milliards de dollars », "million people", « 亿美元 »), in any language —, only across documents
(one document's own figures are a breakdown, not a conflict), never a year, and only in a sentence about the
same thing as the cited one (close in embedding space to it or to the question, or naming the question's terms).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from llm.prompts import load, own
from qa.schema import Citation, Passage
from text.numbers import numbers
from text.sentences import sentence_spans
from text.tokens import fold, terms

# A number (digits of any script, with its separators), the sign before it and up to three words after it.
_AMOUNT = re.compile(r"(?P<pre>[^\w\s]?)\s?(?P<num>\d+(?:[ \u00a0\u202f.,٬٫]\d+)*)\s*"
                     r"(?P<unit>%|‰|[^\W\d_]+(?:\s+[^\W\d_]+){0,2})?")
TOPICAL = 0.55  # cosine of the other sentence to the cited one or to the question (~0.35-0.45 unrelated)


@dataclass(frozen=True)
class Amount:
    value: str  # canonical number
    unit: str  # folded currency sign, % or the words after the number
    text: str  # as written in the passage


def amounts(text: str) -> list[Amount]:
    out = []
    for m in _AMOUNT.finditer(text):
        value = next(iter(numbers(m.group("num"))), None)
        sign = m.group("pre") if m.group("pre") and unicodedata.category(m.group("pre")) == "Sc" else ""
        unit = sign or fold(m.group("unit") or "")
        if value is None or not unit or (not sign and unit not in "%‰" and _year(value)):
            continue
        out.append(Amount(value, unit, m.group(0).strip()))
    return out


@dataclass
class Conflict:
    cited: Citation
    other: Citation
    ours: Amount
    theirs: Amount


def _year(value: str) -> bool:
    return value.isdigit() and len(value) == 4 and 1000 <= int(value) <= 2999


def find(citations: Sequence[Citation], passages: Sequence[Passage], question: str,
         similarity: Callable[[Sequence[str], Sequence[str]], Sequence[Sequence[float]]]) -> list[Conflict]:
    q_terms = set(terms(question))
    found: list[Conflict] = []
    seen: set[tuple[str, str]] = set()  # one note, and one extra citation, per pair of figures
    for c in citations:
        ours = amounts(c.quote)
        if not ours:
            continue
        candidates = []
        for n, p in enumerate(passages, 1):
            if p.doc == c.doc:
                continue
            for s, e in sentence_spans(p.text):
                sentence = p.text[s:e]
                theirs = [a for a in amounts(sentence) for o in ours
                          if a.unit == o.unit and a.value != o.value]
                if theirs and not any(o.value in {a.value for a in amounts(sentence)} for o in ours):
                    candidates.append((n, p, s, e, sentence, theirs[0]))
        if not candidates:
            continue
        # About the same thing as the cited sentence or as the question (a long cited sentence dilutes it).
        sims = np.asarray(similarity([c.quote, question], [cand[4] for cand in candidates])).max(axis=0)
        for (n, p, s, e, sentence, theirs), sim in zip(candidates, sims, strict=True):
            ours_of_unit = next(o for o in ours if o.unit == theirs.unit)
            if (ours_of_unit.value, theirs.value) in seen:
                continue  # already said, from another cited sentence
            if sim >= TOPICAL or len(q_terms & set(terms(sentence))) >= 2:
                seen.add((ours_of_unit.value, theirs.value))
                other = Citation(n=n, doc=p.doc, start=p.start + s, end=p.start + e, quote=sentence,
                                 support=float(sim), page=p.page)
                found.append(Conflict(c, other, ours_of_unit, theirs))
                break
    return found


def note(conflicts: Sequence[Conflict], lang: str) -> str:
    """In the question's language: prompts/conflict_<lang>.txt, else the generic prompts/conflict.txt."""
    template = load(own("conflict", lang))
    return " ".join(template.format(a=c.ours.text, n=c.cited.n, b=c.theirs.text, m=c.other.n) for c in conflicts)
