"""Lines repeated across the documents of a corpus: a site's menus, bylines and notices clipped with each page.

A line (white space aside) found in at least half the documents, and in at least 3, is furniture in every
document but the first that holds it: its words stay in the index once, so the corpus loses nothing, and a
corpus of one or two documents is never touched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from ingest.clean import Line, normalised

MIN_DOCS = 3


def drop_repeated(docs: Sequence[tuple[str, list[Line]]]) -> list[list[Line]]:
    """Each document's lines (text, lines as classified alone), with lines repeated across the corpus marked."""
    keys = [{normalised(text[ln.start : ln.end]) for ln in lines if ln.kind == "content"} for text, lines in docs]
    counts = Counter(k for doc_keys in keys for k in doc_keys)
    threshold = max(MIN_DOCS, -(-len(docs) // 2))
    owner: dict[str, int] = {}
    for i, doc_keys in enumerate(keys):
        for k in doc_keys:
            if counts[k] >= threshold:
                owner.setdefault(k, i)
    out = []
    for i, (text, lines) in enumerate(docs):
        out.append([replace(ln, kind="furniture") if ln.kind == "content"
                    and owner.get(normalised(text[ln.start : ln.end]), i) != i else ln for ln in lines])
    return out
