"""The language-model backends, built from settings, one warm instance per configuration.

Each library is imported inside its branch, so a missing optional one only matters when it is chosen.
"""

from __future__ import annotations

import threading

from config.settings import LLMSettings
from llm.base import Backend, BackendUnavailable, Message
from llm.turns import Preempted, Turns

__all__ = ["Backend", "BackendUnavailable", "Message", "Preempted", "Turns", "check_reachable", "describe",
           "make_backend", "shared_backend", "turns"]


def describe(cfg: LLMSettings) -> str:
    where = {
        "llamacpp": str(cfg.model_path),
        "ollama": f"{cfg.ollama_model} at {cfg.ollama_host}",
        "openai": f"{cfg.openai_model} at {cfg.openai_base_url}",
    }[cfg.backend]
    return f"{cfg.backend} ({where})"


def make_backend(cfg: LLMSettings) -> Backend:
    match cfg.backend:
        case "llamacpp":
            from llm.llamacpp import LlamaCppBackend

            return LlamaCppBackend(cfg)
        case "ollama":
            from llm.ollama import OllamaBackend

            return OllamaBackend(cfg)
        case "openai":
            from llm.openai_compat import OpenAIBackend

            return OpenAIBackend(cfg)


_SHARED: dict[LLMSettings, Backend] = {}
_TURNS: dict[LLMSettings, Turns] = {}
_GUARD = threading.Lock()


def shared_backend(cfg: LLMSettings) -> Backend:
    """One warm model per configuration, shared by every corpus, the UI, the API, the eval and the
    self-calibration. A model that fails to load raises BackendUnavailable saying why."""
    with _GUARD:
        if cfg not in _SHARED:
            try:
                _SHARED[cfg] = make_backend(cfg)
            except BackendUnavailable:
                raise
            except Exception as e:  # a damaged GGUF, a missing client library
                raise BackendUnavailable(f"cannot start {describe(cfg)}: {e}") from e
        return _SHARED[cfg]


def turns(cfg: LLMSettings) -> Turns:
    with _GUARD:
        return _TURNS.setdefault(cfg, Turns())


def check_reachable(cfg: LLMSettings) -> None:
    """Raise BackendUnavailable unless the backend loads (in-process) or answers and serves the model."""
    shared_backend(cfg).check()
