"""Text normalisation shared by citation checks, refusal checks and the eval: accents, numbers, words."""

from __future__ import annotations

import re
import unicodedata

_WORDS = re.compile(r"[a-z0-9]+")
# 1 000, 1,5, 5.6, 600 — with regular, non-breaking or thin spaces as thousands separators; not the
# digits of a name (R1, GPT-4, Llama-3.1), which are no figure.
_NUMBER = re.compile(r"(?<![^\W_])(?<![^\W\d_]-)(?<!\d[.,])\d+(?:[ \u00a0\u202f]\d{3})*(?:[.,]\d+)?")
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


def fold(text: str) -> str:
    """Lower case without accents, typographic quotes and ligatures normalised."""
    text = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "Oe"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ").lower()


def words(text: str) -> list[str]:
    return _WORDS.findall(fold(text))


def stems(text: str, size: int = 5) -> set[str]:
    """Content words cut to a short prefix: crude, language-agnostic stemming for overlap scores."""
    return {w[:size] for w in words(text) if w not in STOP and (len(w) > 2 or w.isdigit())}


def numbers(text: str, spelled: bool = False) -> set[str]:
    """Numbers as canonical strings: "1 000" and "1,000" -> "1000", "5,6" and "5.60" -> "5.6".
    spelled: also numbers written in words, for the text that must support a figure (a passage)."""
    out = {_SPELLED.get(w, "1") for w in _SPELLED_NUMBER.findall(fold(text))} if spelled else set()
    for m in _NUMBER.finditer(text):
        raw = re.sub(r"[ \u00a0\u202f]", "", m.group()).replace(",", ".")
        whole, _, frac = raw.partition(".")
        if len(frac) == 3:  # a thousands separator, not a decimal
            whole, frac = whole + frac, ""
        frac = frac.rstrip("0")
        out.add((whole.lstrip("0") or "0") + (f".{frac}" if frac else ""))
    return out


def normalise_answer(text: str) -> str:
    """For "contains" checks: folded, punctuation to spaces, spaces collapsed."""
    return " ".join(_WORDS.findall(fold(text)))
