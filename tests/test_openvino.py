"""The OpenVINO embedding backend: converted once from the bundled model, same vectors as torch, and a
drop-in for retrieval over a store that another backend built (switching backends needs no re-ingest)."""

import json
from pathlib import Path

import numpy as np
import pytest

from index.embedder import embed_documents, embed_model
from index.ov_embed import converted_dir
from qa.retrieve import Retriever

pytestmark = pytest.mark.slow

LONG = "Les marchés ont réagi à l'annonce d'un modèle chinois bien moins coûteux que prévu. " * 40


def _with_backend(settings, backend: str):
    return settings.model_copy(update={"embed": settings.embed.model_copy(update={"backend": backend})})


@pytest.fixture(scope="module")
def ov_settings(indexed):
    settings = _with_backend(indexed, "openvino")
    embed_model(settings.embed)  # converts on first use (~1-2 min), then loads the converted model
    return settings


@pytest.fixture(scope="module")
def torch_settings(indexed):
    return _with_backend(indexed, "torch")


def test_the_converted_model_lives_next_to_the_source_and_records_its_check(ov_settings):
    source = Path(ov_settings.embed.model)
    folder = converted_dir(ov_settings.embed)
    assert folder == source.parent / "embeddinggemma-300m-openvino" and (folder / "embedder.xml").exists()
    meta = json.loads((folder / "source.json").read_text())
    assert meta["model"] == str(source.resolve()) and meta["check_cosine"] >= 0.999
    assert meta["prompts"]["query"] == ov_settings.embed.query_prompt


def test_vectors_agree_with_torch_including_a_text_longer_than_the_attention_window(torch_settings, ov_settings):
    texts = ["DeepSeek a été lancé par Liang Wenfeng.", "Nvidia a perdu 600 milliards de dollars.", LONG]
    titles = ["La start-up chinoise DeepSeek", None, "Marchés"]
    torch_vectors = np.asarray(embed_documents(torch_settings.embed, texts, titles))
    ov_vectors = np.asarray(embed_documents(ov_settings.embed, texts, titles))
    assert (torch_vectors * ov_vectors).sum(1).min() >= 0.995
    question = "Who launched DeepSeek?"
    q_torch = np.asarray(embed_model(torch_settings.embed).get_query_embedding(question))
    q_ov = np.asarray(embed_model(ov_settings.embed).get_query_embedding(question))
    assert float(q_torch @ q_ov) >= 0.995
    # Not a constant: another text lands elsewhere.
    assert float(ov_vectors[0] @ ov_vectors[1]) < 0.9


@pytest.mark.parametrize("question, evidence", [
    ("Quel modèle de génération d'images DeepSeek a-t-il dévoilé lundi ?", "Janus-Pro"),
    ("How much market value did Nvidia lose on the Monday of the DeepSeek shock?", "600 milliards"),
])
def test_either_backend_finds_the_same_passages_in_the_same_store(torch_settings, ov_settings, question, evidence):
    with_torch = Retriever(torch_settings).retrieve(question)
    with_ov = Retriever(ov_settings).retrieve(question)
    assert evidence in with_ov[0].text or evidence in with_ov[1].text
    assert [p.id for p in with_ov[:3]] == [p.id for p in with_torch[:3]]


def test_auto_is_openvino_only_on_a_cpu_with_native_bf16(monkeypatch):
    from config.settings import EmbedSettings
    from index import embedder

    monkeypatch.setattr(embedder, "cpu_has_bf16", lambda: False)
    assert embedder.resolved_backend(EmbedSettings()) == "torch"
    monkeypatch.setattr(embedder, "cpu_has_bf16", lambda: True)
    assert embedder.resolved_backend(EmbedSettings()) == "openvino"
    assert embedder.resolved_backend(EmbedSettings(backend="torch")) == "torch"
