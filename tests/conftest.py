"""Fixtures with real components: the bundled models, real Chroma, a real Chroma server, a real browser.

Models and the indexed corpus are session-scoped: loading and embedding once keeps the suite in minutes.
Every test writes to a temporary storage folder, never to the project's own storage/.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from config.settings import ROOT, ChecksSettings, ChromaSettings, IngestSettings, Settings

CORPUS = ROOT / "corpus"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


# Fixtures that load a model (embedder or LLM), ingest into Chroma, start a server or a browser. A test that
# uses one (directly or through another fixture) is marked `models`; `make test-fast` leaves those out.
HEAVY_FIXTURES = frozenset({
    "indexed", "engine", "chroma_server", "browser", "hostile", "app_url", "base_url", "client", "similarity",
    "local", "server", "ov_settings", "torch_settings", "eval_env", "corpus_copy", "finder",
})
# Tests that load the embedder in their own body (no heavy fixture says so), as "file::name".
MODEL_TESTS = frozenset({
    "test_documents.py::test_add_list_remove_through_the_library",
})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        name = f"{item.path.name}::{item.originalname if isinstance(item, pytest.Function) else item.name}"
        if (item.get_closest_marker("slow") or name in MODEL_TESTS
                or HEAVY_FIXTURES & set(getattr(item, "fixturenames", ()))):
            item.add_marker(pytest.mark.models)


def make_settings(storage: Path, corpus: Path = CORPUS, collection: str = "test", **chroma: object) -> Settings:
    """Settings on a temporary storage. No background self-calibration after an upload: the tests that want one
    start it themselves (tests/test_calibration.py)."""
    return Settings(
        checks=ChecksSettings(self_calibrate=False),
        chroma=ChromaSettings(path=storage / "chroma", collection=collection, **chroma),
        ingest=IngestSettings(corpus_dir=corpus, docstore_dir=storage / "docstore", default_collection=collection),
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


@pytest.fixture(scope="session")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The shipped corpus, ingested once with the real embedder into an embedded Chroma."""
    from ingest.pipeline import sync_folder

    settings = make_settings(tmp_path_factory.mktemp("storage"))
    report = sync_folder(settings, show_progress=False)
    assert report.documents == 5 and report.total_chunks > 50
    return settings


@pytest.fixture(scope="session")
def engine(indexed: Settings):
    from qa.engine import Engine

    return Engine(indexed)


@pytest.fixture(scope="session")
def corpus_text() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in CORPUS.iterdir()}


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "corpus"
    shutil.copytree(CORPUS, dest)
    return dest


def start_chroma(path: Path, port: int) -> subprocess.Popen:
    """A real `chroma run` on 127.0.0.1, as in the scale-out deployment."""
    exe = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_for_port(port)
    return proc


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, subprocess.Popen]]:
    port = free_port()
    proc = start_chroma(tmp_path_factory.mktemp("chroma-server"), port)
    try:
        yield port, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@contextmanager
def serving(engine) -> Iterator[str]:
    """The real app (UI and API on one uvicorn server) on a free 127.0.0.1 port, in a thread."""
    import uvicorn

    from app import serve

    port = free_port()
    app, _ = serve(engine, "127.0.0.1", port)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for_port(port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
