"""Attribute every answer sentence to the passage sentence that supports it, in code, whatever the model wrote.

Support is read from language-neutral signals, the same for every script:
- near-verbatim overlap: the share of the words a sentence adds to the question that a passage sentence (with
  its neighbours) also has, each word weighing its length (an invented name weighs more than « le »), a
  word counting as found in another inflection (the same first letters but its last three, or most of its
  character trigrams); Chinese and Japanese by character bigrams;
- every number it adds (digits of any script) must be stated there;
- for an answer in another language than the passage, the multilingual embedding model's cosine.
The model's [n] markers are hints: kept when their passage supports the sentence, else the sentence is
re-attributed to the passage that does, or left uncited and flagged. A marker inside a sentence also
splits it, so a sentence joining two passages' facts is checked clause by clause. Citation n always means
passage n as shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from qa.schema import Citation, Passage
from text.numbers import numbers
from text.sentences import sentence_spans
from text.tokens import char_ngrams, terms

# "[2]", "[1, 3]", "[1][2]", "[Extrait 2]", "[excerpt 2]", "【2】": any bracketed number, with a word before it.
_ONE_MARKER = r"[\[【](?:[^\W\d]+\s*)?\d+(?:\s*[,;、]\s*\d+)*[\]】]"
_MARKER = re.compile(rf"\s*{_ONE_MARKER}(?:\s*[,;&、]?\s*{_ONE_MARKER})*")

_ENUMERATOR = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_LETTER = re.compile(r"[^\W\d_]")
_LEAD_IN = re.compile(r"[:：]\s*$")

# similarity(sentences, passage_sentences) -> cosine matrix, from the embedding model.
Similarity = Callable[[Sequence[str], Sequence[str]], Sequence[Sequence[float]]]


@dataclass
class _PassageSentence:
    passage: int  # 0-based index in the shown list
    start: int  # offsets into the document
    end: int
    text: str
    terms: set[str]
    prefixes: set[str]
    grams: set[str]
    numbers: set[str]


@dataclass
class Attribution:
    text: str  # the answer with verified [n] markers
    citations: list[Citation] = field(default_factory=list)
    unsupported: list[tuple[int, int]] = field(default_factory=list)  # spans in `text`
    supports: list[float] = field(default_factory=list)  # each answer sentence's best support, 0..1

    @property
    def supported_sentences(self) -> int:
        return len(self.supports) - len(self.unsupported)

    @property
    def support(self) -> float:
        """The weakest sentence's support: an answer is as trustworthy as its least supported claim."""
        return min(self.supports, default=0.0)


def strip_markers(text: str) -> tuple[str, list[int]]:
    found = [int(n) for m in _MARKER.finditer(text) for n in re.findall(r"\d+", m.group(0))]
    return _MARKER.sub("", text).strip(), found


def _passage_sentences(passages: Sequence[Passage]) -> list[_PassageSentence]:
    out = []
    for i, p in enumerate(passages):
        for s, e in sentence_spans(p.text):
            piece = p.text[s:e]
            found = set(terms(piece))
            out.append(_PassageSentence(i, p.start + s, p.start + e, piece, found, _prefixes(found),
                                        char_ngrams(piece), numbers(piece)))
    return out


INFLECTED = 0.75  # share of a long word's trigrams that makes it found


def _share(claim: set[str], found: set[str]) -> float:
    return len(claim & found) / len(claim) if claim else 0.0


def _prefixes(found: set[str]) -> set[str]:
    return {t[:n] for t in found for n in range(4, len(t) + 1)}


def _stem(term: str) -> str:
    return term[: max(4, len(term) - 3)]


@dataclass
class _Words:
    """What a passage sentence, or a window of them, offers to match a claim's words."""

    terms: set[str]
    prefixes: set[str]
    grams: set[str]

    def support(self, claim: set[str]) -> float:
        """The length-weighted share of the claim's words found here, as such or in another inflection."""
        total = sum(len(t) for t in claim)
        hit = sum(len(t) for t in claim if t in self.terms or (
            len(t) >= 5 and (_stem(t) in self.prefixes or _share(char_ngrams(t), self.grams) >= INFLECTED)))
        return hit / total if total else 0.0


def _clauses(sentence: str) -> list[tuple[str, list[int]]]:
    """A sentence cut after each inline marker: « X a perdu 600 milliards [1], et Y 500 [3]. » is two claims."""
    out, cursor = [], 0
    for m in _MARKER.finditer(sentence):
        if sentence[m.end() :].strip(" .。!?！？,;，；"):
            out.append(sentence[cursor : m.end()])
            cursor = m.end()
    out.append(sentence[cursor:])
    # A list's numbering (« 1. », "2)") is no figure to support: only what follows it is checked.
    return [(text, hinted) for text, hinted in (strip_markers(_ENUMERATOR.sub("", o)) for o in out)
            if _LETTER.search(text)]


