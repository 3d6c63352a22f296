"""The bundled GGUF, in-process, on llama-cpp-python's public `Llama` API.

The prompt is the GGUF's own chat template (its `tokenizer.chat_template`, rendered by llama-cpp-python's
Jinja2ChatFormatter). Two uses of llama.cpp's prompt cache:
- every prompt is read on from the end of its system prompt, whatever was asked before, so the same question
  gets the same answer (reusing more of the previous prompt reads the rest in other batches, and greedy
  decoding can then take another path); one saved state per system prompt (~40 ms to restore, vs ~0.7 s
  to read again when the language switches);
- the answer right after a probe of the same passages and question reads on from where the probe stopped,
  and the same prompt streamed again (another sampled draft) is not read again.
The reply probability is read from the next-token logits, through a logits processor (no `logits_all`).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from config.settings import LLMSettings
from llm.base import BackendUnavailable, Message, spellings

_MAX_STATES = 6  # one per system prompt in use (one per language at most): ~90 MB each


class LlamaCppBackend:
    def __init__(self, cfg: LLMSettings) -> None:
        if not cfg.model_path.is_file():
            raise BackendUnavailable(f"GGUF model not found at {cfg.model_path}: run `make models`, or set "
                                     "RAG_LLM__MODEL_PATH to a GGUF file")
        from llama_cpp import Llama
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.cfg = cfg
        self.llm = Llama(model_path=str(cfg.model_path), n_ctx=cfg.n_ctx, n_threads=cfg.n_threads, n_batch=512,
                         verbose=False)
        template = self.llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise BackendUnavailable(f"{cfg.model_path.name} has no chat template in its metadata: use an "
                                     "instruction-tuned GGUF")
        self.formatter = Jinja2ChatFormatter(template, eos_token=self._text(self.llm.token_eos()),
                                             bos_token=self._text(self.llm.token_bos()),
                                             stop_token_ids=[self.llm.token_eos()])
        self._states: OrderedDict[tuple[int, ...], Any] = OrderedDict()
        self._system_lengths: dict[str, int] = {}
        self._probed = False  # the last call was a probe
        # The last call's prompt, when the next may read on from it: after a probe, the answer to the same
        # question; after an answer, the same prompt sampled again.
        self._last: tuple[int, ...] = ()
        self._replies: dict[str, list[int]] = {}

    def describe(self) -> str:
        return f"llamacpp ({self.cfg.model_path})"

    def check(self) -> None:
        """Loaded in the constructor: nothing more to check."""

    def _text(self, token: int) -> str:
        return self.llm.detokenize([token], special=True).decode("utf-8", errors="ignore") if token >= 0 else ""

    def tokens(self, messages: Sequence[Message]) -> list[int]:
        prompt = self.formatter(messages=[dict(m) for m in messages]).prompt
        return self.llm.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)

    def _system_length(self, messages: Sequence[Message], tokens: list[int]) -> int:
        """How many of the prompt's tokens its system message makes (0 without one): the tokens shared with
        the same system message followed by any other user message."""
        if not messages or messages[0]["role"] != "system":
            return 0
        system = messages[0]["content"]
        if system not in self._system_lengths:
            other = self.tokens([messages[0], {"role": "user", "content": ""}])
            self._system_lengths[system] = _shared(tokens, other)
        return self._system_lengths[system]

    def _start(self, tokens: list[int], system: int, reuse: bool) -> None:
        """Leave the cache holding the part of `tokens` the model may read on from (generate() then reuses
        exactly that prefix): if `reuse`, the last probe's or answer's prompt up to where they differ (same
        system prompt, and more); else the system prompt, from the cache or a saved state."""
        last, self._last = self._last, ()
        llm = self.llm
        cached = llm.input_ids[: llm.n_tokens].tolist()
        if reuse and system and last and _shared(last, tokens) > system and _shared(cached, last) == len(last):
            return  # generate() reads on from the longest prefix the cache shares with `tokens`
        head = tuple(tokens[:system])
        if not head:
            llm.reset()
        elif len(cached) >= system and tuple(cached[:system]) == head:
            llm.n_tokens = system
        elif head in self._states:
            llm.load_state(self._states[head])
            self._states.move_to_end(head)
        else:
            llm.reset()
            llm.eval(list(head))
            self._states[head] = llm.save_state()
            if len(self._states) > _MAX_STATES:
                self._states.popitem(last=False)

    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float = 0.0,
               seed: int | None = None, schema: dict[str, Any] | None = None) -> Iterator[str]:
        from llama_cpp import LlamaGrammar

        tokens = self.tokens(messages)
        self._start(tokens, self._system_length(messages, tokens), reuse=self._reusable(tokens))
        self._last = tuple(tokens)
        grammar = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False) if schema else None
        for chunk in self.llm.create_completion(tokens, max_tokens=max_tokens, temperature=temperature,
                                                seed=seed, stream=True, grammar=grammar):
            if text := chunk["choices"][0]["text"]:
                yield text

    def reply_probability(self, messages: Sequence[Message], reply: str, other: str) -> float | None:
        from llama_cpp import LogitsProcessorList

        tokens = self.tokens(messages)
        self._start(tokens, self._system_length(messages, tokens), reuse=False)
        self._probed = True
        seen: list[np.ndarray] = []

        def capture(_ids: Any, logits: np.ndarray) -> np.ndarray:
            if not seen:
                seen.append(np.array(logits, dtype=np.float64))
            return logits

        self.llm.create_completion(tokens, max_tokens=1, temperature=0.0,
                                   logits_processor=LogitsProcessorList([capture]))
        self._last = tuple(tokens)
        logits = seen[0]
        p = np.exp(logits - logits.max())
        p /= p.sum()
        yes, no = (float(p[self._first_tokens(w)].sum()) for w in (reply, other))
        return yes / (yes + no) if yes + no > 0 else 0.5

    def _reusable(self, tokens: list[int]) -> bool:
        """May this answer read on from the last prompt? After a probe (its question's answer), or when it is
        the very same prompt again: both are the same for the same question, whatever came before."""
        probed, self._probed = self._probed, False
        return probed or tuple(tokens) == self._last

    def _first_tokens(self, word: str) -> list[int]:
        """The first token of each spelling of a one-word reply, once per word."""
        if word not in self._replies:
            self._replies[word] = sorted({self.llm.tokenize(s.encode("utf-8"), add_bos=False, special=False)[0]
                                          for s in spellings(word)})
        return self._replies[word]


def _shared(a: Sequence[int], b: Sequence[int]) -> int:
    """Length of the common prefix."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
