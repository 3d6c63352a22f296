"""Why the index cannot be used, each with a message that says where and what to do. Apart from the modules
that raise them, so that the embedder, the embedding-server client and the store import none of each other."""

from __future__ import annotations


class IndexUnavailable(RuntimeError):
    """The index can be neither searched nor written: Chroma cannot be reached or opened, or nothing can be
    embedded."""


class ModelMissing(IndexUnavailable):
    """The local embedding model cannot be loaded (a missing folder, an unknown model id)."""


class EmbeddingUnavailable(IndexUnavailable):
    """No usable vectors (an embedding server down or refusing, vectors of the wrong size): the ingest stops
    before writing anything of the document at hand, and a question cannot be searched."""


class WrongDimension(EmbeddingUnavailable):
    pass
