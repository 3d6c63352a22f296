"""The words a reader sees in a passage: markdown link targets, bare URLs, emphasis marks and escapes dropped.

What is embedded and shown to the model; the stored passage stays verbatim (offsets into the file).
"""

from __future__ import annotations

import re

LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_URL = re.compile(r"<?https?://\S+>?")
_EMPHASIS = re.compile(r"(?<!\w)[*_]{1,3}|[*_]{1,3}(?!\w)")
_SPACES = re.compile(r"\s+")


def clean_inline(text: str) -> str:
    text = LINK.sub(r"\1", text)
    text = _URL.sub("", text)
    text = text.replace("\\$", "$").replace("\\\\", "\\")
    text = _EMPHASIS.sub("", text)
    return _SPACES.sub(" ", text).strip()
