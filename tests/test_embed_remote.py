"""Embeddings served by another process, over real HTTP: OpenAI's /v1/embeddings and Ollama's /api/embed,
answered by a local server that runs the bundled model, so the remote path can be compared with the local one."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest

from config.settings import EmbedSettings, Settings
from index import remote_embed, store
from index.embedder import EmbeddingUnavailable, WrongDimension, embed_documents, embed_model
from ingest import pipeline
from ingest.__main__ import main as ingest_cli
from ingest.pipeline import sync_folder
from qa.retrieve import Retriever
from tests.conftest import free_port, make_settings
from tests.fake_embed_servers import FakeEmbedServer

TEXTS = ["DeepSeek a été lancé par Liang Wenfeng.", "Nvidia a perdu 600 milliards de dollars en Bourse.",
         "Mistral AI a levé des fonds.", "Le modèle Janus-Pro génère des images.", "La pluie tombe en novembre."]
TITLES = ["La start-up chinoise DeepSeek", None, "Mistral", "DeepSeek dévoile Janus-Pro", None]


@pytest.fixture(scope="module")
def local(indexed: Settings) -> EmbedSettings:
    return indexed.embed


@pytest.fixture()
def server(local):
    model = embed_model(local).encoder  # the same bundled model the local path uses
    fake = FakeEmbedServer(lambda texts: model.encode(list(texts), prompt="", batch_size=local.batch_size,
                                                      normalize_embeddings=True))
    yield fake
    fake.close()


def _hashed(texts) -> np.ndarray:
    """Stand-in vectors (a seed per text) for the protocol tests that need no real model."""
    return np.stack([np.random.default_rng(sum(t.encode())).normal(size=768) for t in texts])


@pytest.fixture()
def cheap():
    fake = FakeEmbedServer(_hashed)
    yield fake
    fake.close()


def remote(local: EmbedSettings, url: str, backend: str = "openai", **kw) -> EmbedSettings:
    base = f"{url}/v1" if backend == "openai" else url
    return EmbedSettings.model_validate({**local.model_dump(), "backend": backend, "remote_url": base, **kw})


def with_embed(settings: Settings, embed: EmbedSettings) -> Settings:
    return settings.model_copy(update={"embed": embed})


@pytest.mark.parametrize("backend", ["openai", "ollama"])
def test_vectors_match_the_local_model_with_the_same_prompts(local, server, backend):
    cfg = remote(local, server.url, backend, remote_batch=2)
    got = np.asarray(embed_documents(cfg, TEXTS, TITLES))
    want = np.asarray(embed_documents(local, TEXTS, TITLES))
    assert got.shape == want.shape and (got * want).sum(1).min() > 0.999
    assert [len(r["input"]) for r in server.requests] == [2, 2, 1]  # batched
    assert server.texts()[0] == "title: La start-up chinoise DeepSeek | text: " + TEXTS[0]  # prompts applied here
    assert {r["path"] for r in server.requests} == {"/v1/embeddings" if backend == "openai" else "/api/embed"}

    server.requests.clear()
    question = "Who launched DeepSeek?"
    q_remote = np.asarray(embed_model(cfg).get_query_embedding(question))
    q_local = np.asarray(embed_model(local).get_query_embedding(question))
    assert float(q_remote @ q_local) > 0.999 and abs(np.linalg.norm(q_remote) - 1) < 1e-5
    assert server.texts() == ["task: search result | query: " + question]


def test_the_api_key_is_sent_and_a_refusal_is_not_retried(cheap):
    local, server = EmbedSettings(), cheap
    server.api_key = "s3cret"
    assert embed_documents(remote(local, server.url, api_key="s3cret"), TEXTS[:1], [None])
    assert server.requests[-1]["authorization"] == "Bearer s3cret"
    server.requests.clear()
    with pytest.raises(EmbeddingUnavailable, match="refused the request: HTTP 401"):
        embed_documents(remote(local, server.url, api_key="wrong"), TEXTS[:1], [None])
    assert len(server.requests) == 1
    with pytest.raises(EmbeddingUnavailable, match="not found"):
        embed_documents(remote(local, server.url, "ollama", remote_model="nope"), TEXTS[:1], [None])
    embed_documents(remote(local, server.url, "ollama", api_key="s3cret"), TEXTS[:1], [None])
    assert server.requests[-1]["authorization"] == "Bearer s3cret"


def test_a_busy_server_is_retried_by_the_openai_client_with_backoff(cheap):
    cheap.unavailable = 2
    encoder = remote_embed.RemoteEncoder(remote(EmbedSettings(), cheap.url, remote_tries=3))
    assert encoder.encode(TEXTS[:2]).shape == (2, 768)
    at = [r["at"] for r in cheap.requests]
    # The client's own backoff: 0.5 s then 1 s, less up to a quarter of jitter.
    assert len(at) == 3 and at[1] - at[0] >= 0.37 and at[2] - at[1] >= 0.74


def test_a_busy_server_stops_with_a_clear_error_once_the_tries_are_spent(cheap):
    cheap.unavailable = 3
    with pytest.raises(EmbeddingUnavailable, match=r"is busy or failing \(HTTP 503 model is loading; 2 tries\)"):
        remote_embed.RemoteEncoder(remote(EmbedSettings(), cheap.url, remote_tries=2)).encode(TEXTS[:1])
    assert len(cheap.requests) == 2


def test_an_ollama_server_answering_busy_is_not_retried(cheap):
    # The ollama client retries nothing but failed connections: the ingest stops, a rerun does the rest.
    cheap.unavailable = 1
    with pytest.raises(EmbeddingUnavailable, match=r"is busy or failing \(HTTP 503 model is loading; not retried\)"):
        remote_embed.RemoteEncoder(remote(EmbedSettings(), cheap.url, "ollama")).encode(TEXTS[:1])
    assert len(cheap.requests) == 1


@pytest.mark.parametrize("backend", ["openai", "ollama"])
def test_a_server_still_starting_is_waited_for(backend):
    port = free_port()
    started: list[FakeEmbedServer] = []
    later = threading.Timer(0.25, lambda: started.append(FakeEmbedServer(_hashed, port=port)))
    later.start()  # refused until then; the clients retry after 0.5 s (openai) or at once, then 0.5 s (ollama)
    try:
        encoder = remote_embed.RemoteEncoder(remote(EmbedSettings(), f"http://127.0.0.1:{port}", backend))
        assert encoder.encode(TEXTS[:2]).shape == (2, 768)
        assert len(started[0].requests) == 1
    finally:
        later.join()
        for fake in started:
            fake.close()


@pytest.mark.parametrize("backend", ["openai", "ollama"])
def test_a_server_that_is_down_is_a_clear_error(backend):
    local = EmbedSettings()
    url = f"http://127.0.0.1:{free_port()}"
    cfg = remote(local, url, backend, remote_tries=3, timeout_s=5)
    with pytest.raises(EmbeddingUnavailable) as err:
        embed_model(cfg).get_query_embedding("Who launched DeepSeek?")
    message = str(err.value)
    assert url in message and "does not answer" in message and "3 tries" in message
    assert "RAG_EMBED__BACKEND=torch" in message


@pytest.mark.parametrize(("backend", "protocol"), [("openai", "OpenAI embeddings"), ("ollama", "Ollama embed")])
def test_a_web_page_instead_of_vectors_is_a_clear_error(cheap, backend, protocol):
    cheap.web_page = True  # e.g. remote_url pointing at some web app
    with pytest.raises(EmbeddingUnavailable, match=f"did not answer in the {protocol} format: <html>"):
        remote_embed.RemoteEncoder(remote(EmbedSettings(), cheap.url, backend)).encode(TEXTS[:1])


def test_vectors_of_the_wrong_size_stop_the_ingest_before_anything_is_written(tmp_path, corpus_copy, local, server):
    for f in corpus_copy.iterdir():
        if not f.name.startswith("001"):
            f.unlink()
    settings = make_settings(tmp_path / "storage", corpus_copy, collection="dims")
    sync_folder(settings, show_progress=False)  # 768-dimension vectors, from the local model
    before = store.collection(settings.chroma).get()["ids"]
    docstore = store.docstore_path(settings.chroma, settings.ingest.docstore_dir)
    recorded = docstore.read_text()
    server.dims = 512  # EmbeddingGemma served at another Matryoshka size
    with pytest.raises(WrongDimension, match="512-dimension vectors but the collection holds 768"):
        sync_folder(with_embed(settings, remote(local, server.url)), show_progress=False)
    assert store.collection(settings.chroma).get()["ids"] == before and docstore.read_text() == recorded

def test_vectors_changing_size_between_answers_are_refused(cheap):
    encoder = remote_embed.RemoteEncoder(remote(EmbedSettings(), cheap.url, remote_batch=1))
    encoder.encode(TEXTS[:1])
    cheap.dims = 256
    with pytest.raises(WrongDimension, match="256-dimension vectors after 768"):
        encoder.encode(TEXTS[:1])


def _doc_chunks(settings: Settings) -> dict[str, set[str]]:
    got = store.get_all(store.collection(settings.chroma), ["metadatas"])
    out: dict[str, set[str]] = {}
    for i, m in zip(got["ids"], got["metadatas"], strict=True):
        out.setdefault(m["doc"], set()).add(i)
    return out


def test_a_server_dying_mid_ingest_leaves_whole_documents_and_a_rerun_completes(
        tmp_path, corpus_copy, local, server, indexed, monkeypatch, capsys):
    for f in corpus_copy.iterdir():
        if not f.name.startswith(("000", "001", "003")):
            f.unlink()
    monkeypatch.setattr(pipeline, "GROUP_CHARS", 1)  # one document per group
    reference = {d: ids for d, ids in _doc_chunks(indexed).items() if d.startswith(("000", "001", "003"))}
    [first, *rest] = sorted(reference)
    # A generous timeout: the fake server embeds a batch of 64 with the bundled model (seconds on 2 cores), and a
    # client timing out would retry and count as a request after the death. The death itself is immediate.
    embed = remote(local, server.url, remote_tries=2, timeout_s=120)
    # The requests an ingest of the first document alone makes (its chunks, and its sentences for the order
    # detector): the server answers that many, then dies.
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / first).write_bytes((corpus_copy / first).read_bytes())
    measure = with_embed(make_settings(tmp_path / "measure", alone, collection="alone"), embed)
    monkeypatch.setattr("ingest.__main__.get_settings", lambda: measure)
    before = len(server.requests)
    assert ingest_cli(["--collection", "alone"]) == 0
    server.die_after = 2 * len(server.requests) - before
    capsys.readouterr()
    settings = with_embed(make_settings(tmp_path / "storage", corpus_copy, collection="dies"), embed)
    monkeypatch.setattr("ingest.__main__.get_settings", lambda: settings)
    assert ingest_cli(["--collection", "dies"]) == 2
    err = capsys.readouterr().err
    assert "error: the embedding server at" in err and "does not answer" in err
    assert "1 of 3 documents to (re)index were indexed before it" in err and "run the ingest again" in err

    # Whole documents only: the one recorded as done has all its chunks, the others none.
    assert _doc_chunks(settings) == {first: reference[first]}
    recorded = json.loads(store.docstore_path(settings.chroma, settings.ingest.docstore_dir).read_text())
    assert set(recorded["docstore/metadata"]) == {first}

    again = FakeEmbedServer(server.encode)  # the server is back (at another address: the hash ignores it)
    try:
        settings = with_embed(settings, remote(local, again.url))
        report = sync_folder(settings, show_progress=False)
    finally:
        again.close()
    assert sorted(report.added) == rest and report.embedded_chunks == sum(len(reference[d]) for d in rest)
    assert _doc_chunks(settings) == reference


def test_cli_progress_shows_kb_per_second_and_time_left(tmp_path, corpus_copy, capsys, monkeypatch):
    for f in corpus_copy.iterdir():
        if not f.name.startswith("003"):
            f.unlink()
    settings = make_settings(tmp_path / "storage", corpus_copy, collection="progress")
    monkeypatch.setattr("ingest.__main__.get_settings", lambda: settings)
    assert ingest_cli(["--collection", "progress"]) == 0
    err = capsys.readouterr().err
    assert "embedding" in err and " KB/s" in err and " left" in err and "100%" in err


def test_progress_text():
    assert pipeline.progress_text(0, 547_000, 0) == "0 / 547 KB"
    assert pipeline.progress_text(123_000, 547_000, 40) == "123 / 547 KB · 3.1 KB/s · 2 min 18 s left"
    assert pipeline.progress_text(547_000, 547_000, 160) == "547 / 547 KB · 3.4 KB/s · 0 s left"
    assert pipeline.progress_text(10_000, 5_000_000, 10).endswith("1.0 KB/s · 1 h 23 min left")


def test_the_documents_tab_describes_progress_with_kb_per_second_and_time_left():
    from ui.documents import progress_to

    calls = []
    progress_to(lambda fraction, desc: calls.append((fraction, desc)))(123_000, 547_000, "123 / 547 KB · 3.1 KB/s")
    assert calls == [(123_000 / 547_000, "Embedding 123 / 547 KB · 3.1 KB/s")]


@pytest.mark.slow
def test_a_remote_ingest_finds_the_same_top_passages_for_the_readme_examples(tmp_path, local, server, indexed):
    from ui.chat import EXAMPLES

    settings = with_embed(make_settings(tmp_path / "storage"), remote(local, server.url))
    report = sync_folder(settings, show_progress=False)
    assert report.documents == 5 and report.total_chunks == store.collection(indexed.chroma).count()
    served, here = Retriever(settings), Retriever(indexed)
    for question in EXAMPLES:
        assert [p.id for p in served.retrieve(question)] == [p.id for p in here.retrieve(question)], question
