"""POST /v1/chat/completions: OpenAI's chat completion, streamed or not, over a corpus, with the structured
answer (citations, passages, timings: `Answer.to_dict()`) as the extra field `rag`.

The last user message is the question; the messages before it are the conversation, which the engine uses to
make a follow-up standalone, as in the UI. Streaming sends the sources first, then the verified answer: the text
a client shows is the checked one, with its [n] markers, never a draft the citation checks later changed.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from openai.types import ErrorObject
from openai.types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionMessage, ChatCompletionMessageParam
from openai.types.chat.chat_completion import Choice
from openai.types.chat.chat_completion_chunk import Choice as ChunkChoice
from openai.types.chat.chat_completion_chunk import ChoiceDelta
from pydantic import BaseModel, Field, ValidationError

from api.deps import ApiError, EnginesDep, corpus, unavailable
from index.store import IndexUnavailable
from llm import BackendUnavailable, shared_backend
from qa.engine import Engine, InvalidQuestion
from qa.followup import Turn
from qa.schema import Answer

router = APIRouter(tags=["chat"])


class ChatRequest(BaseModel):
    """OpenAI's request (openai.types.chat.CompletionCreateParams): `model`, `messages` and `stream` are read;
    the other parameters are accepted and ignored, answers are generated with the server's settings."""

    model: str = Field(description='A corpus: "corpus:<name>" or "<name>" (see GET /v1/models)')
    # Told apart by role, so that a wrong message says which role it claimed instead of failing every kind.
    messages: list[Annotated[ChatCompletionMessageParam, Field(discriminator="role")]] = Field(min_length=1)
    stream: bool | None = False


@router.post("/v1/chat/completions", response_model=ChatCompletion, response_model_exclude_unset=True,
             responses={200: {"content": {"text/event-stream": {}},
                              "description": "A ChatCompletion, or with `stream` ChatCompletionChunk events"}})
def chat(req: ChatRequest, engines: EnginesDep) -> ChatCompletion | StreamingResponse:
    engine = corpus(engines, req.model)
    turns = _turns(req)
    last = max((i for i, (role, _) in enumerate(turns) if role == "user"), default=None)
    if last is None:
        raise ApiError(400, "messages must contain a user message: the last one is the question", param="messages")
    question = turns[last][1]
    history = [turn for turn in turns[:last] if turn[0] in ("user", "assistant")]
    try:
        engine.validate(question)
    except InvalidQuestion as e:
        raise ApiError(400, str(e), param="messages") from None
    if req.stream:
        try:
            shared_backend(engine.settings.llm)  # a model that cannot load is a 503 before the stream starts
        except BackendUnavailable as e:
            raise unavailable(str(e)) from None
        return StreamingResponse(_events(engine, question, history, req.model), media_type="text/event-stream")
    return _completion(_answer(engine, question, history), req.model)


def _turns(req: ChatRequest) -> list[Turn]:
    """Each message as (role, text); a content given as parts keeps its text parts."""
    turns = []
    try:
        for message in req.messages:
            content = message.get("content")
            if content is not None and not isinstance(content, str):
                # The library types parts as an Iterable, which pydantic checks as it is read: here.
                content = " ".join(part["text"] for part in content if part["type"] == "text")
            turns.append((message["role"], content or ""))
    except ValidationError as e:
        part = e.errors()[0]["loc"][0]
        raise ApiError(400, f"messages.{len(turns)}.content.{part}: not an OpenAI content part "
                       '(e.g. {"type": "text", "text": "..."})', param="messages") from None
    return turns


def _answer(engine: Engine, question: str, history: list[Turn]) -> Answer:
    try:
        answer = engine.ask(question, history)
    except (IndexUnavailable, BackendUnavailable) as e:
        raise unavailable(str(e)) from None
    if answer.error:
        raise unavailable(answer.error)
    return answer


def _completion(answer: Answer, model: str) -> ChatCompletion:
    message = ChatCompletionMessage(role="assistant", content=answer.answer)
    # Standard clients ignore `rag`; the openai client keeps it in `model_extra`.
    return ChatCompletion(id=_new_id(), object="chat.completion", created=int(time.time()), model=model,
                          choices=[Choice(index=0, message=message, finish_reason="stop")], rag=answer.to_dict())


def _events(engine: Engine, question: str, history: list[Turn], model: str) -> Iterator[str]:
    ident, created = _new_id(), int(time.time())

    def chunk(delta: ChoiceDelta, finish: str | None = None, **extra: Any) -> str:
        body = ChatCompletionChunk(id=ident, object="chat.completion.chunk", created=created, model=model,
                                   choices=[ChunkChoice(index=0, delta=delta, finish_reason=finish)], **extra)
        return f"data: {body.model_dump_json(exclude_unset=True)}\n\n"

    answer = None
    try:
        for update in engine.stream(question, history):
            answer = update.answer
            if update.kind == "sources":
                yield chunk(ChoiceDelta(role="assistant"), rag={"retrieved": [p.public() for p in answer.retrieved]})
    except (IndexUnavailable, BackendUnavailable) as e:
        yield _error(str(e))
    except Exception as e:  # whatever it is, the client gets an error event and the end of the stream
        yield _error(f"the answer failed: {type(e).__name__}: {e}")
    else:
        if answer is None or answer.error:
            yield _error(answer.error if answer else "no answer")
        else:
            for piece in re.findall(r"\S+\s*", answer.answer):
                yield chunk(ChoiceDelta(content=piece))
            yield chunk(ChoiceDelta(), "stop", rag=answer.to_dict())
    yield "data: [DONE]\n\n"


def _error(message: str) -> str:
    """An error inside a stream, as OpenAI sends it: the openai client raises it as an APIError."""
    error = ErrorObject(message=message, type="server_error", code="backend_unavailable")
    return f'data: {{"error": {error.model_dump_json()}}}\n\n'


def _new_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"
