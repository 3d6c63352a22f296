"""Recognise web-page residue without rewriting the file: every decision is a span of the original text.

Lines are classified as content, blank or noise (menus, share/footer boilerplate, tweet embeds).
Chunks are later cut from content lines only, so offsets always point into the file as read.
Inline residue (markdown links `[Mike Whitney](#)`, emphasis stars, escaped dollars) is kept in the
stored passage and removed only from the text that is embedded, indexed by keyword or shown to the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from text.markup import LINK, clean_inline

Kind = Literal["content", "blank", "noise"]


@dataclass(frozen=True)
class Line:
    start: int
    end: int  # exclusive, without the newline
    kind: Kind


_MENU_WORDS = {
    "contact", "connexion", "inscription", "accueil", "menu", "rechercher", "recherche", "newsletter",
    "partager", "imprimer", "login", "sign in", "sign up", "home", "search", "share", "subscribe",
    "s'abonner", "se connecter", "mon compte", "facebook", "twitter", "linkedin", "email", "print",
}
# A line that starts the page footer: what follows it is navigation, related links or legal text.
_FOOTER_START = re.compile(
    r"^(lire aussi|à lire aussi|voir aussi|articles? par\s*:|la source originale de cet article"
    r"|avis de non-responsabilit|copyright ©|tous droits réservés|related articles|read more"
    r"|share this|partager cet article|voir en ligne|les opinions exprimées)",
    re.IGNORECASE,
)
_NOISE_LINE = re.compile(
    r"^(pic\.twitter\.com/\S+|<https?://\S+>|— .*\(@\w+\).*|\(photo\s?:.*\)|contact média\s*:.*"
    r"|(région|thème|tags?|catégories?|mots-clés)\s*:.*\]\(#\).*)$",
    re.IGNORECASE,
)
_EMBED = re.compile(r"pic\.twitter\.com/|https?://t\.co/")  # an embedded tweet's text line
_BULLET = re.compile(r"^[•·*\-–]\s*")


def classify_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    pos = 0
    in_footer = False
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        stripped = raw.strip()
        if not stripped:
            kind: Kind = "blank"
        elif in_footer or _is_noise(stripped):
            kind = "noise"
        elif _FOOTER_START.match(stripped):
            in_footer, kind = True, "noise"
        else:
            kind = "content"
        lines.append(Line(start, end, kind))
    return lines


def _is_noise(line: str) -> bool:
    if _NOISE_LINE.match(line) or _EMBED.search(line):
        return True
    words = _BULLET.sub("", line).strip().lower()
    if words in _MENU_WORDS:
        return True
    # A line made only of links and separators ("[Asie](#), [États-Unis](#)") is navigation.
    return bool(LINK.search(line)) and not re.search(r"\w", LINK.sub("", line))


def guess_title(text: str, lines: list[Line], fallback: str) -> str:
    """The first content line that reads like a headline (a few words, not a sentence fragment)."""
    for line in lines:
        if line.kind != "content":
            continue
        candidate = clean_inline(text[line.start : line.end])
        if len(candidate.split()) >= 3 and len(candidate) <= 200:
            return candidate
    return fallback
