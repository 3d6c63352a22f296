"""Faults and load: an ingest killed with SIGKILL, eight simultaneous users, hostile input on the CLI."""

import os
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from index import store
from ingest.__main__ import main as ingest_cli
from ingest.pipeline import sync_folder
from qa.__main__ import main as qa_cli
from tests.conftest import ROOT, make_settings, serving

pytestmark = pytest.mark.slow


def test_ingest_killed_mid_way_then_rerun_equals_a_clean_ingest(tmp_path, corpus_copy, indexed):
    env = {**os.environ, "RAG_CHROMA__PATH": str(tmp_path / "chroma"),
           "RAG_INGEST__DOCSTORE_DIR": str(tmp_path / "docstore"), "RAG_INGEST__DEFAULT_COLLECTION": "killed"}
    proc = subprocess.Popen([sys.executable, "-m", "ingest", str(corpus_copy), "--collection", "killed"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = b""
    deadline = time.monotonic() + 180
    while b"embedding" not in seen and time.monotonic() < deadline:
        seen += proc.stderr.read1(4096) or b""
    time.sleep(8)  # well into the embedding of the 271 chunks
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    settings = make_settings(tmp_path, corpus_copy, collection="killed")
    report = sync_folder(settings, show_progress=False)
    assert report.documents == 5
    rerun = store.collection(settings.chroma).get(include=["metadatas"])
    clean = store.collection(indexed.chroma).get(include=["metadatas"])
    assert sorted(rerun["ids"]) == sorted(clean["ids"])  # same chunks, no duplicates, no orphans
    spans = lambda got: sorted((m["doc"], m["char_start"], m["char_end"]) for m in got["metadatas"])  # noqa: E731
    assert spans(rerun) == spans(clean)


def test_eight_simultaneous_users_each_get_their_own_complete_answer(engine, capsys):
    from gradio_client import Client

    questions = {
        "Combien Nvidia a-t-elle perdu en Bourse après l'annonce de DeepSeek ?": "600",
        "Quel modèle de génération d'images DeepSeek a-t-il dévoilé lundi ?": "Janus",
        "Who launched DeepSeek?": "Liang",
        "Combien aurait coûté DeepSeek selon les informations officielles ?": "5,6",
        "DeepSeek est-il coté en Bourse ?": "Le corpus ne le dit pas",
        "How much does Alibaba plan to spend on AI data centers?": "53",
        "Combien d'employés compte Nvidia ?": "Le corpus ne le dit pas",
        "Quelle est la recette de la tarte Tatin ?": "Le corpus ne le dit pas",
    }
    with serving(engine) as url:
        def ask(question: str) -> tuple[str, str, float]:
            client = Client(url, verbose=False)
            t0 = time.perf_counter()
            message, sources = client.predict(question, False, engine.settings.chroma.collection,
                                              api_name="/respond")
            return question, str(message), time.perf_counter() - t0

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(ask, questions))
    for question, message, _ in results:
        assert "⚠" not in message.split("[")[0], message  # no error
        assert questions[question] in message, (question, message)
    latencies = sorted(r[2] for r in results)
    with capsys.disabled():
        print(f"\n8 simultaneous users: p50 {statistics.median(latencies):.1f} s, "
              f"p95 {latencies[-1]:.1f} s (max of 8), all {len(results)} answered")


@pytest.mark.parametrize(("argv", "message"), [
    (["   "], "type a question"),
    (["x" * 100_000], "limit is 2,000"),
])
def test_cli_rejects_bad_questions_with_a_message(indexed, monkeypatch, capsys, argv, message):
    monkeypatch.setattr("qa.__main__.get_settings", lambda: indexed)
    assert qa_cli(argv) == 2
    assert message in capsys.readouterr().err


def test_control_characters_and_emoji_are_harmless(engine):
    answer = engine.search_answer("Nvidia\x00\x07 a perdu combien ? 📉🤖\u202e")
    assert answer.retrieved and "\x00" not in answer.question


def test_cli_add_reports_each_bad_file_and_keeps_the_index(tmp_path, monkeypatch, capsys):
    settings = make_settings(tmp_path / "storage", tmp_path / "docs", collection="cli-add")
    monkeypatch.setattr("ingest.__main__.get_settings", lambda: settings)
    good = tmp_path / "ok.txt"
    good.write_text("Le Zambèze mesure 2 574 km.", encoding="utf-8")
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 2_100_000)
    zero = tmp_path / "zero.txt"
    zero.write_bytes(b"")
    small = settings.model_copy(update={"ingest": settings.ingest.model_copy(update={"max_file_mb": 2.0})})
    monkeypatch.setattr("ingest.__main__.get_settings", lambda: small)
    assert ingest_cli(["add", str(good), str(big), str(zero), "--collection", "cli-add"]) == 0
    err = capsys.readouterr().err
    assert "big.txt: 2.1 MB is over the 2 MB limit" in err and "zero.txt: the file is empty" in err
    assert [p.name for p in (tmp_path / "docs").iterdir()] == ["ok.txt"]
    assert store.collection(small.chroma).count() == 1
