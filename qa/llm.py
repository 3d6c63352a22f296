"""The language-model backends, built from settings: bundled GGUF via llama.cpp, Ollama, or OpenAI-compatible.

Each import happens inside its branch, so a missing optional library only matters when it is chosen.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
from llama_index.core.llms import LLM, ChatMessage

from config.settings import LLMSettings


class BackendUnavailable(RuntimeError):
    """The model cannot be loaded or reached; the message says which backend and what to do."""


def chatml(messages: Sequence[ChatMessage]) -> str:
    """Qwen's chat template: llama-index's LlamaCPP wrapper does not apply the GGUF's own."""
    parts = [f"<|im_start|>{m.role.value}\n{m.content}<|im_end|>\n" for m in messages]
    return "".join(parts) + "<|im_start|>assistant\n"


def describe(cfg: LLMSettings) -> str:
    where = {
        "llamacpp": str(cfg.model_path),
        "ollama": f"{cfg.ollama_model} at {cfg.ollama_host}",
        "openai": f"{cfg.openai_model} at {cfg.openai_base_url}",
    }[cfg.backend]
    return f"{cfg.backend} ({where})"


_SHARED: dict[LLMSettings, LLM] = {}
_LOCKS: dict[LLMSettings, threading.Lock] = {}
_GUARD = threading.Lock()


def shared_llm(cfg: LLMSettings) -> LLM:
    """One warm model per configuration, shared by every corpus, the UI and the eval."""
    with _GUARD:
        if cfg not in _SHARED:
            _SHARED[cfg] = make_llm(cfg)
        return _SHARED[cfg]


def generation_lock(cfg: LLMSettings) -> threading.Lock:
    """One generation at a time per model: llama.cpp is not re-entrant, and one answer uses every core."""
    with _GUARD:
        return _LOCKS.setdefault(cfg, threading.Lock())


def make_llm(cfg: LLMSettings) -> LLM:
    match cfg.backend:
        case "llamacpp":
            if not cfg.model_path.is_file():
                raise BackendUnavailable(
                    f"GGUF model not found at {cfg.model_path}: run `make models`, or set "
                    "RAG_LLM__MODEL_PATH to a GGUF file"
                )
            return _system_caching_llamacpp()(
                model_path=str(cfg.model_path),
                temperature=cfg.temperature,
                max_new_tokens=cfg.max_tokens,
                context_window=cfg.n_ctx,
                generate_kwargs={"stop": ["<|im_end|>", "<|endoftext|>"]},
                model_kwargs={"n_threads": cfg.n_threads, "n_batch": 512},
                messages_to_prompt=chatml,
                completion_to_prompt=lambda text: chatml([ChatMessage(role="user", content=text)]),
                verbose=False,
            )
        case "ollama":
            from llama_index.llms.ollama import Ollama

            # context_window becomes num_ctx: without it Ollama silently truncates long prompts.
            return Ollama(
                model=cfg.ollama_model,
                base_url=cfg.ollama_host,
                request_timeout=cfg.timeout_s,
                context_window=cfg.n_ctx,
                temperature=cfg.temperature,
                additional_kwargs={"num_predict": cfg.max_tokens},
            )
        case "openai":
            from llama_index.llms.openai_like import OpenAILike

            return OpenAILike(
                model=cfg.openai_model,
                api_base=cfg.openai_base_url,
                api_key=cfg.openai_api_key.get_secret_value(),
                is_chat_model=True,
                context_window=cfg.n_ctx,
                max_tokens=cfg.max_tokens,
                temperature=cfg.temperature,
                timeout=cfg.timeout_s,
                max_retries=0,
            )


