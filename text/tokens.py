"""Words of any script, folded for comparison.

fold: NFKC, case folded, diacritics dropped (« Économie » -> "economie", « Ёлка » -> "елка"), typographic
apostrophes made plain. Marks that are part of the letter, not an accent on it, stay: Indic viramas
and nuktas, the kana voicing marks, Thai vowel and tone marks.

Chinese and Japanese write no spaces between words, so a run of Han, kana or Hangul yields its single
characters as words, and overlapping character bigrams as terms (the usual unit for matching CJK text
without a dictionary).
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import regex

_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\u30fc"  # ー (katakana long vowel) is "Common"
_CJK_RUN = regex.compile(f"[{_CJK}]+")
# A run of letters, marks and digits (apostrophes, hyphens and underscores split words).
_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+")


def _tokens(text: str) -> tuple[list[str], bool]:
    """Word tokens, a CJK run being one token of its own, and whether there is any CJK run. (Runs are spaced
    out first: faster than one pattern with a set difference, and most texts have no CJK at all.)"""
    if _CJK_RUN.search(text):
        return _WORD.findall(_CJK_RUN.sub(r" \g<0> ", text)), True
    return _WORD.findall(text), False


# Canonical combining classes of marks that are not accents: nukta 7, kana voicing 8, virama 9,
# Telugu length marks 84/91, Thai/Lao/Tibetan vowel and tone marks 103-132.
_KEEP = {7, 8, 9, 84, 91, 103, 107, 118, 122, 129, 130, 132}


def _marks_to_drop() -> str:
    ranges: list[list[int]] = []
    for cp in range(0x300, min(sys.maxunicode, 0x1FFFF) + 1):
        ccc = unicodedata.combining(chr(cp))
        if ccc and ccc not in _KEEP:
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    return "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


_ACCENT = regex.compile(f"[{_marks_to_drop()}]+")
_PLAIN = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "‛": "'", "`": "'", "´": "'", "œ": "oe"})


def _lower(text: str) -> str:
    if text.isascii():
        return text.lower().replace("`", "'")
    return unicodedata.normalize("NFKC", text).casefold().translate(_PLAIN)


def _unaccent(text: str) -> str:
    if text.isascii():
        return text
    stripped = _ACCENT.sub("", unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFC", stripped)


_unaccent_word = lru_cache(maxsize=65536)(_unaccent)


def fold(text: str) -> str:
    """Lower case without accents, compatibility forms (full-width, ligatures, nbsp) and apostrophes normalised."""
    return _unaccent(_lower(text))


def words(text: str) -> list[str]:
    """Folded word tokens of any script; a CJK run yields its single characters."""
    tokens, cjk = _tokens(fold(text))
    if not cjk:
        return tokens
    out: list[str] = []
    for token in tokens:
        if is_cjk(token):
            out.extend(token)
        else:
            out.append(token)
    return out


_CJK_START = regex.compile(f"[{_CJK}]")


def is_cjk(term: str) -> bool:
    """Whether a word or term is Chinese, Japanese or Korean (one character, or a bigram of terms())."""
    return bool(_CJK_START.match(term))


def _bigrams(run: str) -> list[str]:
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


def terms(text: str, stem: Callable[[list[str]], list[str]] | None = None) -> list[str]:
    """Terms for overlap scores and BM25: the folded words, with each CJK run as overlapping bigrams.

    stem: applied to the (non-CJK) words in lower case before their accents are dropped, since
    stemmers know their language's accents (Russian "новый" -> "нов", but "новыи" -> "новы").
    """
    tokens, any_cjk = _tokens(_lower(text))
    if not any_cjk:
        return [_unaccent_word(w) for w in (stem(tokens) if stem is not None and tokens else tokens)]
    cjk = [is_cjk(t) for t in tokens]
    plain = [t for t, c in zip(tokens, cjk, strict=True) if not c]
    if stem is not None and plain:
        plain = stem(plain)
    it = iter(plain)
    out: list[str] = []
    for token, c in zip(tokens, cjk, strict=True):
        if c:
            out.extend(_bigrams(token))
        else:
            out.append(_unaccent_word(next(it)))
    return out


def char_ngrams(text: str, n: int = 3) -> set[str]:
    """Character n-grams inside each folded word, padded with "_" at both ends ("_ch", "cha", "hat", "at_"
    for "chat"); CJK runs give their bigrams. For near-verbatim overlap in any language."""
    out: set[str] = set()
    tokens, cjk = _tokens(fold(text))
    for word in tokens:
        if cjk and is_cjk(word):
            out.update(_bigrams(word))
            continue
        padded = f"_{word}_"
        if len(padded) <= n:
            out.add(padded)
        else:
            out.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    return out
