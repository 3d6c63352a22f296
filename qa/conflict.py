"""Sources that disagree: the answer's figure and a different figure of the same kind, for the same thing,
in another document. The answer then says so and cites both, rather than silently picking one.

Deliberately narrow, since a false "the sources disagree" is itself misleading: only amounts of money
and percentages (a currency or % must match), only across documents (one document's own figures are a
breakdown, not a conflict), and only in a sentence about the same thing as the cited one (close in
embedding space to it or to the question, or naming the question's terms).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ingest.chunker import sentence_spans
from qa.schema import Citation, Passage
from qa.text import fold, stems

_SCALE = {"milliard": 1e9, "billion": 1e9, "million": 1e6, "mille": 1e3, "thousand": 1e3, "trillion": 1e12,
          # abbreviations, as in "$500B", "2 Mds €", "$5.6M", "$20k"
          "b": 1e9, "bn": 1e9, "md": 1e9, "mrd": 1e9, "m": 1e6, "k": 1e3}
_MONEY = re.compile(
    r"(?P<pre>[$€])?\s?(?P<num>\d+(?:[ \u00a0\u202f]\d{3})*(?:[.,]\d+)?)\s*"
    r"(?P<scale>milliards?|billions?|millions?|mille|thousand|trillions?|(?:bn|B|Mds?|Mrds?|M|k)(?![^\W\d_]))?\s*"
    r"(?:de |d['’])?(?P<unit>dollars?|euros?|yuans?|%|pour ?cent|percent|\$|€)?",
    re.IGNORECASE,
)
TOPICAL = 0.55  # cosine of the other sentence to the cited one or to the question (~0.35-0.45 unrelated)
_NOTE = {
    "fr": "Les sources ne donnent pas le même chiffre : {a} [{n}], contre {b} [{m}].",
    "en": "The sources give different figures: {a} [{n}], versus {b} [{m}].",
}


@dataclass(frozen=True)
class Amount:
    value: float
    unit: str  # "usd", "eur", "cny" or "%"
    text: str  # as written in the passage


@dataclass
class Conflict:
    cited: Citation
    other: Citation
    ours: Amount
    theirs: Amount


def amounts(text: str) -> list[Amount]:
    out = []
    for m in _MONEY.finditer(text):
        unit = fold(m.group("unit") or m.group("pre") or "")
        unit = {"$": "usd", "€": "eur"}.get(unit, unit)
        unit = "%" if unit.startswith(("%", "pour", "percent")) else unit.rstrip("s")[:3]
        unit = {"dol": "usd", "eur": "eur", "yua": "cny"}.get(unit, unit)
        if unit not in {"usd", "eur", "cny", "%"}:
            continue
        value = float(re.sub(r"[ \u00a0\u202f]", "", m.group("num")).replace(",", "."))
        scale = fold(m.group("scale") or "").rstrip("s")
        out.append(Amount(value * _SCALE.get(scale, 1.0), unit, m.group(0).strip()))
    return out


def find(citations: Sequence[Citation], passages: Sequence[Passage], question: str,
         similarity: Callable[[Sequence[str], Sequence[str]], Sequence[Sequence[float]]]) -> list[Conflict]:
    q_stems = stems(question)
    found: list[Conflict] = []
    seen: set[tuple[float, float]] = set()  # one note, and one extra citation, per pair of figures
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
            if sim >= TOPICAL or len(q_stems & stems(sentence)) >= 2:
                seen.add((ours_of_unit.value, theirs.value))
                other = Citation(n=n, doc=p.doc, start=p.start + s, end=p.start + e, quote=sentence,
                                 support=float(sim), page=p.page)
                found.append(Conflict(c, other, ours_of_unit, theirs))
                break
    return found


def note(conflicts: Sequence[Conflict], lang: str) -> str:
    template = _NOTE.get(lang, _NOTE["en"])
    return " ".join(template.format(a=c.ours.text, n=c.cited.n, b=c.theirs.text, m=c.other.n) for c in conflicts)
