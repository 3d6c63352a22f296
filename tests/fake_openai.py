"""A small server speaking the OpenAI chat-completions API as vLLM serves it (/v1/models, /v1/chat/completions
with SSE streaming, `logprobs` / `top_logprobs`), over real HTTP: no vLLM can run here.

Like tests/fake_ollama.py it answers extractively (a sentence of excerpt [1]), records requests, and answers
the app's yes/no probe with a first token and its alternatives' log-probabilities (`probe_logprobs`).
"""

from __future__ import annotations

import json
import re
import time

from tests.fake_http import FakeServer, JSONHandler
from tests.fake_ollama import extractive


class FakeOpenAI(FakeServer):
    def __init__(self, model: str = "Qwen/Qwen2.5-7B-Instruct") -> None:
        self.model = model
        self.requests: list[dict] = []
        self.questions: list[dict] = []
        self.script: list[str] = []
        self.probe_logprobs: dict[str, float] | None = {"Yes": -0.105, "No": -2.35, "The": -5.0}
        self.start(self._handler())

    def answer_for(self, messages: list[dict]) -> str:
        return self.script.pop(0) if self.script else extractive(messages)

    def _handler(self):
        fake = self

        class Handler(JSONHandler):
            def do_GET(self) -> None:
                if self.path == "/v1/models":
                    self._json(200, {"object": "list", "data": [
                        {"id": fake.model, "object": "model", "created": 0, "owned_by": "vllm"}]})
                else:
                    self._json(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                body = self.body()
                if self.path != "/v1/chat/completions":
                    return self._json(404, {"error": {"message": "not found"}})
                if body.get("model") != fake.model:
                    return self._json(404, {"error": {"message": f"The model `{body.get('model')}` does not exist.",
                                                      "type": "NotFoundError", "code": 404}})
                asked = body["messages"][-1]["content"].rstrip().endswith("Reply yes or no.")
                (fake.questions if asked else fake.requests).append(body)
                if asked:
                    return self._json(200, self._probe(body))
                words = re.findall(r"\S+\s*", fake.answer_for(body["messages"]))
                if not body.get("stream"):
                    return self._json(200, self._completion("".join(words)))
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for i, word in enumerate([*words, None]):
                    delta = {"content": word} if word is not None else {}
                    if i == 0:
                        delta["role"] = "assistant"
                    chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                             "model": fake.model, "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                                               "finish_reason": None if word is not None else "stop"}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")

            def _probe(self, body: dict) -> dict:
                top = sorted((fake.probe_logprobs or {"Yes": 0.0}).items(), key=lambda kv: -kv[1])
                reply = self._completion(top[0][0])
                if fake.probe_logprobs is not None and body.get("logprobs"):
                    alternatives = [{"token": t, "logprob": lp, "bytes": list(t.encode())}
                                    for t, lp in top[: body.get("top_logprobs") or 0]]
                    reply["choices"][0]["logprobs"] = {"content": [{**alternatives[0], "top_logprobs": alternatives}]}
                return reply

            def _completion(self, content: str) -> dict:
                return {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
                        "model": fake.model,
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                     "logprobs": None, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}}

        return Handler
