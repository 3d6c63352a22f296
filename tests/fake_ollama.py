"""A small server speaking Ollama's HTTP API (/api/tags, /api/chat with NDJSON streaming).

No Ollama server can be installed here, so this stands in for one over real HTTP. It answers
extractively: the first sentence of excerpt [1], so the app's citation checks have real text to verify.
It records each request, can be given scripted replies to send first, and can be told to die in the
middle of a stream. A yes/no question about the passages (the app's probe) gets
`verdict` ("yes" unless told otherwise) and is recorded apart, in `questions`.
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
        self.verdict = "yes"  # the reply to the app's yes/no questions
        self.questions: list[dict] = []  # those requests
        self.start(self._handler())

    def answer_for(self, messages: list[dict]) -> str:
        if self.script:
            return self.script.pop(0)
        # Like an extractive model: a sentence of passage [1], one with a figure if it has one.
        user = messages[-1]["content"]
        m = re.search(r"^\[1\] (.+?)(?=^\[2\]|^Question|\Z)", user, re.M | re.S)
        sentences = re.findall(r"[^.!?]*\d[^.!?]*[.!?]|[^.!?]+[.!?]", m.group(1)) if m else []
        best = next((t for t in sentences if re.search(r"\d", t)), sentences[0] if sentences else "")
        return f"{best.strip()} [1]" if best else "Je ne sais pas."

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
                reply = fake.verdict if asked else fake.answer_for(body["messages"])
                words = re.findall(r"\S+\s*", reply)
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

            def _final(self, content: str, body: dict) -> dict:
                return {"model": fake.model, "created_at": _now(), "done": True, "done_reason": "stop",
                        "message": {"role": "assistant", "content": content},
                        "total_duration": 1_000_000, "prompt_eval_count": 100, "eval_count": 10}

        return Handler


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
