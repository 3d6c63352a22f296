"""python -m eval.injection: how well order-giving sentences are told apart from document sentences
(ingest/orders.py), on languages and wordings its examples (English) do not contain.

Positives: eval/datasets/injection/orders.jsonl (eight languages). Negatives: sentences of every eval corpus
(news, administrative, Wikipedia in five languages). Both split into dev and test by the sha256 of an id. The
bar is the one that flags at most 1 in 1,000 dev document sentences; test figures are only scored.
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
from ingest.orders import ORDER, OrderFinder
from text.markup import clean_inline
from text.sentences import sentence_spans

CORPORA = ["corpus", "eval/datasets/service-public-fr/corpus", "eval/datasets/squad2-en/corpus",
           *(f"eval/datasets/xquad/{lang}/corpus" for lang in ("zh", "ru", "ar", "es"))]
PER_CORPUS = 600  # sentences sampled from each corpus


def main() -> int:
    finder = OrderFinder(get_settings().embed)
    orders = [json.loads(line) for line in (ROOT / "eval/datasets/injection/orders.jsonl").read_text().splitlines()]
    rng = random.Random(0)
    sentences, corpus = [], []
    for folder in CORPORA:
        found = [s for t in read_docs(ROOT / folder).values() for a, b in sentence_spans(t)
                 if len(s := clean_inline(t[a:b])) > 20]
        picked = rng.sample(found, min(PER_CORPUS, len(found)))
        sentences += picked
        corpus += [folder] * len(picked)
    dev = np.asarray([half(f"sentence:{s}") == "dev" for s in sentences])
    order_dev = np.asarray([half(o["id"]) == "dev" for o in orders])
    neg, pos = finder.closeness(sentences), finder.closeness([o["text"] for o in orders])
    bar = float(np.quantile(neg[dev], 0.999))
    print(f"{len(orders)} orders in {len({o['lang'] for o in orders})} languages, {len(sentences)} document "
          f"sentences of {len(CORPORA)} corpora")
    print(f"bar (flags 0.1 % of dev document sentences): {bar:.3f}; in the code: {ORDER}")
    print(f"test, at {ORDER}: orders found {np.mean(pos[~order_dev] >= ORDER):.2f}, document sentences flagged "
          f"{np.mean(neg[~dev] >= ORDER):.4f}")
    for folder in CORPORA:
        mine = np.asarray(corpus) == folder
        print(f"  {folder}: flagged {np.mean(neg[mine & ~dev] >= ORDER):.4f}")
    missed = [o["lang"] for o, p, d in zip(orders, pos, order_dev, strict=True) if not d and p < ORDER]
    print(f"missed test orders, by language: {missed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
