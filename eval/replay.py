"""Decisions replayed offline. The suite answers every question with nothing refused on the way (an open fit,
every signal recorded); any fit's decision is then a pure function of the record (qa/verify.py `judge`), so
fits made in different ways — the model's global one, one fitted on a set's dev half, a collection's own —
are compared on the very same answers."""

from __future__ import annotations

from typing import Any

from calibration.fitting import Item
from eval.gold import GoldItem
from eval.metrics import correct
from qa import prompt
from qa.fit import Fit


def item_of(gold: GoldItem, record: dict[str, Any], group: str) -> Item:
    """A suite record as a labelled item: is the draft right, and the signals it was judged on."""
    signals = record.get("checks") or {}
    draft = record.get("draft") or ""
    right = gold.answerable and bool(draft) and not record.get("error") and correct(gold, {"answer": draft})
    return Item(group=group, answerable=gold.answerable, right=right, drafted=bool(draft) and "support" in signals,
                signals=signals, supported=int(signals.get("supported", 0)), sentences=int(signals.get("sentences", 0)),
                model_refused=bool(signals.get("model_refused")))


def decided(record: dict[str, Any], item: Item, fit: Fit, lang: str) -> dict[str, Any]:
    """The record as the user would have got it under `fit`: a draft the fit does not show becomes a refusal."""
    if record.get("error") or not item.drafted or item.shown(fit) or record.get("refused"):
        return record
    return {**record, "refused": True, "answer": prompt.refusal(lang), "citations": [], "verdict": "withheld"}
