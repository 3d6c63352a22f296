"""Swapping documents: every format, add/remove/list through the library, safe names, atomic failures."""

import pytest

from index import store
from ingest import library
from ingest.__main__ import main as ingest_cli
from ingest.formats import IngestError, extract
from ingest.pipeline import sync_folder
from qa.retrieve import Retriever
from tests import docs_factory
from tests.conftest import make_settings

ZAMBEZE = "Le fleuve Zambeze mesure 2574 km et se jette dans l'ocean Indien."
KARIBA = "Le lac Kariba est un reservoir construit sur le Zambeze entre 1955 et 1959."


def test_each_format_is_extracted_with_exact_offsets():
    e = extract(docs_factory.pdf(["Introduction.\n" + ZAMBEZE, KARIBA]), "a.pdf", ".pdf")
    assert ZAMBEZE in e.text and KARIBA in e.text
    assert e.page_at(e.text.index(KARIBA)) == 2 and e.page_at(e.text.index(ZAMBEZE)) == 1
    assert extract(docs_factory.docx([ZAMBEZE, KARIBA]), "a.docx", ".docx").text == f"{ZAMBEZE}\n\n{KARIBA}"
    page = docs_factory.html([ZAMBEZE * 2, KARIBA * 2], title="Fleuves d'Afrique")
    text = extract(page, "a.html", ".html").text
    assert ZAMBEZE in text and "Connexion" not in text and "Mentions légales" not in text
    latin1 = "Élève à l'école, façade, cœur".encode("cp1252")
    assert extract(latin1, "a.txt", ".txt").text == "Élève à l'école, façade, cœur"


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "cannot read this PDF"),
    ("empty.txt", b"", "empty"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("table.xlsx", b"PK\x03\x04", "unsupported file type .xlsx"),
    ("blank.pdf", docs_factory.pdf([""]), "no text could be extracted"),
])
def test_unreadable_files_get_a_reason_naming_the_file(name, data, reason):
    with pytest.raises(IngestError, match=reason) as err:
        extract(data, name, "." + name.rsplit(".", 1)[-1])
    assert name in str(err.value)


@pytest.mark.parametrize(("given", "stored"), [
    ("../../etc/passwd.txt", "passwd.txt"), ("/abs/path/notes.md", "notes.md"),
    ("a;rm -rf $HOME.txt", "a_rm -rf _HOME.txt"), ("..\\..\\win.txt", "win.txt"),
])
def test_uploaded_names_cannot_escape_the_folder(given, stored):
    assert library.safe_name(given) == stored


def test_add_list_remove_through_the_library(tmp_path):
    settings = make_settings(tmp_path / "storage", tmp_path / "uploads", collection="uploads")
    report = library.add(settings, [
        ("fleuve.pdf", docs_factory.pdf([ZAMBEZE, "Autre sujet: la pluie tombe en novembre.\n" + KARIBA])),
        ("notes.docx", docs_factory.docx(["Le Nil est plus long que le Zambeze."])),
        ("../evil.txt", b"Texte ordinaire sur les lacs africains."),
        ("corrompu.pdf", b"%PDF-1.4 this is not a pdf"),
    ])
    folder = library.folder_of(settings)
    assert sorted(p.name for p in folder.iterdir()) == ["evil.txt", "fleuve.pdf", "notes.docx"]
    assert not (tmp_path / "storage" / "evil.txt").exists()
    assert [s.doc for s in report.skipped] == ["corrompu.pdf"] and "cannot read" in report.skipped[0].reason
    assert sorted(report.added) == ["evil.txt", "fleuve.pdf", "notes.docx"]
    listed = {d.doc: d for d in library.documents(settings)}
    assert set(listed) == {"evil.txt", "fleuve.pdf", "notes.docx"} and all(d.indexed_at for d in listed.values())

    [best, *_] = Retriever(settings).retrieve("Quand le lac Kariba a-t-il été construit ?")
    assert best.doc == "fleuve.pdf" and KARIBA in best.text
    got = store.collection(settings.chroma).get(ids=[best.id], include=["metadatas"])
    assert got["metadatas"][0]["page"] == 2  # citations can name the page

    before = store.collection(settings.chroma).count()
    with pytest.raises(IngestError, match="no such document"):
        library.remove(settings, ["../../corpus/000_e38fb1d8071498ce.txt"])
    assert store.collection(settings.chroma).count() == before  # a failed removal changes nothing
    library.remove(settings, ["fleuve.pdf"])
    assert {d.doc for d in library.documents(settings)} == {"evil.txt", "notes.docx"}


def test_cli_dry_run_reports_without_indexing(tmp_path, corpus_copy, capsys, monkeypatch):
    settings = make_settings(tmp_path / "storage", corpus_copy, collection="dry")
    monkeypatch.setattr("ingest.__main__.get_settings", lambda: settings)
    assert ingest_cli([str(corpus_copy), "--collection", "dry", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "5 would be added" in out and "0 chunks embedded" in out
    assert store.collection(settings.chroma).count() == 0
    assert ingest_cli(["list", "--collection", "dry"]) == 0
    assert "is empty" in capsys.readouterr().out


def test_a_killed_ingest_leaves_no_duplicates_or_orphans(tmp_path, corpus_copy):
    """Chunks written by an ingest that died before recording its documents are replaced, not kept."""
    for f in corpus_copy.iterdir():
        if not f.name.startswith("003"):
            f.unlink()
    settings = make_settings(tmp_path / "storage", corpus_copy, collection="killed")
    sync_folder(settings, show_progress=False)
    clean = store.collection(settings.chroma).get()["ids"]
    store.docstore_path(settings.chroma, settings.ingest.docstore_dir).unlink()  # as if killed before persist
    col = store.collection(settings.chroma)
    col.add(ids=["003_36b561fd004fc80e.txt#999"], documents=["orphan"], embeddings=[[0.0] * 768],
            metadatas=[{"doc": "003_36b561fd004fc80e.txt", "document_id": "003_36b561fd004fc80e.txt"}])
    sync_folder(settings, show_progress=False)
    assert sorted(store.collection(settings.chroma).get()["ids"]) == sorted(clean)


def test_ingest_while_answering_queries(tmp_path, corpus_copy):
    """The UI's case: one process serves questions while a corpus is updated; neither side breaks."""
    import threading

    for f in corpus_copy.iterdir():
        if not f.name.startswith(("001", "003")):
            f.unlink()
    settings = make_settings(tmp_path / "storage", corpus_copy, collection="busy")
    sync_folder(settings, show_progress=False)
    retriever = Retriever(settings)
    errors: list[BaseException] = []
    done = threading.Event()

    def ask_repeatedly():
        while not done.is_set():
            try:
                hits = retriever.retrieve("Combien aurait coûté DeepSeek ?")
                assert hits and all(h.text for h in hits)
            except BaseException as e:  # noqa: BLE001 - collected and re-raised below
                errors.append(e)
                return

    worker = threading.Thread(target=ask_repeatedly)
    worker.start()
    try:
        library.add(settings, [("zambeze.txt", f"{ZAMBEZE} {KARIBA}".encode())])
        library.remove(settings, ["003_36b561fd004fc80e.txt"])
    finally:
        done.set()
        worker.join(timeout=60)
    assert not errors, errors
    assert {d.doc for d in library.documents(settings)} == {"001_a4a13f3be7116cb7.txt", "zambeze.txt"}
    assert retriever.retrieve("Quelle est la longueur du Zambeze ?")[0].doc == "zambeze.txt"
