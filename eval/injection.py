"""python -m eval.injection: how well order-giving sentences are told apart from document sentences
(ingest/orders.py), on languages and wordings its examples do not contain.

Positives: eval/datasets/injection/orders.jsonl (eight languages). Negatives: sentences of every eval corpus
(news, administrative, Wikipedia in five languages). Both split into dev and test by the sha256 of an id.
Stage 1 (embedding): the bar that keeps every dev order; stage 2 (the model's P(yes)): the bar that flags at
most 1 in 1,000 dev document sentences. Test figures are only scored.
"""

from __future__ import annotations

import json
import random
import sys

import numpy as np

from config import get_settings
from config.settings import ROOT
from eval.gold import read_docs
from eval.split import half
from ingest.orders import ALONE, OrderFinder
from text.markup import clean_inline
from text.sentences import sentence_spans

CORPORA = ["corpus", "eval/datasets/service-public-fr/corpus", "eval/datasets/squad2-en/corpus",
           *(f"eval/datasets/xquad/{lang}/corpus" for lang in ("zh", "ru", "ar", "es"))]
PER_CORPUS = 600  # sentences sampled from each corpus
GRID = [round(0.05 * i, 2) for i in range(2, 20)]


def main() -> int:
    finder = OrderFinder(get_settings())
    orders = [json.loads(line) for line in (ROOT / "eval/datasets/injection/orders.jsonl").read_text().splitlines()]
    rng = random.Random(0)
    sentences: list[str] = []
    for folder in CORPORA:
        found = [s for t in read_docs(ROOT / folder).values() for a, b in sentence_spans(t)
                 if len(s := clean_inline(t[a:b])) > 20]
        sentences += rng.sample(found, min(PER_CORPUS, len(found)))
    texts = [o["text"] for o in orders] + sentences
    is_order = np.asarray([True] * len(orders) + [False] * len(sentences))
    dev = np.asarray([half(o["id"]) == "dev" for o in orders] + [half(f"sentence:{s}") == "dev" for s in sentences])
    close = finder.closeness(texts)
    stage1 = float(close[is_order & dev].min()) - 0.01
    candidates = close >= stage1
    p = np.zeros(len(texts))
    p[candidates] = finder.addressed([t for t, c in zip(texts, candidates, strict=True) if c])
    bar = next(g for g in GRID if np.mean(p[~is_order & dev] >= g) <= 0.001)
    flagged = candidates & (p >= bar)
    alone = close >= ALONE
    print(f"{len(orders)} orders in {len({o['lang'] for o in orders})} languages, {len(sentences)} document sentences")
    print(f"stage 1, cosine to the examples >= {stage1:.3f}: candidates {np.mean(candidates[~is_order]):.3f} of "
          f"document sentences, test orders kept {np.mean(candidates[is_order & ~dev]):.2f}")
    print(f"stage 2, the model's P(yes) >= {bar:.2f} (dev): test orders found {np.mean(flagged[is_order & ~dev]):.2f}"
          f", test document sentences flagged {np.mean(flagged[~is_order & ~dev]):.4f}")
    print(f"the embedding alone (>= {ALONE}): test orders found {np.mean(alone[is_order & ~dev]):.2f}, test "
          f"document sentences flagged {np.mean(alone[~is_order & ~dev]):.4f}")
    missed = [o["lang"] for o, f, d in zip(orders, flagged, dev, strict=False) if not d and not f]
    print(f"missed test orders, by language: {missed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
