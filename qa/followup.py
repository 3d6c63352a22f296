"""Follow-up questions («Et combien a coûté son entraînement ?») made standalone before retrieval.

Deterministic and instant (no extra model call on a 2-core CPU): a question that leans on the
conversation — it opens with "et"/"and" or refers back with a pronoun — is completed with the
previous question, which carries the subject it refers to.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_LEANS_BACK = re.compile(
    r"^(et|and|also|aussi|what about|how about|et pour|et si|puis)\b"
    r"|\b(son|sa|ses|leur|leurs|il|elle|ils|elles|celui|celle|ceux|its|it|his|her|their|they|them|he|she"
    r"|this|that|these|those|ce|cet|cette|ces|lui|eux)\b|\bl['’](a|ont|avait|est)\b",
    re.IGNORECASE,
)
_INVERSION = re.compile(r"-t?-?(il|elle|ils|elles|on)\b", re.IGNORECASE)  # « a-t-elle » asks, it does not refer back


def standalone(question: str, history: Sequence[str]) -> str:
    previous = [h.strip() for h in history if h and h.strip()]
    if not previous:
        return question
    if not _LEANS_BACK.search(_INVERSION.sub("", question)) or len(question.split()) > 20:
        return question
    return f"{question.rstrip()} ({previous[-1].rstrip(' ?')})"
