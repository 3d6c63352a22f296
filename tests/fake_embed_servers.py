"""A small server speaking both embedding protocols the app can use: OpenAI's POST /v1/embeddings (vLLM,
text-embeddings-inference, llama.cpp server) and Ollama's POST /api/embed.

It computes real embeddings with the function it is given (the bundled model, in the tests), so a remote
ingest can be compared with a local one. It records each request (and when it came) and can be told to answer
503 a few times, to require an API key, to cut its vectors to another size, to answer a web page instead, or
to die after some requests (its socket closed: later connections are refused, as with a crashed server).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tests.fake_http import FakeServer, JSONHandler

Encode = Callable[[Sequence[str]], np.ndarray]


class FakeEmbedServer(FakeServer):
    def __init__(self, encode: Encode, model: str = "embeddinggemma", port: int = 0) -> None:
        self.encode = encode
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.api_key: str | None = None
        self.unavailable = 0  # this many next requests get a 503
        self.dims: int | None = None  # cut vectors to this size (a Matryoshka model served at another size)
        self.die_after: int | None = None  # embedding requests answered before the server dies
        self.web_page = False  # answer 200 with an HTML page, as a web app at that address would
        self._lock = threading.Lock()  # one encode at a time, like a single-worker server
        self.start(self._handler(), port)

    def texts(self) -> list[str]:
        return [t for r in self.requests for t in r["input"]]

    def _vectors(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            vectors = np.asarray(self.encode(texts), dtype=np.float32)
        return (vectors[:, : self.dims] if self.dims else vectors).tolist()

    def _handler(self):
        fake = self

        class Handler(JSONHandler):

            def do_POST(self) -> None:
                body = self.body()
                texts = [body["input"]] if isinstance(body.get("input"), str) else list(body.get("input", []))
                fake.requests.append({"path": self.path, "input": texts, "model": body.get("model"),
                                      "authorization": self.headers.get("Authorization"), "at": time.monotonic()})
                if fake.die_after is not None and len(fake.requests) > fake.die_after:
                    self.close_connection = True  # no answer to this one, and no server after it
                    threading.Thread(target=fake.close, daemon=True).start()
                    return
                if fake.unavailable > 0:
                    fake.unavailable -= 1
                    return self._json(503, {"error": "model is loading"})
                if fake.web_page:
                    return self._page()
                if self.path == "/v1/embeddings":
                    return self._openai(body, texts)
                if self.path == "/api/embed":
                    return self._ollama(body, texts)
                self._json(404, {"error": "not found"})

            def _page(self) -> None:
                page = b"<html><body>Sign in</body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def _openai(self, body: dict, texts: list[str]) -> None:
                if fake.api_key and self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                    return self._json(401, {"error": {"message": "Invalid API key", "type": "invalid_request_error"}})
                if body.get("model") != fake.model:
                    return self._json(404, {"error": {"message": f"The model `{body.get('model')}` does not exist."}})
                data = [{"object": "embedding", "index": i, "embedding": v}
                        for i, v in enumerate(fake._vectors(texts))]
                data.reverse()  # the index field, not the order, says which text each vector is for
                self._json(200, {"object": "list", "data": data, "model": fake.model,
                                 "usage": {"prompt_tokens": 0, "total_tokens": 0}})

            def _ollama(self, body: dict, texts: list[str]) -> None:
                if body.get("model") != fake.model:
                    return self._json(404, {"error": f'model "{body.get("model")}" not found, try pulling it first'})
                self._json(200, {"model": fake.model, "embeddings": fake._vectors(texts),
                                 "total_duration": 1_000_000, "load_duration": 0, "prompt_eval_count": 0})

        return Handler
