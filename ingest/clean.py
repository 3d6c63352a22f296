"""Page furniture recognised by its shape, never by its wording: every decision is a span of the text as read.

A line is content, blank or furniture. Furniture is left out of the index (chunks are cut from content lines
only, so offsets always point into the file as read); every other word of the document is indexed. The rules
look at links, punctuation, repetition and position, so they behave the same in every language:
- a line of links and URLs with no letter or digit outside them (a menu of links, a bare URL);
- the document's tail, when it is at least 3 lines that are not sentences, most of them mostly links
  (related articles, link lists) -- never a tail of sentences, so a report's last paragraphs always stay;
- in a PDF of 3 pages or more, a line among the first or last lines of more than half of its pages (running
  headers and footers); a short line may differ in its digits from page to page (a page number).
A line repeated across the documents of a corpus is the corpus pass's (ingest/repeated.py).
Inline residue (markdown links `[Mike Whitney](#)`, emphasis stars, escaped dollars) is kept in the stored
passage and removed only from the text that is embedded, indexed by keyword or shown to the model.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from text.markup import clean_inline

__all__ = ["ENDS_SENTENCE", "Line", "Span", "classify_lines", "clean_inline", "dropped_spans", "guess_title",
           "line_spans", "normalised", "solid", "with_dropped"]

Kind = Literal["content", "blank", "furniture"]
Span = tuple[int, int]


@dataclass(frozen=True)
class Line:
    start: int
    end: int  # exclusive, without the newline
    kind: Kind


# A line ends a sentence (or a clause) when it ends with one of these; otherwise it is a heading, a label or a
# line broken mid-sentence.
ENDS_SENTENCE = re.compile(r"[.!?…:;»\"”)\]*。！？．؟۔।॥።」』）》]\s*$")
# What a link looks like in text clipped from the web: a markdown link or image, a URL with a scheme or www.,
# or a host name followed by a path (pic.example.com/abc).
_LINK = re.compile(r"!?\[(?P<anchor>[^\]\n]*)\]\([^)\n]*\)|<?(?:[a-z][a-z0-9+.-]*://|www\.)\S+>?"
                   r"|\b(?:[\w-]+\.)+[a-z]{2,}/\S*", re.IGNORECASE)
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")

TAIL_MIN_LINES = 3  # a tail of furniture is a list, not one closing line
LINK_SHARE = 0.5  # of a line's characters inside links, for it to be "mostly links"
SENTENCE_CHARS = 80  # characters outside links from which a line counts as prose even without an end mark
EDGE_LINES = 3  # lines at the top and at the bottom of a PDF page where headers and footers are
EDGE_MIN_PAGES = 3
# A line this short matches across pages with its digits masked ("Page 3 / 12"); a longer one must be the same,
# so that lines of content differing by a figure are never taken for a header.
NUMBERED_CHARS = 30


def solid(text: str) -> int:
    """Characters that are not white space: what the share left out is counted in."""
    return len(_SPACES.sub("", text))


def line_spans(text: str) -> list[Span]:
    spans, pos = [], 0
    for raw in text.split("\n"):
        spans.append((pos, pos + len(raw)))
        pos += len(raw) + 1
    return spans


def normalised(line: str) -> str:
    return _SPACES.sub(" ", line).strip()


def classify_lines(text: str, pages: Sequence[tuple[int, int, int]] = ()) -> list[Line]:
    """Every line of `text` with its kind, by the rules of one document (`pages`: a PDF's page spans)."""
    lines = [Line(s, e, "content" if text[s:e].strip() else "blank") for s, e in line_spans(text)]
    furniture = _link_only(text, lines) | _page_edges(text, lines, pages)
    lines = _mark(lines, furniture)
    return _mark(lines, _link_tail(text, lines))


def _mark(lines: list[Line], indexes: Iterable[int]) -> list[Line]:
    out = list(lines)
    for i in indexes:
        out[i] = replace(out[i], kind="furniture")
    return out


def _link_only(text: str, lines: list[Line]) -> set[int]:
    # A line of punctuation alone (a sentence's "." wrapped onto its own line) is no link: it stays.
    return {i for i, ln in enumerate(lines) if ln.kind == "content" and _LINK.search(text[ln.start : ln.end])
            and not _LETTER_OR_DIGIT.search(_LINK.sub("", text[ln.start : ln.end]))}


def _link_share(line: str) -> tuple[int, int]:
    """(characters a reader sees as links, characters a reader sees): a markdown link shows its anchor only."""
    links = hidden = 0
    for m in _LINK.finditer(line):
        shown = solid(m.group("anchor")) if m.group("anchor") is not None else solid(m.group())
        links += shown
        hidden += solid(m.group()) - shown
    return links, solid(line) - hidden


def _mostly_links(line: str) -> bool:
    links, seen = _link_share(line)
    return links > 0 and links >= LINK_SHARE * seen


def _is_sentence(line: str) -> bool:
    """Prose: not mostly links, and either ending like a sentence or long."""
    if _mostly_links(line):
        return False
    links, seen = _link_share(line)
    return bool(ENDS_SENTENCE.search(line)) or seen - links >= SENTENCE_CHARS


def _link_tail(text: str, lines: list[Line]) -> list[int]:
    """The lines after the last sentence, when there are a few and most of them are mostly links."""
    tail: list[int] = []
    for i in range(len(lines) - 1, -1, -1):
        ln = lines[i]
        if ln.kind == "blank":
            continue
        if ln.kind == "content" and _is_sentence(text[ln.start : ln.end]):
            break
        tail.append(i)
    links = sum(_mostly_links(text[lines[i].start : lines[i].end]) for i in tail)
    return tail if len(tail) >= TAIL_MIN_LINES and 2 * links > len(tail) else []


def _page_edges(text: str, lines: list[Line], pages: Sequence[tuple[int, int, int]]) -> set[int]:
    """Lines among the first or last few of more than half the pages (at least 3 of them)."""
    if len(pages) < EDGE_MIN_PAGES:
        return set()
    edges: list[dict[str, list[int]]] = []  # per page: masked line -> its line indexes at the page's edges
    starts = [ln.start for ln in lines]
    for start, end, _ in pages:
        first, last = bisect_left(starts, start), bisect_right(starts, end)
        inside = [i for i in range(first, last) if lines[i].kind == "content" and lines[i].end <= end]
        zone = min(EDGE_LINES, len(inside) // 3)  # the middle third of a short page is never an edge
        at_edge: dict[str, list[int]] = {}
        for i in dict.fromkeys(inside[:zone] + inside[len(inside) - zone :]):
            line = normalised(text[lines[i].start : lines[i].end])
            at_edge.setdefault(_DIGITS.sub("#", line) if solid(line) <= NUMBERED_CHARS else line, []).append(i)
        edges.append(at_edge)
    counts = Counter(key for page in edges for key in page)
    return {i for page in edges for key, found in page.items()
            if counts[key] >= EDGE_MIN_PAGES and 2 * counts[key] > len(pages) for i in found}


def dropped_spans(lines: Sequence[Line]) -> list[Span]:
    """Furniture as spans of the text, consecutive lines (blank lines between them included) merged."""
    spans: list[Span] = []
    joins = False  # no content line since the last furniture
    for ln in lines:
        if ln.kind == "furniture":
            if joins:
                spans[-1] = (spans[-1][0], ln.end)
            else:
                spans.append((ln.start, ln.end))
            joins = True
        elif ln.kind == "content":
            joins = False
    return spans


def with_dropped(text: str, spans: Sequence[Span]) -> list[Line]:
    """The lines of `text`, those inside `spans` (recorded at read time) as furniture."""
    out, j = [], 0
    for s, e in line_spans(text):
        while j < len(spans) and spans[j][1] < e:
            j += 1
        kind: Kind = "blank" if not text[s:e].strip() else (
            "furniture" if j < len(spans) and spans[j][0] <= s else "content")
        out.append(Line(s, e, kind))
    return out


def guess_title(text: str, lines: list[Line], fallback: str) -> str:
    """The first content line that reads like a headline (a few words, not a sentence fragment)."""
    for line in lines:
        if line.kind != "content":
            continue
        candidate = clean_inline(text[line.start : line.end])
        if len(candidate.split()) >= 3 and len(candidate) <= 200:
            return candidate
    return fallback
