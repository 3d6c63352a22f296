"""Figures in a text as canonical ASCII strings, whatever the digits' script.

"1 000", "1,000", "1.000" and "١٬٠٠٠" -> "1000"; "5,6", "5.60" and "٥٫٦" -> "5.6"; "1 234 567,5" -> "1234567.5".
A group of exactly three digits after a single separator is read as thousands ("1,000"), as everywhere in
this project. Not the digits of a name (R1, GPT-4, Llama-3.1), which are no figure.
"""

from __future__ import annotations

import re
import unicodedata

# Thousands separators: space, no-break space, narrow no-break space, thin space, comma, dot, Arabic ٬.
_GROUP = "[ \u00a0\u202f\u2009,.\u066c]"
# Decimal separators: dot, comma, Arabic ٫.
_DECIMAL = "[.,\u066b]"
# \d is any script's decimal digit. Not after a letter or digit (R1), a letter and a hyphen (GPT-4), or a
# digit and a separator (the "1" of "Llama-3.1" once "3" is refused).
_NUMBER = re.compile(
    r"(?<![^\W_])(?<![^\W\d_]-)(?<!\d[.,\u066b\u066c])"
    rf"(?:\d{{1,3}}(?P<sep>{_GROUP})\d{{3}}(?!\d)(?:(?P=sep)\d{{3}}(?!\d))*(?:{_DECIMAL}\d+)?"
    rf"|\d+(?:{_DECIMAL}\d+)?)"
)
_TO_DOT = str.maketrans({",": ".", "\u066b": "."})


def _ascii(digits: str) -> str:
    return digits if digits.isascii() else "".join(str(unicodedata.decimal(c, c)) for c in digits)


def canonical(raw: str, sep: str | None = None) -> str:
    """One matched figure in canonical form; sep: its thousands separator, if it has groups."""
    raw = _ascii(raw)
    if sep:
        groups_end = raw.rfind(sep) + 4  # the last group is exactly three digits
        whole, frac = raw[:groups_end].replace(sep, ""), raw[groups_end + 1 :]
    else:
        whole, _, frac = raw.translate(_TO_DOT).partition(".")
        if len(frac) == 3:  # "1,000" or "1.000": a thousands separator, not a decimal
            whole, frac = whole + frac, ""
    frac = frac.rstrip("0")
    return (whole.lstrip("0") or "0") + (f".{frac}" if frac else "")


def numbers(text: str) -> set[str]:
    """The figures of text, canonical: {"1000", "5.6"} for « 1 000 personnes, 5,6 % »."""
    return {canonical(m.group(), m.group("sep")) for m in _NUMBER.finditer(text)}
