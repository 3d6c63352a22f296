"""Answer -> HTML for the browser. Every piece of document or model text is escaped here."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from html import escape

import numpy as np

from qa.cite import best_sentences
from qa.schema import Answer, Citation, Passage

Similarity = Callable[[Sequence[str], Sequence[str]], np.ndarray]

_MARK = re.compile(r"\[(\d+)\]")


_VERDICT = {
    "supported": ("supported", "✓ Supported by the sources"),
    "partly_supported": ("partly", "◐ Partly supported"),
}


def draft_markdown(text: str) -> str:
    """The draft while the model writes it: said to be a draft, under check."""
    return f'<div class="verdict checking">Draft, being checked against the sources…</div>{escape(text)}'


def answer_markdown(answer: Answer) -> str:
    """The chat message: the verdict, then the escaped answer with unsupported sentences flagged and citation
    markers linked; a withheld draft stays readable, folded, with why it was withheld."""
    if answer.error:
        body = f"⚠️ {escape(answer.error)}"
        if answer.answer:
            body += f"\n\n<i>Partial answer:</i> {escape(answer.answer)}"
        return body
    if answer.refused:
        return _refusal(answer)
    head = ""
    if answer.verdict in _VERDICT:
        kind, label = _VERDICT[answer.verdict]
        why = f": {escape(answer.reason)}" if answer.reason else ""
        sure = f" · confidence {answer.confidence:.2f}" if answer.confidence is not None else ""
        head = f'<div class="verdict {kind}">{label}{why}{sure}</div>'
    return head + _body(answer)


def _refusal(answer: Answer) -> str:
    body = f'<span class="refusal">{escape(answer.answer)}</span>'
    if answer.verdict == "withheld" and answer.draft:
        return (f'{body}<details class="withheld"><summary>A draft was withheld: {escape(answer.reason or "")}'
                f'</summary><div class="draft">{escape(answer.draft)}</div></details>')
    if answer.reason:
        return f'{body}<div class="verdict why">{escape(answer.reason)}</div>'
    return body


def _body(answer: Answer) -> str:
    text = answer.answer
    pieces, cursor = [], 0
    for start, end in answer.unsupported:
        pieces.append(_link_markers(escape(text[cursor:start])))
        pieces.append(
            f'<span class="unsupported" title="No shown passage supports this sentence">'
            f"{escape(text[start:end])} ⚠</span>"
        )
        cursor = end
    pieces.append(_link_markers(escape(text[cursor:])))
    return "".join(pieces)


def _link_markers(text: str) -> str:
    return _MARK.sub(lambda m: f'<a class="cite" href="#src-{m.group(1)}">[{m.group(1)}]</a>', text)


def sources_html(answer: Answer | None, pending: bool = False, similarity: Similarity | None = None) -> str:
    """The sources panel. For a refusal, the closest passages with the sentence of each that best matches the
    question highlighted (by words, and by embedding cosine when `similarity` is given), said not to be an
    answer: the user can still read what the documents say."""
    if answer is None:
        return '<div class="sources empty">Sources appear here as soon as you ask.</div>'
    closest = answer.refused and bool(answer.retrieved) and not pending
    marked = best_sentences(answer.question, answer.retrieved, similarity) if closest else answer.citations
    cited: dict[int, list[Citation]] = {}
    for c in marked:
        cited.setdefault(c.n, []).append(c)
    items = [_passage_html(n, p, cited.get(n, []), closest) for n, p in enumerate(answer.retrieved, 1)]
    head = "Searching…" if pending else ("Sources" if answer.retrieved else "No passage found")
    note = ""
    if closest:
        head = "Closest passages"
        note = ('<div class="closest-note">The documents do not answer this question. These are the closest '
                "passages, not an answer; in each, the sentence closest to the question is highlighted.</div>")
    return (
        f'<div class="sources{" closest" if closest else ""}"><div class="sources-head">{head}</div>{note}'
        f'{"".join(items)}<div class="meta">{escape(_meta(answer))}</div></div>'
    )


def _passage_html(n: int, p: Passage, citations: list[Citation], closest: bool = False) -> str:
    # Highlight each quoted sentence inside the passage (offsets are absolute in the document).
    spans = sorted({(c.start - p.start, c.end - p.start) for c in citations if p.start <= c.start < p.end})
    body, cursor = [], 0
    for s, e in spans:
        if s < cursor:
            continue
        body.append(escape(p.text[cursor:s]))
        body.append(f"<mark>{escape(p.text[s:e])}</mark>")
        cursor = e
    body.append(escape(p.text[cursor:]))
    state = " open" if citations else ""
    badge = '<span class="badge">cited</span>' if citations and not closest else ""
    if p.suspicious:
        badge += ('<span class="badge warn" title="Sentences of this passage give instructions to the assistant; '
                  'they were not used">⚠ contains instructions, ignored</span>')
    title = escape(p.title or p.doc)
    return (
        f'<details id="src-{n}" class="source"{state}><summary><b>[{n}]</b> {title} {badge}'
        f'<div class="where">{escape(p.doc)}{f" · page {p.page}" if p.page else ""} · characters '
        f'{p.start}–{p.end} · score {p.score:.2f}</div>'
        f'</summary><div class="passage">{"".join(body)}</div></details>'
    )


def _meta(answer: Answer) -> str:
    t = answer.timings
    parts = [f"LLM {answer.backend.get('llm', '?')}", f"embeddings {answer.backend.get('embed', '?')}",
             f"retrieval {t.retrieve_ms:.0f} ms"]
    if t.first_token_ms is not None:
        parts.append(f"first token {t.first_token_ms / 1000:.1f} s")
    if t.total_ms:
        parts.append(f"total {t.total_ms / 1000:.1f} s")
    if t.gen_tokens_per_s:
        parts.append(f"{t.gen_tokens_per_s:.1f} tokens/s")
    return " · ".join(parts)


CSS = """
.sources .sources-head { font-weight: 600; margin-bottom: .4em; }
.sources .source { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: .3em .6em;
  margin-bottom: .4em; }
.sources .where { font-size: .8em; opacity: .75; font-weight: normal; }
.sources .passage { white-space: pre-wrap; font-size: .9em; margin-top: .4em; }
.sources mark { background: #ffe58a; color: inherit; }
.sources .badge { font-size: .7em; background: #2e7d32; color: white; border-radius: 4px; padding: 0 .4em; }
.sources .badge.warn { background: #c62828; margin-left: .3em; }
.sources .closest-note { font-size: .85em; opacity: .8; margin-bottom: .5em; }
.sources .meta { font-size: .75em; opacity: .7; margin-top: .6em; }
.unsupported { text-decoration: underline dotted #c62828; }
.refusal { font-style: italic; }
.verdict { font-size: .8em; margin-bottom: .3em; opacity: .85; }
.verdict.supported { color: #2e7d32; }
.verdict.partly { color: #b26a00; }
.verdict.checking { font-style: italic; }
.withheld summary { font-size: .8em; cursor: pointer; }
.withheld .draft { white-space: pre-wrap; opacity: .75; border-left: 3px solid #b26a00; padding-left: .5em; }
"""
