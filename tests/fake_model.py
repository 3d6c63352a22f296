"""What the fake model servers share (tests/fake_ollama.py, tests/fake_openai.py): scripted or extractive
replies, the requests they got, and the app's yes/no probe answered with log-probabilities."""

from __future__ import annotations

import re

from tests.fake_http import FakeServer

PROBE_END = "Reply yes or no."


class FakeModel(FakeServer):
    def __init__(self, model: str) -> None:
        self.model = model
        self.requests: list[dict] = []  # the answers asked for
        self.questions: list[dict] = []  # the app's yes/no questions
        self.script: list[str] = []  # replies sent, in order, before the extractive default
        # The probe's first token and its alternatives (token -> logprob); None: a server returning no logprobs.
        self.probe_logprobs: dict[str, float] | None = {"Yes": -0.105, "No": -2.35, "The": -5.0}

    def record(self, body: dict) -> bool:
        """Keep the request; is it the app's probe?"""
        asked = body.get("messages", [{}])[-1].get("content", "").rstrip().endswith(PROBE_END)
        (self.questions if asked else self.requests).append(body)
        return asked

    def answer_for(self, messages: list[dict]) -> str:
        return self.script.pop(0) if self.script else extractive(messages)

    def probe_reply(self, top_n: int) -> tuple[str, list[dict] | None]:
        """The probe's reply token and, when the server returns them, its top_n alternatives."""
        top = sorted((self.probe_logprobs or {"Yes": 0.0}).items(), key=lambda kv: -kv[1])
        if self.probe_logprobs is None:
            return top[0][0], None
        return top[0][0], [{"token": t, "logprob": lp, "bytes": list(t.encode())} for t, lp in top[:top_n]]


def extractive(messages: list[dict]) -> str:
    """Like an extractive model: a sentence of passage [1], one with a figure if it has one."""
    user = messages[-1]["content"]
    m = re.search(r"^\[1\] (.+?)(?=^\[2\]|^Question|\Z)", user, re.M | re.S)
    sentences = re.findall(r"[^.!?]*\d[^.!?]*[.!?]|[^.!?]+[.!?]", m.group(1)) if m else []
    best = next((t for t in sentences if re.search(r"\d", t)), sentences[0] if sentences else "")
    return f"{best.strip()} [1]" if best else "Je ne sais pas."
