"""The dev/test split of every gold set: each item goes, once and forever, to one half by a hash of its id.

"dev" items may be read to find what to fix; "test" items are only ever scored. The half depends on the
id alone (not on the file, its order or the other items), so adding items never moves existing ones.
"""

from __future__ import annotations

import hashlib
from typing import Literal

Half = Literal["dev", "test"]
HALVES: tuple[Half, Half] = ("dev", "test")


def _key(item_id: str) -> int:
    return int(hashlib.sha256(item_id.encode("utf-8")).hexdigest(), 16)


def half(item_id: str) -> Half:
    return "dev" if _key(item_id) % 2 == 0 else "test"


def hash_order(item_id: str) -> int:
    """A fixed pseudo-random order of ids (for deterministic samples), independent of the half."""
    return _key(item_id) >> 1
