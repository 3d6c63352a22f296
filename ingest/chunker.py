"""Sentence-aware chunking that keeps character offsets into the original file.

A chunk is a run of whole sentences from content lines, at most `chunk_chars` long (a longer sentence
stands alone), overlapping its predecessor by `overlap` sentences. Chunks never cross page residue,
so `file_text[start:end]` is always the passage as stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.clean import Line, classify_lines

Span = tuple[int, int]

# A sentence ends with . ! ? … (possibly closed by quotes, brackets or emphasis) before white space.
_SENTENCE_END = re.compile(r"[.!?…]+[»\"”’)\]*_]*(?=\s)")
_LINE_BREAK = re.compile(r"\s*\n\s*(?![\sa-zà-ÿ])")
_TERMINAL = re.compile(r"[.!?…:;»\"”)\]*]\s*$")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences of text[start:end] as absolute spans, stripped of surrounding white space.

    A line break ends a sentence unless the next line starts in lower case (a broken paragraph).
    """
    end = len(text) if end is None else end
    spans: list[Span] = []
    cursor = start
    for brk in _LINE_BREAK.finditer(text, start, end):
        _split(text, cursor, brk.start(), spans)
        cursor = brk.end()
    _split(text, cursor, end, spans)
    return spans


def _split(text: str, start: int, end: int, spans: list[Span]) -> None:
    cursor = start
    for m in _SENTENCE_END.finditer(text, start, end):
        _add(text, cursor, m.end(), spans)
        cursor = m.end()
    _add(text, cursor, end, spans)


def _add(text: str, s: int, e: int, spans: list[Span]) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        spans.append((s, e))


def _segments(text: str, lines: list[Line]) -> Iterator[list[Span]]:
    """Runs of content separated by noise; inside a run, lines broken mid-sentence are rejoined."""
    run: list[Span] = []
    for line in lines:
        if line.kind == "noise":
            if run:
                yield run
            run = []
        elif line.kind == "content":
            prev = run[-1] if run else None
            head = text[line.start : line.end].lstrip()[:1]
            if prev and head.islower() and not _TERMINAL.search(text[prev[0] : prev[1]]):
                run[-1] = (prev[0], line.end)  # "... pour être le\n\npremier." is one paragraph
            else:
                run.append((line.start, line.end))
    if run:
        yield run


def _is_heading(text: str, span: Span) -> bool:
    piece = text[span[0] : span[1]]
    return len(piece) < 90 and not _TERMINAL.search(piece)


def chunk_spans(text: str, chunk_chars: int = 700, overlap: int = 1) -> list[Span]:
    chunks: list[Span] = []
    for run in _segments(text, classify_lines(text)):
        sentences = [s for para in run for s in sentence_spans(text, *para)]
        chunks.extend(_pack(text, sentences, chunk_chars, overlap))
    return chunks


def _pack(text: str, sentences: list[Span], chunk_chars: int, overlap: int) -> Iterator[Span]:
    i = 0
    while i < len(sentences):
        j = i + 1
        while j < len(sentences) and sentences[j][1] - sentences[i][0] <= chunk_chars:
            j += 1
        # A heading belongs with the text it introduces, not at the tail of the previous chunk.
        while j - i > 1 and j < len(sentences) and _is_heading(text, sentences[j - 1]):
            j -= 1
        yield sentences[i][0], sentences[j - 1][1]
        if j >= len(sentences):
            return
        # Overlap with short trailing sentences only, and always make progress.
        back = 0
        while (
            back < overlap and j - back - 1 > i
            and sentences[j - 1][1] - sentences[j - back - 1][0] <= chunk_chars // 2
        ):
            back += 1
        i = j - back


@dataclass(frozen=True)
class Chunk:
    index: int
    start: int
    end: int
    text: str


def chunk_text(text: str, chunk_chars: int = 700, overlap: int = 1) -> list[Chunk]:
    return [
        Chunk(i, s, e, text[s:e]) for i, (s, e) in enumerate(chunk_spans(text, chunk_chars, overlap))
    ]
