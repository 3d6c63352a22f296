"""Passages are embedded with their article's title, as EmbeddingGemma was trained: a question that names
the article or its author finds passages that never repeat either."""

import numpy as np
import pytest

from config.settings import EmbedSettings
from index import store
from index.embedder import document_text, embed_documents
from ingest.clean import clean_inline


def test_document_prompt_carries_the_title_or_none():
    cfg = EmbedSettings()
    titled = document_text(cfg, "Le texte.", "L’irruption de\n DeepSeek")
    assert titled == "title: L’irruption de DeepSeek | text: Le texte."
    untitled = "title: none | text: Le texte."
    assert document_text(cfg, "Le texte.", None) == document_text(cfg, "Le texte.", "  ") == untitled
    bare = cfg.model_copy(update={"document_prompt": ""})
    assert document_text(bare, "Le texte.", "Titre") == "Le texte."


def test_stored_vectors_are_the_titled_embeddings(indexed):
    got = store.collection(indexed.chroma).get(limit=3, include=["documents", "metadatas", "embeddings"])
    texts = [clean_inline(t) for t in got["documents"]]
    titled = np.asarray(embed_documents(indexed.embed, texts, [m["title"] for m in got["metadatas"]]))
    untitled = np.asarray(embed_documents(indexed.embed, texts, [None] * len(texts)))
    stored = np.asarray(got["embeddings"])
    # bfloat16 embeddings vary by ~0.003 with the batch they were computed in; the title moves them more.
    with_title, without = (stored * titled).sum(1), (stored * untitled).sum(1)
    assert (with_title >= 0.99).all() and (with_title > without).all(), (with_title, without)
    assert (with_title - without).max() > 0.1  # (a passage that starts with the title moves little)


@pytest.mark.parametrize("question, evidence", [
    ("According to Cecilia Rikap, how much did the final training phase of DeepSeek R1 cost?",
     "5,6 millions de dollars"),
    ("In what language was Cecilia Rikap's text on DeepSeek and digital sovereignty first published?",
     "publié en espagnol"),
])
def test_a_question_naming_the_author_finds_a_passage_that_does_not(engine, question, evidence):
    passages = engine.retriever.retrieve(question)
    hits = [p for p in passages if evidence in p.text]
    assert hits and hits[0].doc.startswith("004_"), [p.text[:60] for p in passages]
    assert "Rikap" not in hits[0].text
