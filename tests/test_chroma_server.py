"""The scale-out path: the same ingest and retrieval against a real `chroma run` server on 127.0.0.1."""

import pytest

from index import store
from ingest.pipeline import sync_folder
from qa.retrieve import Retriever
from tests.conftest import make_settings

pytestmark = pytest.mark.slow


def test_ingest_and_retrieve_through_a_chroma_server(chroma_server, tmp_path, corpus_copy, corpus_text):
    port, _ = chroma_server
    for f in corpus_copy.iterdir():
        if not f.name.startswith("003"):
            f.unlink()
    settings = make_settings(tmp_path, corpus_copy, collection="server-test", host="127.0.0.1", port=port)
    first = sync_folder(settings, show_progress=False)
    assert first.total_chunks == first.embedded_chunks > 0
    assert sync_folder(settings, show_progress=False).embedded_chunks == 0  # the docstore follows the server
    assert "server-test" in store.list_collections(settings.chroma)
    assert not (tmp_path / "chroma").exists()  # nothing went to the embedded store

    [best, *_] = Retriever(settings).retrieve("Quel modèle d'Alibaba est multimodal ?")
    assert best.doc == "003_36b561fd004fc80e.txt" and "Qwen 2.5" in best.text
    assert best.text == corpus_text[best.doc][best.start : best.end]


def test_unreachable_server_gives_a_clear_error(tmp_path):
    from tests.conftest import free_port

    settings = make_settings(tmp_path, host="127.0.0.1", port=free_port())
    with pytest.raises(store.IndexUnavailable, match=r"http://127\.0\.0\.1:\d+"):
        store.collection(settings.chroma)


def test_server_down_then_restarted_recovers_without_restarting_the_app(tmp_path, corpus_copy):
    from qa.engine import Engine
    from tests.conftest import free_port, start_chroma

    for f in corpus_copy.iterdir():
        if not f.name.startswith("003"):
            f.unlink()
    port = free_port()
    data = tmp_path / "server-data"
    server = start_chroma(data, port)
    try:
        settings = make_settings(tmp_path, corpus_copy, collection="restart", host="127.0.0.1", port=port)
        sync_folder(settings, show_progress=False)
        engine = Engine(settings)
        assert engine.search("Qwen 2.5 d'Alibaba")[0].doc == "003_36b561fd004fc80e.txt"
        server.terminate()
        server.wait(timeout=30)
        with pytest.raises(store.IndexUnavailable, match="check that it is running"):
            engine.search("Qwen 2.5 d'Alibaba")
        server = start_chroma(data, port)
        assert engine.search("Qwen 2.5 d'Alibaba")[0].doc == "003_36b561fd004fc80e.txt"  # same engine object
    finally:
        server.terminate()
        server.wait(timeout=30)
