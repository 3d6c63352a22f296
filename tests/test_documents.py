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


def _furniture_corpus(tmp_path, name: str):
    """A report with « Voir aussi » mid-document, a Word note with "Read more" and "Share this" paragraphs, a
    PDF with a copyright footer on every page, a web page with a menu and a footer, a file of links alone."""
    settings = make_settings(tmp_path / "storage", tmp_path / name, collection=name)
    files = [("rapport.md", docs_factory.REPORT_MD.encode()), ("note.docx", docs_factory.docx(docs_factory.NOTE_DOCX)),
             ("bleuet.pdf", docs_factory.footer_pdf()),
             ("page.html", docs_factory.html([ZAMBEZE, KARIBA], title="Fleuves d'Afrique")),
             ("liens.md", b"Voir aussi\n\n- [Un](/1)\n- [Deux](/2)\n- [Trois](/3)\n")]
    return settings, files


@pytest.mark.models
def test_documents_whose_lines_read_like_a_footer_are_indexed_whole(tmp_path):
    settings, files = _furniture_corpus(tmp_path, "whole")
    report = library.add(settings, files)
    assert sorted(report.added) == ["bleuet.pdf", "liens.md", "note.docx", "page.html", "rapport.md"]
    assert report.left_out["rapport.md"] == 0 and report.left_out["note.docx"] == 0
    assert 0 < report.left_out["bleuet.pdf"] < 0.5 and 0 < report.left_out["page.html"] < 0.5
    assert report.left_out["liens.md"] == 1

    retriever = Retriever(settings)
    for question, doc, fact in [
        ("Quel est le chiffre d'affaires 2024 de la société Ardoise ?", "rapport.md", "18,4 millions d'euros"),
        ("Combien de salariés compte la société Ardoise ?", "rapport.md", "212 salariés"),
        ("How many turbine blades did the Toledo plant assemble in 2024?", "note.docx", "41,300 turbine blades"),
        ("Who is Kestrel's chief executive?", "note.docx", "Maria Olsen"),
        ("Combien de vélos cargo l'usine de Saint-Herblain a-t-elle produits ?", "bleuet.pdf", "5 300 vélos"),
        ("Où Bleuet ouvrira-t-il un atelier en 2026 ?", "bleuet.pdf", "Angers"),
    ]:
        best = retriever.retrieve(question)[0]
        assert best.doc == doc and fact in best.text, (question, best)

    got = store.collection(settings.chroma).get(include=["documents", "metadatas"])
    pdf_chunks = [t for t, m in zip(got["documents"], got["metadatas"], strict=True) if m["doc"] == "bleuet.pdf"]
    assert pdf_chunks and not any(docs_factory.FOOTER in t or "Page 2 / 3" in t for t in pdf_chunks)
    page_text = " ".join(t for t, m in zip(got["documents"], got["metadatas"], strict=True) if m["doc"] == "page.html")
    assert "Zambeze" in page_text and "Connexion" not in page_text and "Mentions légales" not in page_text
    assert "liens.md" not in {m["doc"] for m in got["metadatas"]}  # nothing of it is indexed...
    listed = {d.doc: d for d in library.documents(settings)}  # ...and it is listed, with its share
    assert listed["liens.md"].chunks == 0 and listed["liens.md"].left_out == 1
    assert listed["rapport.md"].left_out == 0 and listed["bleuet.pdf"].left_out == report.left_out["bleuet.pdf"]

    from ui import documents  # the Documents tab shows the same, and warns

    rows = {r[0]: r for r in documents.table(settings, "whole")}
    assert rows["rapport.md"][3] == "0.0 %" and rows["liens.md"][1:] == [0, rows["liens.md"][2], "100.0 % ⚠"]
    html = documents.report_html(report, "Indexed", settings)
    assert "liens.md 100.0 %" in html and "2 indexed whole" in html
    assert "⚠ liens.md: 100.0 % of its text is left out of the index" in html and "⚠ rapport.md" not in html


@pytest.mark.models
def test_the_cli_reports_the_share_left_out_per_document_and_warns(tmp_path, capsys, monkeypatch):
    settings, files = _furniture_corpus(tmp_path, "cli")
    monkeypatch.setattr("ingest.__main__.get_settings", lambda: settings)
    upload = tmp_path / "upload"
    upload.mkdir()
    for name, data in files:
        (upload / name).write_bytes(data)
    assert ingest_cli(["add", *(str(upload / n) for n, _ in files), "--collection", "cli"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert "left out of the index as page furniture:" in lines
    assert "  liens.md: 100.0 %" in lines and any(ln.startswith("  bleuet.pdf: ") for ln in lines)
    assert "2 documents indexed whole" in lines  # rapport.md and note.docx
    assert "warning: liens.md: 100.0 % of its text is left out" in err and "over the 20.0 % bound" in err
    assert "rapport.md" not in err

    assert ingest_cli(["list", "--collection", "cli"]) == 0
    listed = {ln.split("\t")[0]: ln.split("\t") for ln in capsys.readouterr().out.splitlines()}
    assert listed["rapport.md"][3] == "0.0 % left out" and listed["liens.md"][1] == "0 chunks"
    assert listed["liens.md"][3:] == ["100.0 % left out", "⚠ over the 20.0 % bound"]


@pytest.mark.slow
def test_a_fact_after_a_see_also_heading_is_answered(tmp_path):
    from qa.engine import Engine

    settings, files = _furniture_corpus(tmp_path, "answer")
    library.add(settings, files)
    answer = Engine(settings).ask("Combien de salariés compte la société Ardoise ?")
    assert not answer.refused and "212" in answer.answer, answer.answer
    assert {c.doc for c in answer.citations} == {"rapport.md"}


def test_cli_errors_are_one_sentence_saying_what_to_do(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "ok.txt").write_text(ZAMBEZE)
    settings = make_settings(tmp_path / "storage", folder, collection="errors")
    monkeypatch.setattr("ingest.__main__.get_settings", lambda: settings)

    assert ingest_cli([str(tmp_path / "missing"), "--collection", "errors"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "is not a folder: give the folder of documents" in err
    assert err.count("\n") == 1 and "Traceback" not in err

    assert ingest_cli(["add", str(tmp_path / "nowhere.pdf"), "--collection", "errors"]) == 2
    err = capsys.readouterr().err
    assert "nowhere.pdf: cannot be read (No such file or directory); check the path" in err and err.count("\n") == 1

    # A file the system refuses to read (here even to root: reading this process's memory at offset 0) is
    # skipped with its reason; the rest of the folder is indexed.
    unreadable = tmp_path / "unreadable"
    unreadable.mkdir()
    (unreadable / "mem.txt").symlink_to("/proc/self/mem")
    assert ingest_cli([str(unreadable), "--collection", "errors"]) == 0
    err = capsys.readouterr().err
    assert "skipped mem.txt: cannot be read (Input/output error); check that the file exists" in err

    no_model = settings.model_copy(update={"embed": settings.embed.model_copy(
        update={"model": str(tmp_path / "no-model")})})
    monkeypatch.setattr("ingest.__main__.get_settings", lambda: no_model)
    assert ingest_cli([str(folder), "--collection", "errors"]) == 2
    err = capsys.readouterr().err.splitlines()[-1]
    assert err.startswith("error: embedding model not found at") and "run `make models`" in err
