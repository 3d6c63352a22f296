"""A BM25 keyword index over a collection's passages, in any language.

Analysis (text.tokens.terms): words of every script, accents folded, Chinese/Japanese/Korean as character
bigrams; words stemmed with the Snowball stemmer of the passage's language when Snowball has one, and the stop-words
of bm25s' lists for that language dropped (14 languages; IDF alone is not enough: « quel », « combien »
are rare in passages, so highly weighted, and cost 3-5 of 175 French gold questions their evidence in the
top 5). A question is stemmed in its own language and in the corpus' main language(s), so an English
question over French documents still meets their cognates ("tokens" / « tokens », "economy" / « économie »).

Built from what Chroma holds, so it can never disagree with the vector index; rebuilt when the
collection's sync stamp changes.

Each passage is also indexed with the names of the passage before it in its document: news text says
who speaks once (« DD Dosa de Menow Ventures a écrit : ») and quotes them for several passages, so
« selon DD Dosa, quel prix… » must reach the passage holding the price, not only the one holding the name.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from functools import cache

import bm25s
import bm25s.stopwords
import numpy as np
import regex
import Stemmer

from text.language import detect
from text.markup import clean_inline
from text.tokens import fold, is_cjk, terms

# ISO 639-1 -> Snowball algorithm (those PyStemmer ships; others are indexed unstemmed).
_SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech", "da": "danish",
    "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian", "fi": "finnish", "fr": "french",
    "de": "german", "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "fa": "persian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "es": "spanish", "sv": "swedish",
    "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}
_AVAILABLE = set(Stemmer.algorithms())
_STOPWORDS = {
    "en": bm25s.stopwords.STOPWORDS_EN, "fr": bm25s.stopwords.STOPWORDS_FRENCH,
    "de": bm25s.stopwords.STOPWORDS_GERMAN, "es": bm25s.stopwords.STOPWORDS_SPANISH,
    "it": bm25s.stopwords.STOPWORDS_ITALIAN, "pt": bm25s.stopwords.STOPWORDS_PORTUGUESE,
    "nl": bm25s.stopwords.STOPWORDS_DUTCH, "da": bm25s.stopwords.STOPWORDS_DANISH,
    "sv": bm25s.stopwords.STOPWORDS_SWEDISH, "no": bm25s.stopwords.STOPWORDS_NORWEGIAN,
    "ru": bm25s.stopwords.STOPWORDS_RUSSIAN, "tr": bm25s.stopwords.STOPWORDS_TURKISH,
}
_local = threading.local()  # a Stemmer object is not thread-safe: one per thread and language
_SAMPLE = 300  # characters of a passage enough to tell its language (questions are shorter)
MAIN_SHARE = 0.25  # a language with at least this share of the passages is one the questions are stemmed in


def _stemmer(lang: str) -> Callable[[list[str]], list[str]] | None:
    algorithm = _SNOWBALL.get(lang)
    if algorithm not in _AVAILABLE:
        return None
    cache = _local.__dict__.setdefault("stemmers", {})
    if algorithm not in cache:
        cache[algorithm] = Stemmer.Stemmer(algorithm).stemWords
    return cache[algorithm]


@cache
def _stopwords(lang: str) -> frozenset[str]:
    words = _STOPWORDS.get(lang, ())
    return frozenset(words) | {fold(w) for w in words}


def _dropping(stops: frozenset[str], stem: Callable[[list[str]], list[str]] | None) -> Callable[[list[str]], list[str]]:
    def run(words: list[str]) -> list[str]:
        stemmed = stem(words) if stem is not None else words
        return ["" if w in stops else s for w, s in zip(words, stemmed, strict=True)]
    return run


def _keep(term: str) -> bool:
    return len(term) > 1 or term.isdigit() or is_cjk(term)


def analyse(text: str, lang: str | None = None, also: Sequence[str] = ()) -> list[str]:
    """BM25 terms of text, stemmed in lang (detected if None) and in each language of also."""
    text = clean_inline(text)
    langs = list(dict.fromkeys([lang or detect(text), *also]))
    stemmers = [s for s in dict.fromkeys(_stemmer(code) for code in langs) if s is not None]
    stops = _stopwords(langs[0])
    if stops:  # a stop-word "stems" to "", which _keep drops
        stemmers = [_dropping(stops, stem) for stem in stemmers or [None]]
    if len(stemmers) <= 1:
        return [t for t in terms(text, stemmers[0] if stemmers else None) if _keep(t)]
    runs = [terms(text, stem) for stem in stemmers]  # same words in the same order, stemmed differently
    return [t for forms in zip(*runs, strict=True) for t in dict.fromkeys(forms) if _keep(t)]


def passage_languages(ids: Sequence[str], texts: Sequence[str]) -> list[str]:
    """The language of each passage, told once per document when ids are "<doc>#<n>" (as ingest makes them):
    detecting 100k passages one by one would cost more than indexing them."""
    seen: dict[str, str] = {}
    out = []
    for pid, text in zip(ids, texts, strict=True):
        doc, sep, _ = pid.rpartition("#")
        key = f"#{doc}" if sep else text[:_SAMPLE]  # identical openings (copies) are told once too
        if key not in seen:
            seen[key] = detect(text[: 4 * _SAMPLE] if sep else key)  # a document's first passage: more of it
        out.append(seen[key])
    return out


# A capitalised word after a word or a comma: a name, not the first word of a sentence or a quote.
_NAME = regex.compile(r"(?<=[\w,;)] )\p{Lu}[\w’'-]+")


def names_before(texts: Sequence[str], metas: Sequence[Mapping[str, object]]) -> list[str]:
    """For each passage, the names in the passage just before it in the same document ("" for a first one)."""
    order = sorted(range(len(texts)), key=lambda i: (str(metas[i].get("doc", "")), int(metas[i].get("char_start", 0))))
    out = [""] * len(texts)
    for prev, i in zip(order, order[1:], strict=False):
        if metas[prev].get("doc") == metas[i].get("doc"):
            out[i] = " ".join(_NAME.findall(texts[prev]))
    return out


class KeywordIndex:
    def __init__(self, ids: list[str], texts: list[str], contexts: Sequence[str] | None = None) -> None:
        """contexts: extra text indexed with each passage (see names_before), not shown anywhere."""
        self.ids = ids
        self._vocab: dict[str, int] = {}
        contexts = contexts or [""] * len(texts)
        langs = passage_languages(ids, texts)
        counts = Counter(langs)
        # The corpus' main languages, most frequent first: a question is also stemmed in these.
        self.languages = [code for code, n in counts.most_common(3)
                          if n >= MAIN_SHARE * len(langs) or code == counts.most_common(1)[0][0]]
        corpus = [[self._vocab.setdefault(t, len(self._vocab)) for t in analyse(f"{ctx} {text}", lang)] or [0]
                  for ctx, text, lang in zip(contexts, texts, langs, strict=True)]
        self._bm25 = bm25s.BM25()
        if ids:
            self._bm25.index(bm25s.tokenization.Tokenized(ids=corpus, vocab=self._vocab), show_progress=False)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        analysed = analyse(query, detect(query, self.languages[0] if self.languages else "en"), self.languages)
        tokens = [self._vocab[t] for t in analysed if t in self._vocab]
        if not tokens or not self.ids:
            return []
        scores = self._bm25.get_scores(tokens)
        if len(scores) > k:  # a partial sort: at 100k passages a full one costs more than the search
            top = np.argpartition(-scores, k)[:k]
            top = top[np.argsort(-scores[top])]
        else:
            top = np.argsort(-scores)
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
