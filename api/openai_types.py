"""The OpenAI-compatible request and error shapes the API accepts and returns."""

from __future__ import annotations

from typing import Any, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field


class Message(BaseModel):
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return " ".join(part.get("text", "") for part in self.content if part.get("type") == "text")
        return self.content or ""


class ChatRequest(BaseModel):
    model: str = Field(description='A corpus: "corpus:<name>" or "<name>" (see GET /v1/models)')
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    # Accepted for compatibility; answers are generated with the server's settings.
    temperature: float | None = None
    max_tokens: int | None = None


class RetrieveRequest(BaseModel):
    query: str
    model: str | None = Field(default=None, description="the corpus; default: the server's")
    top_k: int | None = Field(default=None, ge=1, le=50)


def error(status: int, message: str, kind: str = "invalid_request_error", param: str | None = None,
          code: str | None = None) -> JSONResponse:
    """OpenAI's error JSON: {"error": {"message", "type", "param", "code"}}."""
    return JSONResponse(status_code=status,
                        content={"error": {"message": message, "type": kind, "param": param, "code": code}})
