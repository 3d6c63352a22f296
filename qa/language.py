"""Which language a question is in (French or English): the answer and refusal follow it."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-zàâäçéèêëîïôöûùüÿœ']+", re.IGNORECASE)
_FR = set(
    """
    le la les un une des du de d' l' et est sont qui que quoi quel quelle quels quelles combien
    comment pourquoi où quand a-t-il a-t-elle ont au aux en dans pour par sur avec ce cette ces son
    sa ses leur il elle ils elles on se ne pas plus été fait selon après avant lors entre
    """.split()
)
_EN = set(
    """
    the a an and is are was were who what which whom whose how why where when did does do has have
    had of to in on for by with from this that these those it its his her their they he she be been
    after before according between much many
    """.split()
)
_FR_CHARS = re.compile(r"[àâçéèêëîïôûùœ]|\b(qu|l|d|n|s|c|j)'", re.IGNORECASE)


def detect_language(text: str) -> str:
    words = [w.lower() for w in _WORD.findall(text.replace("’", "'"))]
    fr = sum(w in _FR or w.split("'")[0] + "'" in _FR for w in words) + 2 * len(_FR_CHARS.findall(text))
    en = sum(w in _EN for w in words)
    return "en" if en > fr else "fr"
