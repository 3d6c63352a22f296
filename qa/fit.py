"""The decision an answer is judged by, as fitted by calibration, and where each fit is kept.

Two stages, both fitted on data, never set by hand:
1. before the model writes: is the question answerable from these passages? The model's own P("yes")
   (the probe) under `probe_floor` means no draft at all — nothing is shown and then withdrawn;
2. after: is the written answer right? P(right) = sigmoid(bias + Σ weight × feature) of language-neutral
   signals (qa/verify.py); under `threshold` the draft is withheld (shown folded, with why), at or above
   `supported_at` (with every sentence supported) the answer is "supported", between them "partly supported".

A fit belongs to one backend and model, and to the prompts and settings that shape a draft and its signals
(`setup`: change them and the fit no longer applies, until refitted). Each collection fits its own from
questions the app writes about it (calibration/); until it has one, the model's global fit (config/fits/,
`make calibrate-model`) applies, and without that the neutral fit: no score, drafts judged by their support.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from config.settings import ROOT, LLMSettings, Settings
from index import store
from llm.prompts import PROMPTS

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
    setup: str = ""  # a hash of the prompts and settings it was fitted with (setup_of)
    answers: int = 0  # how many labelled answers it was fitted on
    made: str = ""  # when
    stats: dict[str, float] = field(default_factory=dict)  # what it gave on its own data
    corpus: dict[str, str] = field(default_factory=dict)  # a collection's documents and hashes when fitted

    @property
    def calibrated(self) -> bool:
        """Has it a score at all (the neutral fit has none)?"""
        return bool(self.weights)

    def confidence(self, signals: dict[str, float]) -> float:
        """The calibrated P(right answer); features the fit does not weigh count for nothing."""
        z = self.bias + sum(w * feature(name, signals[name]) for name, w in self.weights.items() if name in signals)
        return 1 / (1 + math.exp(-z))

    def describe(self) -> str:
        if self.source == "none":
            return "no calibration: drafts are judged by their support alone"
        what = "this collection's own questions" if self.source == "collection" else "the eval suite's dev halves"
        return f"fitted on {self.answers} answers to {what} ({self.model}, {self.made})"

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def read(cls, path: Path) -> Fit | None:
        """The fit stored there; None when there is none, or it is damaged or of an older shape."""
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None


NEUTRAL = Fit()


def model_id(cfg: LLMSettings) -> str:
    return f"{cfg.backend}:{cfg.model_name}"


def setup_of(settings: Settings) -> str:
    """What a fit depends on besides the model: the prompts the model reads (and is probed with) and the
    settings that shape a draft and its signals. Paths count by name, so a clone elsewhere shares fits."""
    digest = hashlib.sha256()
    for path in sorted(PROMPTS.glob("*.txt")):
        if path.stem.split("_")[0] in ("system", "user", "probe"):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    shape = [settings.llm.temperature, settings.llm.max_tokens, settings.retrieval.context_passages,
             settings.retrieval.context_margin, settings.checks.cite_support, Path(settings.embed.model_id).name,
             settings.embed.query_prompt, settings.embed.document_prompt]
    digest.update(json.dumps(shape).encode())
    return digest.hexdigest()[:12]


def applicable(path: Path, model: str, setup: str) -> Fit | None:
    """The fit stored at `path` if it was made for this model and setup (else it does not apply)."""
    fit = Fit.read(path)
    return fit if fit is not None and fit.model == model and fit.setup == setup else None


def model_fit_path(model: str) -> Path:
    """config/fits/<backend>_<model>.json for a model id ("llamacpp:qwen…gguf")."""
    return FITS / (re.sub(r"[^\w.-]+", "_", model) + ".json")


def collection_fit_path(settings: Settings) -> Path:
    return store.docstore_path(settings.chroma, settings.ingest.docstore_dir).with_suffix(".fit.json")


class Fits:
    """The fit that applies to one collection now: re-read when a calibration writes a new one."""

    def __init__(self, settings: Settings) -> None:
        self.model, self.setup = model_id(settings.llm), setup_of(settings)
        self.paths = (collection_fit_path(settings), model_fit_path(self.model))
        self._seen: tuple[float | None, ...] = ()
        self._fit = NEUTRAL

    def current(self) -> Fit:
        stamps = tuple(p.stat().st_mtime if p.is_file() else None for p in self.paths)
        if stamps != self._seen:
            self._seen, self._fit = stamps, self._load()
        return self._fit

    def _load(self) -> Fit:
        return next((fit for path in self.paths if (fit := applicable(path, self.model, self.setup))), NEUTRAL)
