"""Fit the answer checks (qa/fit.py) to labelled answers: the self-calibration's own questions about one
collection, or the eval suite's dev halves (`python -m eval.calibrate`).

Every item was answered with nothing refused on the way (an open fit), so each decision can be replayed:
- the weights of P(right) come from a logistic regression on the drafts the hard rules let through (kept
  from the base fit when the items are too few to fit them stably);
- the probe floor (stage 1) and the threshold (stage 2) are chosen together, among those that refuse at most
  `budget` of the right answers, to maximise right answers − cost × wrong ones (an unanswerable question
  answered is wrong), each group (set, collection) weighing the same; among equals, the lowest threshold
  (refusing before the draft rather than after) and the middle floor;
- `supported_at` is the lowest confidence above which the shown answers are right at least `precision` of
  the time (1.0, "never supported", when no level reaches it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from qa.fit import Fit, feature
from qa.verify import judge

FEATURES = ("retrieval", "probe", "support", "first")  # those every item has are fitted
GRID = tuple(round(0.05 * i, 2) for i in range(20))
MIN_ITEMS, MIN_CLASS = 24, 6  # fewer drafts than this: the base weights; fewer right or wrong: its decision too


@dataclass
class Item:
    group: str  # the set or collection it belongs to
    answerable: bool
    right: bool  # the draft holds the expected answer (False for every unanswerable question)
    drafted: bool = True  # the model wrote a draft (not refused by retrieval before it)
    signals: dict[str, float] = field(default_factory=dict)  # as recorded by the verifier (qa/verify.py)
    supported: int = 0  # sentences of the draft a passage supports
    sentences: int = 0
    model_refused: bool = False  # the draft is the refusal sentence

    def shown(self, fit: Fit) -> bool:
        if not self.drafted or self.signals.get("probe", 1.0) < fit.probe_floor:
            return False
        return judge(self.signals, self.supported, self.sentences, self.model_refused, fit).shown

    def passes_hard_rules(self) -> bool:
        return self.drafted and not self.model_refused and self.supported > 0


def fit_weights(items: list[Item], base: Fit, l2: float = 1.0, steps: int = 50) -> tuple[float, dict[str, float]]:
    """Logistic regression (Newton's method, L2 on the weights) of "right" on the features; the base fit's
    weights when the drafts are too few or too one-sided."""
    rows = [it for it in items if it.passes_hard_rules()]
    names = [f for f in FEATURES if rows and all(f in it.signals for it in rows)]
    right = sum(it.right for it in rows)
    if len(rows) < MIN_ITEMS or min(right, len(rows) - right) < MIN_CLASS or not names:
        return base.bias, dict(base.weights)
    x = np.asarray([[1.0, *(feature(f, it.signals[f]) for f in names)] for it in rows])
    y = np.asarray([float(it.right) for it in rows])
    w = np.zeros(x.shape[1])
    reg = np.eye(x.shape[1]) * l2
    reg[0, 0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w)))
        w -= np.linalg.solve((x.T * (p * (1 - p))) @ x + reg, x.T @ (p - y) + reg @ w)
    return float(w[0]), {f: round(float(v), 4) for f, v in zip(names, w[1:], strict=True)}


def _groups(items: list[Item], score: Callable[[list[Item]], float | None]) -> list[float]:
    return [v for g in sorted({it.group for it in items})
            if (v := score([it for it in items if it.group == g])) is not None]


def _per_group(items: list[Item], score: Callable[[list[Item]], float | None]) -> float:
    values = _groups(items, score)
    return sum(values) / len(values) if values else 0.0


def lost_right(items: list[Item], fit: Fit) -> float:
    """The share of right drafts the fit refuses (beyond the hard rules), over answerable items, in the group
    where it is highest: the budget holds for every corpus, not on average (one corpus paying for all)."""
    def score(group: list[Item]) -> float | None:
        answerable = sum(it.answerable for it in group)
        lost = sum(it.right and it.passes_hard_rules() and not it.shown(fit) for it in group)
        return lost / answerable if answerable else None
    return max(_groups(items, score), default=0.0)


def utility(items: list[Item], fit: Fit, cost: float) -> float:
    """Right answers − cost × wrong answers shown (unanswerables answered included), per item, per group."""
    return _per_group(items, lambda g: sum((1.0 if it.right else -cost) for it in g if it.shown(fit)) / len(g))


def precision_from(items: list[Item], fit: Fit, level: float) -> tuple[float, int]:
    shown = [it for it in items if it.shown(fit) and fit.confidence(it.signals) >= level]
    return (sum(it.right for it in shown) / len(shown) if shown else 0.0), len(shown)


def fit(items: list[Item], base: Fit, *, source: str, model: str, setup: str, budget: float = 0.05,
        cost: float = 2.0, precision: float = 0.9, min_supported: int = 5) -> Fit:
    bias, weights = fit_weights(items, base)
    drafted = [it for it in items if it.passes_hard_rules()]
    right = sum(it.right for it in drafted)
    if min(right, len(drafted) - right) < MIN_CLASS:
        # Too few right (or wrong) drafts to place a floor or a threshold between them: the base's decision.
        chosen, supported_at = replace(base, bias=bias, weights=weights), base.supported_at
    else:
        chosen = _decision(items, replace(base, bias=bias, weights=weights, threshold=0.0, probe_floor=0.0,
                                          supported_at=1.0), budget, cost)
        supported_at = next((level for level in (*GRID, 0.97) if level >= chosen.threshold
                             and (got := precision_from(items, chosen, level))[0] >= precision
                             and got[1] >= min_supported), 1.0)
    answerable = [it for it in items if it.answerable]
    stats = {"answerable": len(answerable), "unanswerable": len(items) - len(answerable),
             "right_drafts": sum(it.right for it in items),
             "lost_right": round(lost_right(items, chosen), 3), "utility": round(utility(items, chosen, cost), 3)}
    return replace(chosen, supported_at=supported_at, source=source, model=model, setup=setup, answers=len(items),
                   made=time.strftime("%Y-%m-%d %H:%M"), stats=stats)


def _decision(items: list[Item], start: Fit, budget: float, cost: float) -> Fit:
    """The probe floor and threshold of best utility among those that refuse at most `budget` of the right
    drafts. Among equals, refuse before the draft rather than after (nothing written then withdrawn), with the
    floor in the middle of the equally good ones (the widest margin on either side)."""
    candidates = [replace(start, probe_floor=f, threshold=t) for f in GRID for t in GRID]
    allowed = [c for c in candidates if lost_right(items, c) <= budget] or [start]
    top = max(utility(items, c, cost) for c in allowed)
    tied = [c for c in allowed if utility(items, c, cost) >= top - 1e-9]
    lowest = min(c.threshold for c in tied)
    floors = sorted(c.probe_floor for c in tied if c.threshold == lowest)
    return replace(start, probe_floor=floors[len(floors) // 2], threshold=lowest)


def outcomes(items: Iterable[Item], fit: Fit) -> dict[str, float | None]:
    """What a fit gives on labelled items: accuracy, false refusal and answered-but-wrong over answerable
    items, refusal over unanswerable ones."""
    items = list(items)
    ans = [it for it in items if it.answerable]
    una = [it for it in items if not it.answerable]

    def mean(values: list[bool]) -> float | None:
        return sum(values) / len(values) if values else None

    return {"n": len(items),
            "accuracy": mean([it.right and it.shown(fit) for it in ans]),
            "false_refusal": mean([not it.shown(fit) for it in ans]),
            "answered_wrong": mean([it.shown(fit) and not it.right for it in ans]),
            "refusal": mean([not it.shown(fit) for it in una])}
