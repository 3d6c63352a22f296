"""The embedding model run by OpenVINO: the same sentence-transformers model, converted once on this machine.

On a CPU with native bf16 (the default there: embed.backend=auto) the app ingests ~3x faster than with torch in
float32 and embeds a query ~1.5x faster, with a cosine of >= 0.999 to float32's vectors and the same retrieval on
the gold set (BENCHMARKS.md). Int8 weights (NNCF) gained nothing here and full int8 quantisation lost quality
(cosine 0.975). The model is converted from the local sentence-transformers folder (no download), checked against
torch's output, and written next to it; `python -m index.ov_embed` does it ahead of time.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from config.settings import EmbedSettings, Settings
from index.encoder_embedding import EncoderEmbedding

XML = "embedder.xml"
# Texts the conversion is checked on: one longer than Gemma3's sliding attention window, so that a
# wrong attention mask (the way generic exporters break EmbeddingGemma) cannot go unnoticed.
_CHECK = ["task: search result | query: Combien a coûté l'entraînement de DeepSeek ?",
          "title: none | text: " + "Les marchés ont réagi à l'annonce d'un modèle chinois moins coûteux. " * 60]


def converted_dir(cfg: EmbedSettings) -> Path:
    source = Path(cfg.model)
    return source.with_name(f"{source.name}-openvino")


def _wrapper(st_model):
    """The whole sentence-transformers pipeline (transformer, mean pooling, dense layers, normalisation)
    as one module, with the bidirectional attention masks built explicitly so the traced graph is right."""
    import torch

    modules = list(st_model)
    pooling = modules[1]
    if type(pooling).__name__ != "Pooling" or getattr(pooling, "pooling_mode", None) != "mean" \
            or not getattr(pooling, "include_prompt", True):
        raise ValueError("the OpenVINO backend supports mean-pooled models; use embed.backend=torch")
    dense = [m for m in modules[2:] if type(m).__name__ == "Dense"]

    class Pipeline(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = modules[0].auto_model
            self.dense = torch.nn.ModuleList(dense)
            self.window = getattr(self.transformer.config, "sliding_window", None)

        def forward(self, input_ids, attention_mask):
            length = input_ids.shape[1]
            pos = torch.arange(length)
            keys = attention_mask[:, None, None, :].bool()
            zero, neg = torch.zeros(()), torch.finfo(torch.float32).min
            mask: Any = attention_mask
            if self.window:  # Gemma3: full layers see every token, sliding ones a window on both sides
                near = ((pos[:, None] - pos[None, :]).abs() < self.window)[None, None]
                mask = {"full_attention": torch.where(keys, zero, neg),
                        "sliding_attention": torch.where(keys & near, zero, neg)}
            hidden = self.transformer(input_ids=input_ids, attention_mask=mask, use_cache=False,
                                      position_ids=pos[None].expand(input_ids.shape[0], length)).last_hidden_state
            weights = attention_mask[..., None].to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            for layer in self.dense:
                pooled = layer({"sentence_embedding": pooled})["sentence_embedding"]
            return torch.nn.functional.normalize(pooled, dim=-1)

    return Pipeline().eval()


def convert(cfg: EmbedSettings) -> Path:
    """Convert the model, check it against torch, and write it atomically (a killed run leaves nothing)."""
    import openvino as ov
    import torch
    from sentence_transformers import SentenceTransformer

    out = converted_dir(cfg)
    t0 = time.perf_counter()
    print(f"converting {cfg.model} to OpenVINO (once; ~1-2 min, up to ~8 GB of memory)…", file=sys.stderr)
    st_model = SentenceTransformer(cfg.model, device="cpu")
    pipeline = _wrapper(st_model)
    features = st_model.tokenize(_CHECK)
    inputs = {"input_ids": features["input_ids"], "attention_mask": features["attention_mask"]}
    with torch.no_grad():
        graph = ov.convert_model(pipeline, example_input=inputs, input=[
            ("input_ids", [-1, -1], ov.Type.i64), ("attention_mask", [-1, -1], ov.Type.i64)])
    expected = st_model.encode(_CHECK, normalize_embeddings=True)
    got = ov.Core().compile_model(graph, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})(
        {k: v.numpy() for k, v in inputs.items()})[0]
    agreement = float((np.asarray(got) * expected).sum(1).min())
    if agreement < 0.999:
        raise RuntimeError(f"the OpenVINO conversion of {cfg.model} disagrees with torch (cosine {agreement:.3f}); "
                           "use embed.backend=torch")
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    ov.save_model(graph, str(tmp / XML), compress_to_fp16=True)  # half the disk; inference runs in bf16/f32
    st_model.tokenizer.save_pretrained(str(tmp))
    (tmp / "source.json").write_text(json.dumps({
        "model": str(Path(cfg.model).resolve()), "max_seq_length": st_model.max_seq_length,
        "prompts": st_model.prompts, "check_cosine": round(agreement, 5)}, indent=1))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    print(f"wrote {out} in {time.perf_counter() - t0:.0f} s (cosine to torch {agreement:.4f})", file=sys.stderr)
    return out


class OpenVINOEncoder:
    """`encode` with the sentence-transformers call shape the rest of the project uses."""

    def __init__(self, folder: Path, precision: str, threads: int) -> None:
        import openvino as ov
        from transformers import AutoTokenizer

        meta = json.loads((folder / "source.json").read_text())
        self.prompts: dict[str, str] = meta["prompts"]
        self.max_length = int(meta["max_seq_length"])
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder))
        compiled = ov.Core().compile_model(str(folder / XML), "CPU", {
            "INFERENCE_PRECISION_HINT": "bf16" if precision == "bfloat16" else "f32",
            "INFERENCE_NUM_THREADS": str(threads), "NUM_STREAMS": "1", "PERFORMANCE_HINT": "LATENCY"})
        self._request = compiled.create_infer_request()
        self._lock = threading.Lock()  # one inference request: the UI and the API share it

    def encode(self, sentences: Sequence[str], prompt_name: str | None = None, prompt: str | None = None,
               batch_size: int = 16, **_: Any) -> np.ndarray:
        prefix = prompt if prompt is not None else self.prompts.get(prompt_name or "", "")
        texts = [prefix + s for s in sentences]
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths pad little
        out = np.zeros((len(texts), 0), dtype=np.float32)
        for lo in range(0, len(order), batch_size):
            part = order[lo : lo + batch_size]
            # A lone text (a question) is padded to a multiple of 16 tokens: the CPU plugin prepares its kernels
            # per input shape, and a new shape costs 20-40 ms on 2 cores, more than the padding does.
            batch = self.tokenizer([texts[i] for i in part], padding=True, truncation=True,
                                   max_length=self.max_length, return_tensors="np",
                                   pad_to_multiple_of=16 if len(part) == 1 else None)
            with self._lock:
                vectors = self._request.infer({"input_ids": batch["input_ids"],
                                               "attention_mask": batch["attention_mask"]})[0].copy()
            if out.shape[1] == 0:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[part] = vectors
        return out


def load(cfg: EmbedSettings, precision: str) -> EncoderEmbedding:
    folder = converted_dir(cfg)
    if not (folder / XML).exists():
        convert(cfg)
    encoder = OpenVINOEncoder(folder, precision, threads=len(os.sched_getaffinity(0)))
    return EncoderEmbedding(encoder, model_name=str(folder), embed_batch_size=cfg.batch_size,
                             query_prompt=cfg.query_prompt)


if __name__ == "__main__":  # python -m index.ov_embed: convert ahead of the first use
    convert(Settings().embed)