def _system_caching_llamacpp() -> type[LLM]:
    """llama-index's LlamaCPP, keeping llama.cpp's state after each distinct system prompt.

    llama.cpp reuses the longest prefix of the last prompt only: a question after one in the other language
    would re-read where its system prompt differs (the English one adds ~55 tokens of instructions: ~0.7 s
    on 2 cores, every time the language changes). Restoring a saved state takes ~40 ms instead, so each
    language has its own fixed system prompt. A state is saved right after its system prompt: ~150 tokens
    of cache and their logits (~90 MB each).
    """
    from llama_index.llms.llama_cpp import LlamaCPP
    from pydantic import PrivateAttr

    class SystemCachingLlamaCPP(LlamaCPP):
        _states: dict[tuple[int, ...], object] = PrivateAttr(default_factory=dict)
        _keep: tuple[int, ...] = PrivateAttr(default=())
        _replies: tuple[list[int], list[int]] | None = PrivateAttr(default=None)

        def complete(self, prompt: str, formatted: bool = False, **kwargs):
            self._start_from_system(prompt if formatted else self.completion_to_prompt(prompt))
            return super().complete(prompt, formatted=formatted, **kwargs)

        def stream_complete(self, prompt: str, formatted: bool = False, **kwargs):
            self._start_from_system(prompt if formatted else self.completion_to_prompt(prompt))
            return super().stream_complete(prompt, formatted=formatted, **kwargs)

        def yes_probability(self, prompt: str, then: str | None = None) -> float:
            """P("yes") / P("yes" or "no") for the next token after `prompt` (a formatted ChatML prompt).

            Read from the logits of one forward pass, no sampling. `then`: the prompt that will be completed
            next; the part it shares with this one stays in the cache and is not read again. Otherwise the
            prompt is read on from whatever the cache already holds of it (the answer just written, for a
            question about that answer)."""
            import llama_cpp

            model = self._model
            tokens = model.tokenize(prompt.encode("utf-8"), special=True)
            if then is not None:
                self._start_from_system(prompt)
            cached = model.input_ids[: model.n_tokens].tolist()
            same = next((i for i, (a, b) in enumerate(zip(cached, tokens, strict=False)) if a != b),
                        min(len(cached), len(tokens)))
            model.n_tokens = min(same, len(tokens) - 1)  # at least the last token is read: its logits are wanted
            model.eval(tokens[model.n_tokens :])
            logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(model.ctx, -1), shape=(model.n_vocab(),))
            yes, no = (_mass(logits, ids) for ids in self._reply_tokens())
            if then is not None:
                after = model.tokenize(then.encode("utf-8"), special=True)
                shared = next((i for i, (a, b) in enumerate(zip(tokens, after, strict=False)) if a != b),
                              min(len(tokens), len(after)))
                self._keep = tuple(after[:shared])
            return float(yes / (yes + no)) if yes + no > 0 else 0.5

        def _reply_tokens(self) -> tuple[list[int], list[int]]:
            """The first token of each spelling of "yes" and of "no" ("yes", "Yes", " yes"...), once per model."""
            if self._replies is None:
                tokenize = self._model.tokenize
                yes, no = ({tokenize(w.encode("utf-8"), add_bos=False, special=False)[0] for w in words}
                           for words in (_YES, _NO))
                self._replies = sorted(yes), sorted(no)
            return self._replies

        def _start_from_system(self, prompt: str) -> None:
            """Leave llama.cpp's cache holding this prompt's system part and nothing after it (its own prefix
            matching then skips the system part and reads all the rest) — or, right after the question's
            probe, the part of this prompt the probe already read (the same for this question every time)."""
            keep, self._keep = self._keep, ()
            model = self._model
            if keep and model.n_tokens >= len(keep) and tuple(model.input_ids[: len(keep)]) == keep:
                after = tuple(model.tokenize(prompt.encode("utf-8"), special=True)[: len(keep)])
                if after == keep:
                    model.n_tokens = len(keep)
                    return
            found = prompt.find(_SYSTEM_END)
            end = found + len(_SYSTEM_END)
            # A special token after the system part: its tokens are then a prefix of the whole prompt's.
            if found < 0 or not prompt.startswith(_SYSTEM_START) or not prompt.startswith(_NEXT_TURN, end):
                return
            model = self._model
            system = tuple(model.tokenize(prompt[:end].encode("utf-8"), special=True))
            if model.n_tokens >= len(system) and tuple(model.input_ids[: len(system)]) == system:
                # Already there; forget what followed. Reusing more of the last prompt (the same first
                # passage, the same question) would read the rest in other batches, and greedy decoding
                # can then take another path: the same question must get the same answer whatever came before.
                model.n_tokens = len(system)
                return
            if system in self._states:
                model.load_state(self._states[system])
                return
            model.reset()
            model.eval(list(system))
            if len(self._states) >= _MAX_SYSTEM_STATES:  # system prompts are files: a few at most
                self._states.pop(next(iter(self._states)))
            self._states[system] = model.save_state()

    return SystemCachingLlamaCPP


_SYSTEM_START, _SYSTEM_END, _NEXT_TURN = "<|im_start|>system\n", "<|im_end|>\n", "<|im_start|>"
_MAX_SYSTEM_STATES = 6
_YES, _NO = ("yes", "Yes", " yes", " Yes", "YES"), ("no", "No", " no", " No", "NO")
_SAID_YES = 0.85  # the bundled model's median P(yes) when it answers yes to the probe (quick suite)


def _mass(logits: np.ndarray, ids: list[int]) -> float:
    """Probability mass of these token ids under the softmax of the logits."""
    top = float(logits.max())
    return float(np.exp(logits[ids] - top).sum() / np.exp(logits - top).sum())


def yes_probability(llm: LLM, messages: Sequence[ChatMessage], then: Sequence[ChatMessage] | None = None) -> float:
    """The model's probability of answering "yes" to the last message. The bundled llama.cpp model gives it
    from its logits; a server backend is asked for a one-word reply, read as a typical probability of that
    reply (a yes is no certainty: 0 or 1 would outweigh every other signal of the calibrated score)."""
    if hasattr(llm, "yes_probability"):
        return llm.yes_probability(chatml(messages), then=chatml(then) if then is not None else None)
    reply = (llm.chat(list(messages)).message.content or "").strip().lower()
    return _SAID_YES if reply.startswith("yes") else 1 - _SAID_YES if reply.startswith("no") else 0.5


def check_reachable(cfg: LLMSettings, timeout: float = 3.0) -> None:
    """Raise BackendUnavailable unless the backend answers and serves the configured model."""
    if cfg.backend == "llamacpp":
        shared_llm(cfg)  # in-process: loading it is the check
        return
    try:
        if cfg.backend == "ollama":
            import ollama

            model = cfg.ollama_model
            served = [m.model or "" for m in ollama.Client(host=cfg.ollama_host, timeout=timeout).list().models]
        else:
            import openai

            model = cfg.openai_model
            client = openai.OpenAI(base_url=cfg.openai_base_url, api_key=cfg.openai_api_key.get_secret_value(),
                                   timeout=timeout, max_retries=0)
            served = [m.id for m in client.models.list()]
    except Exception as e:  # refused, timed out, an HTTP error, a reply that is not a model list: all "down"
        raise BackendUnavailable(f"{describe(cfg)} does not answer: {e}") from None
    if model not in served:
        raise BackendUnavailable(f"{describe(cfg)} does not serve {model!r} (it has: {', '.join(served) or 'none'})")
