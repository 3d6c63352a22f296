"""The decision an answer is judged by, as fitted by calibration, and where each fit is kept.

Two stages, both fitted on data, never set by hand:
1. before the model writes: is the question answerable from these passages? The model's own P("yes")
   (the probe) under `probe_floor` means no draft at all — nothing is shown and then withdrawn;
2. after: is the written answer right? P(right) = sigmoid(bias + Σ weight × feature) of language-neutral
   signals (qa/verify.py); under `threshold` the draft is withheld (shown folded, with why), at or above
   `supported_at` (with every sentence supported) the answer is "supported", between them "partly supported".

A fit belongs to one backend and model. Each collection fits its own from questions the app writes about it
(qa/calibration); until it has one, the model's global fit (config/fits/, `python -m eval.calibrate`) applies,
and without that the neutral fit: no threshold, drafts judged by their support alone.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from config.settings import ROOT, LLMSettings, Settings
from index import store

FITS = ROOT / "config" / "fits"
PROBABILITIES = frozenset({"probe"})  # read as logits by the score


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def feature(name: str, value: float) -> float:
    return _logit(value) if name in PROBABILITIES else value


@dataclass(frozen=True)
class Fit:
    weights: dict[str, float] = field(default_factory=dict)
    bias: float = 0.0
    threshold: float = 0.0
    supported_at: float = 1.0
    probe_floor: float = 0.0
    source: str = "none"  # "collection" (its own questions), "model" (the eval suite's dev halves), "none"
    model: str = ""  # "<backend>:<model name>" it was fitted with
    questions: int = 0  # how many items it was fitted on
    made: str = ""  # when
    stats: dict[str, float] = field(default_factory=dict)  # what it gave on its own data
    corpus: dict[str, str] = field(default_factory=dict)  # a collection's documents and hashes when fitted

    def confidence(self, signals: dict[str, float]) -> float:
        """The calibrated P(right answer); features the fit does not weigh count for nothing."""
        z = self.bias + sum(w * feature(name, signals[name]) for name, w in self.weights.items() if name in signals)
        return 1 / (1 + math.exp(-z))

    def describe(self) -> str:
        if self.source == "none":
            return "no calibration: drafts are judged by their support alone"
        what = "this collection's own questions" if self.source == "collection" else "the eval suite's dev halves"
        return f"fitted on {self.questions} items of {what} ({self.model}, {self.made})"

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def read(cls, path: Path) -> Fit:
        return cls(**json.loads(path.read_text(encoding="utf-8")))


NEUTRAL = Fit()


def model_id(cfg: LLMSettings) -> str:
    return f"{cfg.backend}:{cfg.model_name}"


def model_fit_path(model: str) -> Path:
    """config/fits/<backend>_<model>.json for a model id ("llamacpp:qwen…gguf")."""
    return FITS / (re.sub(r"[^\w.-]+", "_", model) + ".json")


def collection_fit_path(settings: Settings) -> Path:
    return store.docstore_path(settings.chroma, settings.ingest.docstore_dir).with_suffix(".fit.json")


class Fits:
    """The fit that applies to one collection now: re-read when a calibration writes a new one."""

    def __init__(self, settings: Settings) -> None:
        self.model = model_id(settings.llm)
        self.paths = (collection_fit_path(settings), model_fit_path(self.model))
        self._seen: tuple[float | None, ...] = ()
        self._fit = NEUTRAL

    def current(self) -> Fit:
        stamps = tuple(p.stat().st_mtime if p.is_file() else None for p in self.paths)
        if stamps != self._seen:
            self._seen, self._fit = stamps, self._load()
        return self._fit

    def _load(self) -> Fit:
        for path in self.paths:
            if path.is_file():
                try:
                    fit = Fit.read(path)
                except (ValueError, TypeError):
                    continue  # a damaged or older file: the next source applies
                if fit.model == self.model:
                    return fit
        return NEUTRAL
