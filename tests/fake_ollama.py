"""A small server speaking Ollama's HTTP API (/api/tags, /api/chat with NDJSON streaming).

No Ollama server can be installed here, so this stands in for one over real HTTP. It answers
extractively: the first sentence of excerpt [1], so the app's citation checks have real text to verify.
It records each request, can be given scripted replies to send first, and can be told to die in the
middle of a stream. A yes/no question about the passages (the app's probe) is recorded apart, in
`questions`, and answered as Ollama (≥ 0.12.11) answers `logprobs: true, top_logprobs: n`: the reply token and
its alternatives with their log-probabilities (`probe_logprobs`, token -> logprob; None: an older server that
returns no logprobs).
"""

from __future__ import annotations

import json
import re
import time

from tests.fake_http import FakeServer, JSONHandler


class FakeOllama(FakeServer):
    def __init__(self, model: str = "qwen2.5:1.5b-instruct") -> None:
        self.model = model
        self.requests: list[dict] = []
        self.fail_after_tokens: int | None = None
        self.script: list[str] = []  # replies sent, in order, before the extractive default
        self.probe_logprobs: dict[str, float] | None = {"Yes": -0.105, "No": -2.35, "The": -5.0}
        self.questions: list[dict] = []  # the app's yes/no questions
        self.start(self._handler())

    def answer_for(self, messages: list[dict]) -> str:
        return self.script.pop(0) if self.script else extractive(messages)

    def _handler(self):
        fake = self

        class Handler(JSONHandler):

            def do_GET(self) -> None:
                if self.path == "/api/tags":
                    self._json(200, {"models": [{"name": fake.model, "model": fake.model, "size": 986_000_000,
                                                 "details": {"family": "qwen2", "parameter_size": "1.5B"}}]})
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self) -> None:
                body = self.body()
                asked = body.get("messages", [{}])[-1].get("content", "").rstrip().endswith("Reply yes or no.")
                (fake.questions if asked else fake.requests).append({"path": self.path, **body})
                if self.path != "/api/chat":
                    return self._json(404, {"error": "not found"})
                if body.get("model") != fake.model:
                    return self._json(404, {"error": f"model '{body.get('model')}' not found"})
                if asked:
                    return self._json(200, self._probe(body))
                words = re.findall(r"\S+\s*", fake.answer_for(body["messages"]))
                if not body.get("stream", True):
                    return self._json(200, self._final("".join(words), body))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.end_headers()
                for i, word in enumerate(words):
                    if fake.fail_after_tokens is not None and i >= fake.fail_after_tokens:
                        self.connection.close()  # the server dies mid-answer
                        return
                    chunk = {"model": fake.model, "created_at": _now(),
                             "message": {"role": "assistant", "content": word}, "done": False}
                    self.wfile.write(json.dumps(chunk).encode() + b"\n")
                    self.wfile.flush()
                self.wfile.write(json.dumps(self._final("", body)).encode() + b"\n")

            def _probe(self, body: dict) -> dict:
                top = sorted((fake.probe_logprobs or {"Yes": 0.0}).items(), key=lambda kv: -kv[1])
                reply = self._final(top[0][0], body)
                if fake.probe_logprobs is not None and body.get("logprobs"):
                    alternatives = [{"token": t, "logprob": lp, "bytes": list(t.encode())}
                                    for t, lp in top[: body.get("top_logprobs") or 0]]
                    reply["logprobs"] = [{**alternatives[0], "top_logprobs": alternatives}]
                return reply

            def _final(self, content: str, body: dict) -> dict:
                return {"model": fake.model, "created_at": _now(), "done": True, "done_reason": "stop",
                        "message": {"role": "assistant", "content": content},
                        "total_duration": 1_000_000, "prompt_eval_count": 100, "eval_count": 10}

        return Handler


def extractive(messages: list[dict]) -> str:
    """Like an extractive model: a sentence of passage [1], one with a figure if it has one."""
    user = messages[-1]["content"]
    m = re.search(r"^\[1\] (.+?)(?=^\[2\]|^Question|\Z)", user, re.M | re.S)
    sentences = re.findall(r"[^.!?]*\d[^.!?]*[.!?]|[^.!?]+[.!?]", m.group(1)) if m else []
    best = next((t for t in sentences if re.search(r"\d", t)), sentences[0] if sentences else "")
    return f"{best.strip()} [1]" if best else "Je ne sais pas."


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
