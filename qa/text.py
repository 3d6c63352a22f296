"""Text normalisation shared by citation checks, refusal checks and the eval: accents, numbers, words.

Kept for the callers that still import it: folding, words and figures now come from the text package
(every script: Chinese, Arabic, Cyrillic...); STOP and stems are the old French/English helpers."""

from __future__ import annotations

import re

from text.numbers import numbers as _figures
from text.tokens import fold, is_cjk, terms, words

__all__ = ["STOP", "fold", "normalise_answer", "numbers", "stems", "words"]

# Numbers passages spell out (« quatre centres », « un trillion de dollars »). "un"/"one" only before a
# magnitude or a duration (« un mois », "one year"), where it is a figure and not an article; "neuf" (new)
# and "cent" (pour cent) are left out.
_SPELLED = {w: str(n) for n, ws in {
    2: "deux two", 3: "trois three", 4: "quatre four", 5: "cinq five", 6: "six", 7: "sept seven",
    8: "huit eight", 9: "nine", 10: "dix ten", 11: "onze eleven", 12: "douze twelve", 15: "quinze fifteen",
    20: "vingt twenty", 30: "trente thirty", 40: "quarante forty", 50: "cinquante fifty"}.items()
    for w in ws.split()}
_SPELLED_NUMBER = re.compile(
    r"\b(?:(?:un|une|one|an?)(?=\s+(?:million|milliard|billion|trillion|mois|ans?|annee|jours?|semaine|heure|minute"
    r"|month|year|day|week|hour)\b)|" + "|".join(_SPELLED) + r")\b")

STOP = set(
    """
    le la les un une des du de d l et est sont qui que quoi quel quelle quels quelles combien
    comment pourquoi ou quand a ont au aux en dans pour par sur avec ce cet cette ces son sa ses
    leur leurs il elle ils elles on se s ne n pas plus ete fait selon apres avant lors entre y c qu
    j m t lui eux nous vous mais donc or ni car tres aussi comme meme tout tous toute toutes sans
    sous vers chez dont etre avoir the a an and is are was were who what which whom whose how why
    where when did does do has have had of to in on for by with from this that these those it its
    his her their they he she be been after before according between much many as at or not no than
    then there also into about over only so such
    """.split()
)


def stems(text: str, size: int = 5) -> set[str]:
    """Content words cut to a short prefix: crude, language-agnostic stemming for overlap scores.
    Chinese/Japanese/Korean text gives its character bigrams."""
    return {w if is_cjk(w) else w[:size] for w in terms(text)
            if w not in STOP and (len(w) > 2 or w.isdigit() or is_cjk(w))}


def numbers(text: str, spelled: bool = False) -> set[str]:
    """Numbers as canonical strings: "1 000" and "1,000" -> "1000", "5,6" and "5.60" -> "5.6".
    spelled: also numbers written in words, for the text that must support a figure (a passage)."""
    out = {_SPELLED.get(w, "1") for w in _SPELLED_NUMBER.findall(fold(text))} if spelled else set()
    return out | _figures(text)


def normalise_answer(text: str) -> str:
    """For "contains" checks: folded, punctuation to spaces, spaces collapsed."""
    return " ".join(words(text))
