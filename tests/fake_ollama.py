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

from tests.fake_http import JSONHandler
from tests.fake_model import FakeModel


class FakeOllama(FakeModel):
    def __init__(self, model: str = "qwen2.5:1.5b-instruct") -> None:
        super().__init__(model)
        self.fail_after_tokens: int | None = None
        self.start(self._handler())

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
                asked = fake.record({"path": self.path, **body})
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
                token, alternatives = fake.probe_reply(body.get("top_logprobs") or 0)
                reply = self._final(token, body)
                if alternatives and body.get("logprobs"):
                    reply["logprobs"] = [{**alternatives[0], "top_logprobs": alternatives}]
                return reply

            def _final(self, content: str, body: dict) -> dict:
                return {"model": fake.model, "created_at": _now(), "done": True, "done_reason": "stop",
                        "message": {"role": "assistant", "content": content},
                        "total_duration": 1_000_000, "prompt_eval_count": 100, "eval_count": 10}

        return Handler


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
