"""A small server speaking the OpenAI chat-completions API as vLLM serves it (/v1/models, /v1/chat/completions
with SSE streaming, `logprobs` / `top_logprobs`), over real HTTP: no vLLM can run here.

Like tests/fake_ollama.py it answers extractively (a sentence of excerpt [1]), records requests, and answers
the app's yes/no probe with a first token and its alternatives' log-probabilities (`probe_logprobs`).
"""

from __future__ import annotations

import json
import re
import time

from tests.fake_http import JSONHandler
from tests.fake_model import FakeModel


class FakeOpenAI(FakeModel):
    def __init__(self, model: str = "Qwen/Qwen2.5-7B-Instruct") -> None:
        super().__init__(model)
        self.start(self._handler())

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
                if fake.record(body):
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
                token, alternatives = fake.probe_reply(body.get("top_logprobs") or 0)
                reply = self._completion(token)
                if alternatives and body.get("logprobs"):
                    reply["choices"][0]["logprobs"] = {"content": [{**alternatives[0], "top_logprobs": alternatives}]}
                return reply

            def _completion(self, content: str) -> dict:
                return {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
                        "model": fake.model,
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                     "logprobs": None, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}}

        return Handler
