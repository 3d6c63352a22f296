"""Ingest into a real embedded Chroma with the real embedder: offsets, idempotence, incremental sync."""

import pytest

from index import store
from ingest.pipeline import sync_folder
from qa.retrieve import Retriever
from tests.conftest import make_settings


def _chunks(settings) -> dict[str, dict]:
    got = store.collection(settings.chroma).get(include=["metadatas", "documents"])
    return {i: {**m, "text": d} for i, m, d in zip(got["ids"], got["metadatas"], got["documents"], strict=True)}


def test_stored_chunks_carry_exact_offsets_and_flat_metadata(indexed, corpus_text):
    chunks = _chunks(indexed)
    assert {c["doc"] for c in chunks.values()} == set(corpus_text)
    for cid, c in chunks.items():
        assert cid == f"{c['doc']}#{c['chunk']}"
        assert c["text"] == corpus_text[c["doc"]][c["char_start"] : c["char_end"]]
        assert c["title"] and len(c["doc_hash"]) == 64


def test_collection_uses_cosine_distance(indexed):
    assert store.collection(indexed.chroma).configuration["hnsw"]["space"] == "cosine"


def test_reingest_is_free_and_changes_nothing(indexed):
    before = _chunks(indexed)
    report = sync_folder(indexed, show_progress=False)
    assert report.embedded_chunks == 0
    assert _chunks(indexed) == before


@pytest.mark.slow
def test_edit_delete_and_add_files_sync_incrementally(tmp_path, corpus_copy):
    # A small corpus of two documents keeps the real embedding cost low.
    for f in corpus_copy.iterdir():
        if not f.name.startswith(("001", "003")):
            f.unlink()
    settings = make_settings(tmp_path / "storage", corpus_copy, collection="sync")
    first = sync_folder(settings, show_progress=False)
    assert first.documents == 2 and first.embedded_chunks == first.total_chunks
    retriever = Retriever(settings)  # its keyword index must follow every change below
    assert retriever.keyword_index().search("phrase ajoutée", 3) == []

    edited = corpus_copy / "003_36b561fd004fc80e.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n\nUne phrase ajoutée à la fin du texte.\n",
                      encoding="utf-8")
    report = sync_folder(settings, show_progress=False)
    chunks = _chunks(settings)
    n_003 = sum(c["doc"] == edited.name for c in chunks.values())
    assert report.embedded_chunks == n_003  # only the edited file was re-embedded
    assert any("Une phrase ajoutée" in c["text"] for c in chunks.values())
    [(hit, _)] = retriever.keyword_index().search("phrase ajoutée", 1)
    assert "Une phrase ajoutée" in chunks[hit]["text"]

    (corpus_copy / "001_a4a13f3be7116cb7.txt").rename(corpus_copy / "renamed.txt")
    sync_folder(settings, show_progress=False)
    assert {c["doc"] for c in _chunks(settings).values()} == {edited.name, "renamed.txt"}

    (corpus_copy / "renamed.txt").unlink()
    sync_folder(settings, show_progress=False)
    assert {c["doc"] for c in _chunks(settings).values()} == {edited.name}
    assert set(retriever.keyword_index().ids) == set(_chunks(settings))

    # Same folder from scratch gives the same ids and the same count: no orphans, no duplicates.
    fresh = make_settings(tmp_path / "fresh", corpus_copy, collection="sync")
    sync_folder(fresh, show_progress=False)
    assert _chunks(fresh).keys() == _chunks(settings).keys()


def test_unreadable_files_are_reported_and_skipped(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "empty.txt").write_text("")
    (folder / "image.txt").write_bytes(b"\x89PNG\x00\x00binary")
    (folder / "sheet.xlsx").write_bytes(b"PK\x03\x04")
    settings = make_settings(tmp_path / "storage", folder, collection="bad")
    report = sync_folder(settings, show_progress=False)
    reasons = {s.doc: s.reason for s in report.skipped}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["image.txt"]
    assert "unsupported file type .xlsx" in reasons["sheet.xlsx"]
    assert report.total_chunks == 0
