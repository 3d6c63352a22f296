"""Sentence-aware chunking that keeps character offsets into the original file.

A chunk is a run of whole sentences from content lines, at most `chunk_chars` long (a longer sentence
stands alone), overlapping its predecessor by `overlap` sentences. Chunks never cross page furniture
(ingest/clean.py), so `file_text[start:end]` is always the passage as stored and holds none of it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ingest.clean import ENDS_SENTENCE, Line, classify_lines
from text.sentences import Span, sentence_spans

__all__ = ["Chunk", "Span", "chunk_spans", "chunk_text", "sentence_spans"]


def _segments(text: str, lines: Sequence[Line]) -> Iterator[list[Span]]:
    """Runs of content separated by furniture; inside a run, lines broken mid-sentence are rejoined."""
    run: list[Span] = []
    for line in lines:
        if line.kind == "furniture":
            if run:
                yield run
            run = []
        elif line.kind == "content":
            prev = run[-1] if run else None
            head = text[line.start : line.end].lstrip()[:1]
            if prev and head.islower() and not ENDS_SENTENCE.search(text[prev[0] : prev[1]]):
                run[-1] = (prev[0], line.end)  # "... pour être le\n\npremier." is one paragraph
            else:
                run.append((line.start, line.end))
    if run:
        yield run


def _is_heading(text: str, span: Span) -> bool:
    piece = text[span[0] : span[1]]
    return len(piece) < 90 and not ENDS_SENTENCE.search(piece)


def chunk_spans(text: str, chunk_chars: int = 700, overlap: int = 1,
                lines: Sequence[Line] | None = None) -> list[Span]:
    """Chunks of the content among `lines` (default: all of text's, classified alone), as spans of text."""
    chunks: list[Span] = []
    for run in _segments(text, classify_lines(text) if lines is None else lines):
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


def chunk_text(text: str, chunk_chars: int = 700, overlap: int = 1,
               lines: Sequence[Line] | None = None) -> list[Chunk]:
    return [
        Chunk(i, s, e, text[s:e]) for i, (s, e) in enumerate(chunk_spans(text, chunk_chars, overlap, lines))
    ]
