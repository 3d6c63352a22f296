"""python -m eval.calibrate SUITE_RUN [--cost 2]: fit the answer checks on the dev halves, score the test halves.

Reads a suite run (`python -m eval --suite`, every record carries the signals its answer was judged on,
`checks`, and the answer they judged, `candidate`), fits P(right answer) = sigmoid(bias + w · features)
(qa/verify.py) by logistic regression on the dev items only, picks, among the refusal thresholds that refuse at
most `--budget` of the right answers on dev, the one that maximises right − cost × wrong answers (each set
weighing the same), and prints, per set and half,
what that decision gives next to answering every draft — plus, for each check, how many wrong and right
answers it removes on the test halves (a check earns its place only by removing more wrong than right
answers on the test halves of at least two corpora). The fitted values go into config `checks` by hand:
they are printed as a TOML section.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from config.settings import ChecksSettings
from eval.gold import GoldItem
from eval.metrics import correct
from eval.split import half
from eval.suite import BY_NAME
from qa import verify

_HARD = {"the model said the passages do not answer": "model_refused",
         "no sentence of the answer is supported by a shown passage": "unsupported"}


@dataclass
class Row:
    set: str
    half: str
    answerable: bool
    called: bool  # the model was called (else the retrieval gate refused, or an error)
    right: bool  # the candidate answer is right
    features: list[float]
    hard: str | None  # a hard check that refused it


def load_rows(run: Path) -> list[Row]:
    rows = []
    for folder in sorted(p for p in run.iterdir() if (p / "results.jsonl").is_file() and p.name in BY_NAME):
        items: dict[str, GoldItem] = {it.id: it for it in BY_NAME[folder.name].load()}
        for line in (folder / "results.jsonl").read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            item, checks = items[r["id"]], r.get("checks")
            candidate = r.get("candidate") or r.get("answer", "")
            called = bool(checks) and not r.get("error")
            right = called and item.answerable and correct(item, {"answer": candidate, "refused": False})
            rows.append(Row(folder.name, half(item.id), item.answerable, called, right,
                            verify.vector(checks) if called else [], _HARD.get(r.get("refusal_reason") or "")))
    return rows


def fit(rows: list[Row], l2: float = 1.0, steps: int = 50) -> tuple[float, list[float]]:
    """Logistic regression (Newton's method, L2 on the weights): bias, weights."""
    x = np.asarray([[1.0, *r.features] for r in rows])
    y = np.asarray([float(r.right) for r in rows])
    w = np.zeros(x.shape[1])
    reg = np.eye(x.shape[1]) * l2
    reg[0, 0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) + reg @ w
        hess = (x.T * (p * (1 - p))) @ x + reg
        w -= np.linalg.solve(hess, grad)
    return float(w[0]), [float(v) for v in w[1:]]


@dataclass(frozen=True)
class Decision:
    bias: float
    weights: tuple[float, ...]  # one per feature; 0 for a feature left out
    threshold: float
    hard: frozenset[str]

    def __call__(self, row: Row) -> bool:
        """Is the answer shown?"""
        if not row.called or row.hard in self.hard:
            return False
        z = self.bias + sum(w * f for w, f in zip(self.weights, row.features, strict=True))
        return 1 / (1 + math.exp(-z)) >= self.threshold


def calibrate(dev: list[Row], cost: float, budget: float, use: tuple[str, ...] = verify.FEATURES,
              hard: frozenset[str] = frozenset(_HARD.values())) -> Decision:
    """Fit the weights of the features in `use` on the dev rows, then the threshold that serves them best."""
    keep = [verify.FEATURES.index(n) for n in use]
    fitted = [r for r in dev if r.called and r.hard is None]
    bias, ws = fit([Row(**{**r.__dict__, "features": [r.features[i] for i in keep]}) for r in fitted])
    weights = [0.0] * len(verify.FEATURES)
    for i, w in zip(keep, ws, strict=True):
        weights[i] = w
    grid = [round(0.05 * i, 2) for i in range(0, 20)]
    # Only thresholds that cost at most `budget` of the right answers (each set weighing the same): the
    # checks must cost little, then remove as many wrong answers as they can.
    allowed = [t for t in grid if lost_right(dev, Decision(bias, tuple(weights), t, hard)) <= budget] or [0.0]
    best = max(allowed, key=lambda t: utility(dev, Decision(bias, tuple(weights), t, hard), cost))
    return Decision(bias, tuple(weights), best, hard)


def lost_right(rows: list[Row], decide: Decision) -> float:
    """The share of right drafts the decision refuses, averaged over sets."""
    shares = []
    for s in sorted({r.set for r in rows}):
        right = [r for r in rows if r.set == s and r.right]
        if right:
            shares.append(sum(not decide(r) for r in right) / sum(r.answerable for r in rows if r.set == s))
    return sum(shares) / len(shares) if shares else 0.0


def table(rows: list[Row], decide) -> dict[tuple[str, str], dict[str, float]]:
    out = {}
    for key in sorted({(r.set, r.half) for r in rows}):
        group = [r for r in rows if (r.set, r.half) == key]
        ans = [r for r in group if r.answerable]
        una = [r for r in group if not r.answerable]
        kept = [decide(r) for r in group]
        a_kept = [k for r, k in zip(group, kept, strict=True) if r.answerable]
        out[key] = {
            "n": len(group),
            "accuracy": _mean([k and r.right for r, k in zip(ans, a_kept, strict=True)]),
            "false_refusal": _mean([not k for k in a_kept]),
            "answered_wrong": _mean([k and not r.right for r, k in zip(ans, a_kept, strict=True)]),
            "refusal": _mean([not decide(r) for r in una]) if una else None,
        }
    return out


def _mean(values: list[bool]) -> float | None:
    return sum(values) / len(values) if values else None


def utility(rows: list[Row], decide, cost: float) -> float:
    """Right answers − cost × wrong answers (unanswerables answered included), as a share of each set."""
    sets = sorted({r.set for r in rows})
    total = 0.0
    for s in sets:
        group = [r for r in rows if r.set == s]
        gain = sum(1.0 if r.right else -cost for r in group if decide(r))
        total += gain / len(group)
    return total / len(sets)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.calibrate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", type=Path, help="a suite run folder (with one sub-folder per set)")
    parser.add_argument("--cost", type=float, default=2.0, help="how much worse a wrong answer is than a refusal")
    parser.add_argument("--budget", type=float, default=0.05,
                        help="the share of right answers the checks may refuse (on dev, averaged over sets)")
    args = parser.parse_args(argv)
    rows = load_rows(args.run)
    dev, test = [r for r in rows if r.half == "dev"], [r for r in rows if r.half == "test"]
    if len({r.right for r in dev if r.called and r.hard is None}) < 2:
        print("error: the dev halves need both right and wrong answers to fit", file=sys.stderr)
        return 2
    chosen = calibrate(dev, args.cost, args.budget)
    fitted = ChecksSettings(bias=round(chosen.bias, 3), threshold=chosen.threshold,
                            **{f"w_{n}": round(w, 3) for n, w in zip(verify.FEATURES, chosen.weights, strict=True)})
    print("[checks]")
    for key, value in fitted.model_dump().items():
        if key.startswith("w_") or key in ("bias", "threshold"):
            print(f"{key} = {value}")
    print()
    every = table(rows, lambda r: r.called)
    final = table(rows, chosen)
    print("| set | half | n | accuracy (every draft) | accuracy | false refusal | answered but wrong "
          "| refusal of unanswerables |")
    print("|---|---|---|---|---|---|---|---|")
    for key, m in final.items():
        print(f"| {key[0]} | {key[1]} | {m['n']} | {_fmt(every[key]['accuracy'])} | {_fmt(m['accuracy'])} | "
              f"{_fmt(m['false_refusal'])} | {_fmt(m['answered_wrong'])} | {_fmt(m['refusal'])} |")
    print("\nWhat each check does on the test halves, against the same calibration without it: wrong answers "
          "removed / right answers removed, per set.")
    variants = {"the calibrated threshold": Decision(0.0, (0.0,) * len(verify.FEATURES), 0.0, chosen.hard)}
    for name in verify.FEATURES:
        variants[f"feature {name}"] = calibrate(dev, args.cost, args.budget,
                                                tuple(n for n in verify.FEATURES if n != name))
    for name in sorted(_HARD.values()):
        variants[f"hard check {name}"] = Decision(chosen.bias, chosen.weights, chosen.threshold, chosen.hard - {name})
    for label, without in variants.items():
        cells = []
        for s in sorted({r.set for r in test}):
            group = [r for r in test if r.set == s]
            wrong = sum(without(r) and not r.right for r in group) - sum(chosen(r) and not r.right for r in group)
            right = sum(without(r) and r.right for r in group) - sum(chosen(r) and r.right for r in group)
            cells.append(f"{s} {wrong}/{right}")
        print(f"- {label}: " + ", ".join(cells))
    return 0


def _fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}"


if __name__ == "__main__":
    sys.exit(main())