@dataclass
class _Checker:
    psents: list[_PassageSentence]
    q_terms: set[str]
    q_numbers: set[str]
    threshold: float

    def best(self, text: str, hinted: list[int], sims: Sequence[float] | None) -> tuple[float, float, int]:
        """(support, own-sentence score, index of the quoted passage sentence); support 0 when nothing may
        support it (a figure no passage states, or nothing added to the question)."""
        claim = set(terms(text)) - self.q_terms  # what the text adds to the question
        new_numbers = numbers(text) - self.q_numbers
        if not claim and not new_numbers:
            return (0.0, 0.0, -1)  # it restates the question
        best: tuple[float, float, int] = (0.0, 0.0, -1)
        scores: dict[int, tuple[float, float, int]] = {}
        for j, ps in enumerate(self.psents):
            near = self._around(j)
            if not new_numbers <= ps.numbers.union(*(self.psents[k].numbers for k in near)):
                continue  # a figure the passage does not state
            own = _Words(ps.terms, ps.prefixes, ps.grams).support(claim)
            around = [ps, *(self.psents[k] for k in near)]
            window = _Words(set().union(*(a.terms for a in around)), set().union(*(a.prefixes for a in around)),
                            set().union(*(a.grams for a in around))).support(claim)
            if sims is not None:  # another language than the passage: its words cannot match
                own = max(own, _from_cosine(sims[j]))
            key = (max(own, window), own, j)
            scores[ps.passage] = max(key, scores.get(ps.passage, key))
            best = max(best, key)
        hint = next((scores[n - 1] for n in hinted if n - 1 in scores and scores[n - 1][0] >= self.threshold), None)
        return hint or best

    def _around(self, j: int) -> list[int]:
        """The sentences just before and after sentence j in the same passage: a claim may draw on them."""
        return [k for k in (j - 1, j + 1)
                if 0 <= k < len(self.psents) and self.psents[k].passage == self.psents[j].passage]


def attribute(answer: str, passages: Sequence[Passage], question: str = "", similarity: Similarity | None = None,
              cross_lingual: bool = False, threshold: float = 0.5) -> Attribution:
    """cross_lingual: the answer's language differs from a passage's, so embedding similarity counts too.
    threshold: the support a sentence needs to be cited."""
    psents = _passage_sentences(passages)
    checker = _Checker(psents, set(terms(question)), numbers(question), threshold)
    answer = answer.strip()
    spans = sentence_spans(answer)
    # Each sentence's claims; a lead-in (« Pour cela : ») and a list's numbering are kept, not checked.
    pieces = [[] if _LEAD_IN.search(answer[st:en]) else _clauses(answer[st:en]) for st, en in spans]
    flat = [text for clauses in pieces for text, _ in clauses]
    sims = None
    # Embeddings only where words cannot match: in the same language, meaning alone would let an invented
    # name through (« lancé par Zhang Wei » is as close to « lancé par Liang Wenfeng » as a paraphrase).
    if similarity is not None and cross_lingual and psents and flat:
        sims = np.asarray(similarity(flat, [ps.text for ps in psents]))

    result = Attribution(text="")
    cited: dict[tuple[int, int], Citation] = {}  # one per (passage, quoted sentence)
    out, cursor, k = "", 0, 0  # the answer rebuilt, keeping its line breaks and list layout
    for (st, en), clauses in zip(spans, pieces, strict=True):
        out += answer[cursor:st]
        cursor = en
        if not clauses:
            out += strip_markers(answer[st:en])[0]  # a stray marker goes, a numbering stays
            continue
        marked, weakest = [], 1.0
        for text, hinted in clauses:
            support, _, j = checker.best(text, hinted, sims[k] if sims is not None else None)
            k += 1
            weakest = min(weakest, support)
            if support < threshold:
                marked.append(text)
                continue
            ps = psents[j]
            p = passages[ps.passage]
            cited.setdefault((ps.passage + 1, ps.start), Citation(ps.passage + 1, p.doc, ps.start, ps.end, ps.text,
                                                                  support=support, page=p.page))
            marked.append(_with_marker(text, ps.passage + 1))
        body = re.sub(r"\s+(?=[,;，；、])", "", " ".join(marked))
        result.supports.append(weakest)
        if weakest < threshold:
            result.unsupported.append((len(out), len(out) + len(body)))
        out += body
    result.text = out.rstrip()
    result.citations = [cited[key] for key in sorted(cited)]
    return result


def _from_cosine(cos: float, floor: float = 0.38) -> float:
    """Map embedding cosine to the overlap scale: ~0.35-0.5 unrelated, 0.55-0.75 a faithful translation
    (EmbeddingGemma, French passage and English answer)."""
    return max(0.0, min(1.0, (float(cos) - floor) / 0.3))


def _with_marker(sentence: str, n: int) -> str:
    m = re.search(r"[.!?…。！？]+[»\"”)]*$", sentence)
    if m:
        return f"{sentence[: m.start()].rstrip()} [{n}]{sentence[m.start():]}"
    return f"{sentence.rstrip(' ,;，；')} [{n}]"


def best_sentences(question: str, passages: Sequence[Passage], similarity: Similarity | None = None) -> list[Citation]:
    """For search mode: in each passage, the sentence that best matches the question."""
    psents = _passage_sentences(passages)
    q = set(terms(question))
    sims = similarity([question], [ps.text for ps in psents])[0] if similarity and psents else None
    best: dict[int, tuple[float, _PassageSentence]] = {}
    for j, ps in enumerate(psents):
        score = _Words(ps.terms, ps.prefixes, ps.grams).support(q) + (float(sims[j]) if sims is not None else 0.0)
        if ps.passage not in best or score > best[ps.passage][0]:
            best[ps.passage] = (score, ps)
    return [Citation(i + 1, passages[i].doc, ps.start, ps.end, ps.text, support=score, page=passages[i].page)
            for i, (score, ps) in sorted(best.items())]
