"""Starting the app: a setting or folder to fix is one line saying what to do, never a traceback."""

import os
import subprocess
import sys

import pytest

from config.settings import ROOT, LLMSettings
from index import store
from tests.conftest import make_settings


def test_a_missing_embedding_model_stops_python_app_py_with_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")} | {
        "RAG_EMBED__MODEL": "/nonexistent",
        "RAG_LLM__MODEL_PATH": str(tmp_path / "none.gguf"),  # nothing else to load: the failure is the embedder's
        "RAG_CHROMA__PATH": str(tmp_path / "chroma"), "RAG_INGEST__DOCSTORE_DIR": str(tmp_path / "docstore"),
        "RAG_SETTINGS_FILE": str(tmp_path / "none.toml"), "TQDM_DISABLE": "1",
    }
    run = subprocess.run([sys.executable, "app.py", "--port", "0"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode != 0 and not run.stdout
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr, run.stderr
    assert run.stderr.startswith("error: embedding model not found at /nonexistent: run `make models`")


@pytest.mark.parametrize(("case", "message"), [
    ("no folder", "the corpus folder {missing} does not exist: put your documents there, or set "
                  "RAG_INGEST__CORPUS_DIR"),
    ("unknown corpus", "there is no corpus 'typo': index a folder with `python -m ingest DIR --collection typo`"),
    ("index is a file", "cannot open the Chroma index at {file}: [Errno 17] File exists"),
])
def test_start_errors_say_what_to_fix_before_loading_a_model(tmp_path, case, message):
    from app import CannotStart, prepare

    missing, file = tmp_path / "missing", tmp_path / "file"
    file.touch()
    settings = make_settings(tmp_path / "storage", corpus=missing if case == "no folder" else ROOT / "corpus")
    if case == "unknown corpus":
        settings = settings.with_collection("typo")
    if case == "index is a file":
        settings = settings.model_copy(update={"chroma": settings.chroma.model_copy(update={"path": file})})
    with pytest.raises(CannotStart) as err:
        prepare(settings)
    assert str(err.value).startswith(message.format(missing=missing, file=file)) and "\n" not in str(err.value)
    if case != "index is a file":
        assert store.list_collections(settings.chroma) == []  # a typo creates no empty corpus


def test_a_missing_gguf_is_a_one_line_warning_and_search_still_starts(indexed, tmp_path, capsys):
    from app import prepare

    engine = prepare(indexed.model_copy(update={"llm": LLMSettings(model_path=tmp_path / "none.gguf")}))
    assert engine.retriever.count() > 0
    warning = capsys.readouterr().err
    assert warning == f"warning: GGUF model not found at {tmp_path / 'none.gguf'}: run `make models`, or set " \
                      "RAG_LLM__MODEL_PATH to a GGUF file\n"
