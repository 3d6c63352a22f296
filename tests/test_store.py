"""Reading a whole collection: large ones are read page by page, and nothing is lost or repeated."""

import numpy as np
import pytest

from index import store
from ingest.library import documents
from qa.retrieve import Retriever
from tests.conftest import make_settings


def _fill(col, n: int, batch: int = 5000) -> None:
    for lo in range(0, n, batch):
        hi = min(n, lo + batch)
        col.add(ids=[f"c{i}" for i in range(lo, hi)], embeddings=np.eye(hi - lo, 4, dtype=np.float32) + 0.1,
                documents=[f"passage {i} sur Nvidia" for i in range(lo, hi)],
                metadatas=[{"doc": f"doc{i % 3}.txt", "char_start": i, "char_end": i + 1} for i in range(lo, hi)])


def test_get_all_pages_through_every_row_once(tmp_path, monkeypatch):
    col = store.collection(make_settings(tmp_path).chroma)
    _fill(col, 7)
    monkeypatch.setattr(store, "PAGE", 3)
    got = store.get_all(col, ["documents", "metadatas"])
    assert sorted(got["ids"]) == sorted(f"c{i}" for i in range(7))
    assert [m["char_start"] for m in got["metadatas"]] == [int(i[1:]) for i in got["ids"]]
    assert got["documents"][got["ids"].index("c5")] == "passage 5 sur Nvidia"


@pytest.mark.slow
def test_a_collection_past_sqlite_s_variable_limit_is_listed_and_searched(tmp_path):
    """One `get` of 33k rows' metadata fails inside Chroma; the document list and keyword index must not."""
    settings = make_settings(tmp_path)
    col = store.collection(settings.chroma)
    _fill(col, 33_000)
    with pytest.raises(Exception, match="too many SQL variables"):
        col.get(include=["metadatas"])  # the limit this code works around (drop the paging if it goes)
    assert {(d.doc, d.chunks) for d in documents(settings)} == {(f"doc{k}.txt", 11_000) for k in range(3)}
    assert len(Retriever(settings).keyword_index().ids) == 33_000
