"""`python -m qa` and `python -m eval` run as a user runs them: bad input is one line saying what to do (never a
traceback) and exit code 2; on a fresh clone a question first indexes the corpus, as `make run` does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import ROOT

MISSING_MODEL = {"RAG_EMBED__MODEL": "/nonexistent"}
# name: (command line after `python -m`, extra environment, the start of the one-line message)
CASES: dict[str, tuple[list[str], dict[str, str], str]] = {
    "qa, no embedding model": (["qa", "Who launched DeepSeek?"], MISSING_MODEL,
                               "error: embedding model not found at /nonexistent: run `make models`"),
    "qa, a collection never indexed": (["qa", "Who launched DeepSeek?", "--collection", "no-folder"], {},
                                       "error: there is no corpus 'no-folder': index a folder with `python -m ingest"),
    "qa, a setting of the wrong type": (["qa", "Who launched DeepSeek?"], {"RAG_RETRIEVAL__TOP_K": "many"},
                                        "error: setting retrieval.top_k is invalid (Input should be a valid integer"),
    "eval, no gold file": (["eval", "--gold", "{tmp}/none.jsonl"], {},
                           "error: cannot read the gold file {tmp}/none.jsonl (No such file or directory): give a "
                           "JSONL file of questions with --gold"),
    "eval, a gold file that is not text": (["eval", "--gold", "{tmp}/binary.jsonl"], {},
                                           "error: cannot read the gold file {tmp}/binary.jsonl (not UTF-8 text)"),
    "eval, no corpus folder": (["eval", "--docs", "{tmp}/none"], {},
                               "error: {tmp}/none does not exist: give the folder the questions are about with --docs"),
    "eval, no embedding model": (["eval", "--retrieval-only", "--limit", "1", "--out", "{tmp}/run"], MISSING_MODEL,
                                 "error: embedding model not found at /nonexistent: run `make models`"),
}


def storage_env(storage: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "RAG_CHROMA__PATH": str(storage / "chroma"),
            "RAG_INGEST__DOCSTORE_DIR": str(storage / "docstore"), **extra}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, subprocess.Popen]]:
    """Every case started at once: each spends its few seconds importing, so they share the cores. Each has its
    own storage: two processes on one embedded Chroma store lock each other out."""
    tmp = tmp_path_factory.mktemp("cli")
    (tmp / "binary.jsonl").write_bytes(b"\xff\xfe\x00\x01 not text")
    procs = {name: subprocess.Popen([sys.executable, "-m", *(a.format(tmp=tmp) for a in args)], cwd=ROOT,
                                    env=storage_env(tmp / f"storage-{n}", **extra), text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for n, (name, (args, extra, _)) in enumerate(CASES.items())}
    yield tmp, procs
    for proc in procs.values():
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_line_saying_what_to_do(runs, case):
    tmp, procs = runs
    _, err = procs[case].communicate(timeout=300)
    *before, last = [line for line in err.replace("\r", "\n").splitlines() if line.strip()]
    assert "Traceback" not in err and last.startswith(CASES[case][2].format(tmp=tmp)), err
    assert all(line.startswith(("embedding ", "Indexing ")) for line in before), err  # only the ingest's progress
    assert procs[case].returncode == 2


def test_a_question_on_a_fresh_clone_indexes_the_corpus_first(tmp_path, corpus_copy):
    for f in corpus_copy.iterdir():
        if not f.name.startswith("001"):
            f.unlink()
    env = storage_env(tmp_path / "storage", RAG_INGEST__CORPUS_DIR=str(corpus_copy))
    done = subprocess.run([sys.executable, "-m", "qa", "Who launched DeepSeek?", "--search", "--json"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert f"Indexing {corpus_copy} into 'default' first." in done.stderr
    answer = json.loads(done.stdout)
    assert answer["retrieved"] and {p["doc"] for p in answer["retrieved"]} == {"001_a4a13f3be7116cb7.txt"}
