"""Whether an answer holds an expected key, in any script: the one definition the eval scores with and the
self-calibration grades its own questions with."""

from __future__ import annotations

import re
import unicodedata

# Han (with its extensions and compatibility block), Hiragana, Katakana, Hangul (syllables and jamo):
# scripts written without spaces between words, where each character is its own token.
_CJK = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3038-\u303b\u3040-\u30ff\u3130-\u318f"
    "\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff"
    "\U00020000-\U0003ffff]"
)
_KANA_MARKS = "\u3099\u309a"  # the kana voicing marks make another syllable (か/が): not an accent
_LIGATURES = {"œ": "oe", "æ": "ae"}


def normalise(text: str) -> str:
    """Tokens joined by single spaces, for word-boundary matching in any script: NFKC, case folded,
    combining marks dropped (accents, Arabic vowel signs; not the kana voicing marks), digits of every
    script as ASCII digits, every run of non-word characters (punctuation, spaces) as one space — so
    "5,6" = "5.6" = "5 6" — and each Han, Kana or Hangul character a token of its own (those scripts put
    no spaces between words)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = unicodedata.normalize("NFD", text)
    text = unicodedata.normalize("NFC", "".join(c for c in text if not unicodedata.combining(c) or c in _KANA_MARKS))
    tokens: list[str] = []
    word: list[str] = []
    for c in text:
        c = _LIGATURES.get(c, c)
        cat = unicodedata.category(c[0])
        if cat == "Nd":
            word.append(str(unicodedata.decimal(c)))
        elif cat[0] in "LNM" and _CJK.match(c):
            if word:
                tokens.append("".join(word))
                word = []
            tokens.append(c)
        elif cat[0] in "LNM":  # letters, numbers, the marks left (vowel signs of Indic scripts)
            word.append(c)
        elif word:
            tokens.append("".join(word))
            word = []
    if word:
        tokens.append("".join(word))
    return " ".join(tokens)


def contains(answer: str, key: str) -> bool:
    """Word-boundary match (a Han, Kana or Hangul character is a word), case- and accent-insensitive,
    punctuation and spacing normalised, digits of any script."""
    key_n = normalise(key)
    return bool(key_n) and f" {key_n} " in f" {normalise(answer)} "
