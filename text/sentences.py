"""Sentence spans with exact character offsets, for any script.

A sentence ends with . ! ? … before white space (possibly closed by quotes, brackets or emphasis), or with
a terminator that needs no space after it: the CJK and full-width 。！？． (Chinese and Japanese put no
space between sentences), Arabic ؟, Urdu ۔, Devanagari । ॥ and Ethiopic ።. A line break ends a
sentence unless the next line starts in lower case (a broken paragraph).

Language-neutral rules keep abbreviations inside their sentence (measured against sentencex and pysbd,
whose abbreviation lists depend on knowing the language, and which split « M. Dupont » in French):
- nothing ends where the next word, on the same line, starts in lower case ("etc. and", « Quoi ? dit-il »);
- a single letter before the dot is an initial or an abbreviation ("J. Smith", "M. Dupont", "U.S. Army",
  "p. 12", "z.B. Berlin");
- a short capitalised word before a capital is a title ("Dr. Smith", "Mr. Jones", "St. Paul", "Mme. Curie"),
  and a short word before a number a reference ("art. 5", "No. 3", "fig. 2", "chap. 4") — by their shape,
  in any language with capitals, never by a list of abbreviations;
- a number's decimal point ("3.5") has no space after it, so it never ends anything.
"""

from __future__ import annotations

import re

Span = tuple[int, int]

_CLOSE = "»\"”’)\\]*_」』）》〉】〕］｣"
# Ends before white space (« Quoi ? » closes after its French-spaced guillemet), or anywhere after the
# CJK, Arabic and Indic terminators.
_NO_SPACE_END = "。！？．؟۔।॥።"
_SENTENCE_END = re.compile(
    rf"[.!?…]+(?:[ \u00a0\u202f]?»)?[{_CLOSE}]*(?=\s)|[{_NO_SPACE_END}!?.…]*[{_NO_SPACE_END}][{_CLOSE}]*")
_LINE_BREAK = re.compile(r"\s*\n\s*(?!\s)")
_WORD_BEFORE = re.compile(r"(?<![^\W_])([^\W\d_]+)\.$")
_TITLE_MAX, _REFERENCE_MAX = 3, 4  # letters of a title ("Mme") and of a reference word ("chap")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences of text[start:end] as absolute spans, stripped of surrounding white space."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    cursor = start
    for brk in _LINE_BREAK.finditer(text, start, end):
        if brk.end() < end and text[brk.end()].islower():
            continue  # "... pour être le\n\npremier." is one sentence
        _split(text, cursor, brk.start(), spans)
        cursor = brk.end()
    _split(text, cursor, end, spans)
    return spans


def _split(text: str, start: int, end: int, spans: list[Span]) -> None:
    cursor = start
    for m in _SENTENCE_END.finditer(text, start, end):
        if m.end() < end and _continues(text, m, end):
            continue
        _add(text, cursor, m.end(), spans)
        cursor = m.end()
    _add(text, cursor, end, spans)


def _continues(text: str, m: re.Match[str], end: int) -> bool:
    """Whether the terminator at m is inside its sentence (an abbreviation, or lower case after it)."""
    nxt = m.end()
    while nxt < end and text[nxt].isspace():
        nxt += 1
    if nxt >= end or "\n" in text[m.end() : nxt]:
        return False  # a terminator then a line break ends the sentence, whatever the case of the next line
    head = text[nxt]
    if head.islower():
        return True
    if not m.group().startswith("."):
        return False
    before = _WORD_BEFORE.search(text, max(0, m.start() - 12), m.start() + 1)
    if before is None:
        return False
    word = before.group(1)
    title = len(word) <= _TITLE_MAX and word[0].isupper() and word[1:].islower() and head.isupper()
    reference = len(word) <= _REFERENCE_MAX and not word.isupper() and head.isdigit()  # not an acronym: "NATO. 5"
    return len(word) == 1 or title or reference


def _add(text: str, s: int, e: int, spans: list[Span]) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        spans.append((s, e))
