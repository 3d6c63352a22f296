"""The HTTP API, served with the UI on one port: the official `openai` client, errors, documents, health."""

import concurrent.futures

import httpx
import pytest

from tests.conftest import serving

pytestmark = pytest.mark.slow

NVIDIA = "Combien Nvidia a-t-elle perdu en Bourse après l'annonce de DeepSeek ?"


@pytest.fixture(scope="module")
def base_url(engine):
    with serving(engine) as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url):
    from openai import OpenAI

    return OpenAI(base_url=f"{base_url}/v1", api_key="unused", max_retries=0, timeout=300)


def test_models_list_one_per_corpus_and_the_schema_is_openais(client, engine, base_url):
    ids = [m.id for m in client.models.list().data]
    assert f"corpus:{engine.settings.chroma.collection}" in ids
    schemas = httpx.get(f"{base_url}/openapi.json", timeout=30).json()["components"]["schemas"]
    assert {"ChatCompletion", "ChatCompletionUserMessageParam", "Model"} <= set(schemas)


def test_openai_client_gets_a_cited_answer_with_the_structured_extra(client, engine, corpus_text):
    from openai.types.chat import ChatCompletion

    from qa.schema import Answer

    model = f"corpus:{engine.settings.chroma.collection}"
    # Content as parts, after a system message: the question is the last user message's text.
    done = client.chat.completions.create(model=model, messages=[
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": [{"type": "text", "text": NVIDIA}]}])
    assert isinstance(done, ChatCompletion) and done.model == model and done.choices[0].finish_reason == "stop"
    text = done.choices[0].message.content
    assert done.choices[0].message.role == "assistant" and "600" in text and "[" in text
    rag = done.model_extra["rag"]
    assert set(Answer(question="q").to_dict()) <= set(rag)  # all of `Answer.to_dict()`, whatever fields it gains
    assert rag["question"] == NVIDIA and rag["answer"] == text
    assert rag["citations"] and all(f"[{c['n']}]" in text for c in rag["citations"])
    for p in rag["retrieved"]:
        assert p["text"] == corpus_text[p["doc"]][p["start"] : p["end"]]


def test_openai_client_streaming_ends_with_the_verified_answer(client, engine):
    stream = client.chat.completions.create(model=f"corpus:{engine.settings.chroma.collection}", stream=True,
                                            messages=[{"role": "user", "content": NVIDIA}])
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant" and chunks[0].model_extra["rag"]["retrieved"]
    assert all(c.id == chunks[0].id and c.object == "chat.completion.chunk" for c in chunks)
    final = chunks[-1].model_extra["rag"]
    assert chunks[-1].choices[0].finish_reason == "stop" and final["answer"] == text.strip()
    assert final["citations"] and all(f"[{c['n']}]" in text for c in final["citations"])


def test_errors_use_openai_shapes_and_status_codes(client, base_url, engine):
    import openai

    model = f"corpus:{engine.settings.chroma.collection}"
    with pytest.raises(openai.NotFoundError) as err:
        client.chat.completions.create(model="corpus:nope", messages=[{"role": "user", "content": "x"}])
    assert err.value.body["code"] == "model_not_found" and err.value.body["param"] == "model"
    with pytest.raises(openai.BadRequestError, match="type a question"):
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": "   "}])
    with pytest.raises(openai.BadRequestError, match="limit is 2,000"):
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": "x" * 100_000}])
    with pytest.raises(openai.BadRequestError, match="must contain a user message"):
        client.chat.completions.create(model=model, messages=[{"role": "system", "content": "Be brief."}])
    with pytest.raises(openai.BadRequestError, match="'bogus' .* expected tags: 'developer', 'system', 'user'"):
        client.chat.completions.create(model=model, messages=[{"role": "bogus", "content": "x"}])
    with pytest.raises(openai.BadRequestError, match=r"messages\.0\.content\.1: not an OpenAI content part"):
        client.chat.completions.create(model=model, messages=[
            {"role": "user", "content": [{"type": "text", "text": "Who?"}, {"type": "nope"}]}])
    reply = httpx.post(f"{base_url}/v1/chat/completions", json={"model": "corpus:x"}, timeout=30)
    assert reply.status_code == 400 and reply.json()["error"] == {
        "message": "messages: Field required", "type": "invalid_request_error", "param": "messages", "code": None}


def test_retrieve_is_search_mode_with_offsets(base_url, engine, corpus_text):
    reply = httpx.post(f"{base_url}/v1/retrieve", json={"query": NVIDIA, "top_k": 3}, timeout=60)
    data = reply.json()
    assert reply.status_code == 200 and len(data["retrieved"]) == 3 and data["citations"]
    for c in data["citations"]:
        assert c["quote"] == corpus_text[c["doc"]][c["start"] : c["end"]]


def test_documents_upload_list_delete(base_url):
    lake = "Le lac Kariba est un réservoir construit sur le Zambèze entre 1955 et 1959.".encode()
    reply = httpx.post(f"{base_url}/v1/documents", data={"model": "corpus:api-docs"}, timeout=120,
                       files=[("files", ("lac.txt", lake, "text/plain")),
                              ("files", ("../broken.pdf", b"%PDF-1.4 nope", "application/pdf"))])
    body = reply.json()
    assert reply.status_code == 200 and body["added"] == ["lac.txt"]
    assert body["skipped"][0]["doc"] == "../broken.pdf" and "cannot read this PDF" in body["skipped"][0]["reason"]
    listed = httpx.get(f"{base_url}/v1/documents", params={"model": "corpus:api-docs"}, timeout=30).json()
    assert [d["doc"] for d in listed["data"]] == ["lac.txt"]
    hits = httpx.post(f"{base_url}/v1/retrieve", json={"query": "lac Kariba", "model": "corpus:api-docs"},
                      timeout=60).json()
    assert hits["retrieved"][0]["doc"] == "lac.txt"
    gone = httpx.delete(f"{base_url}/v1/documents/lac.txt", params={"model": "corpus:api-docs"}, timeout=60)
    assert gone.status_code == 200 and gone.json()["removed"] == ["lac.txt"]
    again = httpx.delete(f"{base_url}/v1/documents/lac.txt", params={"model": "corpus:api-docs"}, timeout=60)
    assert again.status_code == 404 and again.json()["error"]["code"] == "document_not_found"


def test_health_reports_ready(base_url):
    reply = httpx.get(f"{base_url}/health", timeout=60)
    assert reply.status_code == 200 and reply.json()["status"] == "ok" and reply.json()["chunks"] > 0


def test_four_simultaneous_streams_complete_and_match_their_questions(client, engine):
    model = f"corpus:{engine.settings.chroma.collection}"
    questions = {
        NVIDIA: "600",
        "Quel modèle de génération d'images DeepSeek a-t-il dévoilé lundi ?": "Janus",
        "Who launched DeepSeek?": "Liang",
        "Combien aurait coûté DeepSeek selon les informations officielles ?": "5,6",
    }

    def ask(question: str) -> tuple[str, str, str]:
        chunks = list(client.chat.completions.create(model=model, stream=True,
                                                     messages=[{"role": "user", "content": question}]))
        final = chunks[-1].model_extra["rag"]
        return question, final["question"], "".join(c.choices[0].delta.content or "" for c in chunks)

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(ask, questions))
    for question, echoed, text in results:
        assert echoed == question and questions[question] in text


def test_api_key_is_required_on_every_endpoint_when_set(indexed):
    import openai

    from config.settings import UISettings
    from qa.engine import Engine

    locked = Engine(indexed.model_copy(update={"ui": UISettings(api_key="s3cret")}))
    with serving(locked) as url:
        for method, path in (("GET", "/v1/models"), ("GET", "/health"), ("POST", "/v1/retrieve"),
                             ("GET", "/v1/documents"), ("POST", "/v1/chat/completions")):
            reply = httpx.request(method, url + path, json={}, timeout=30)
            assert reply.status_code == 401 and reply.json()["error"]["code"] == "invalid_api_key", path
        with pytest.raises(openai.AuthenticationError) as err:
            openai.OpenAI(base_url=f"{url}/v1", api_key="wrong", max_retries=0).models.list()
        assert err.value.body["code"] == "invalid_api_key"
        models = openai.OpenAI(base_url=f"{url}/v1", api_key="s3cret", max_retries=0).models.list()
        assert f"corpus:{indexed.chroma.collection}" in [m.id for m in models]
        assert httpx.get(url + "/", timeout=30).status_code == 200  # the UI itself is not behind the key
