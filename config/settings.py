"""One typed settings tree, read once from environment variables and an optional TOML file.

Precedence: explicit arguments > environment (`RAG_<SECTION>__<KEY>`, e.g. `RAG_LLM__BACKEND=ollama`)
> `settings.toml` in the project root (or the file named by `RAG_SETTINGS_FILE`) > defaults.
Components receive the section they need; nothing else reads os.environ.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"


class LLMSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    backend: Literal["llamacpp", "ollama", "openai"] = "llamacpp"
    # llamacpp: a local GGUF file, loaded in-process.
    model_path: Path = MODELS / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    n_ctx: int = 4096
    n_threads: int = Field(default_factory=lambda: max(1, (os.cpu_count() or 2)))
    # ollama: OLLAMA_HOST is honoured when this is not set (same variable as the ollama CLI).
    ollama_host: str = Field(default_factory=lambda: os.environ.get("OLLAMA_HOST", "http://127.0.0.1:11434"))
    ollama_model: str = "qwen2.5:1.5b-instruct"
    # openai: any OpenAI-compatible server (vLLM, llama.cpp server, LM Studio...).
    openai_base_url: str = "http://127.0.0.1:8000/v1"
    openai_model: str = "local-model"
    openai_api_key: SecretStr = SecretStr("not-needed")
    max_tokens: int = 320
    temperature: float = 0.0
    timeout_s: float = 120.0

    @field_validator("ollama_host")
    @classmethod
    def _with_scheme(cls, v: str) -> str:
        return v if "://" in v else f"http://{v}"

    @property
    def model_name(self) -> str:
        return {
            "llamacpp": self.model_path.name,
            "ollama": self.ollama_model,
            "openai": self.openai_model,
        }[self.backend]


class EmbedSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    # A folder with a sentence-transformers model, or (with network access) any Hugging Face model id.
    model: str = str(MODELS / "embeddinggemma-300m")
    # EmbeddingGemma's own prompts; set both empty for models without instructions. "{title}" in the
    # document prompt is each document's title ("none" when unknown), the way EmbeddingGemma was trained:
    # passages that never repeat the article's title or author are still found by them (BENCHMARKS.md).
    query_prompt: str = "task: search result | query: "
    document_prompt: str = "title: {title} | text: "
    batch_size: int = 16
    # bfloat16 embeds ~1.8x faster on CPUs with native bf16 (AVX512-BF16 / AMX) and stays within a cosine of
    # 0.998 of float32 (BENCHMARKS.md); elsewhere it is emulated and slower. "auto" picks it when the CPU has it.
    precision: Literal["auto", "float32", "bfloat16"] = "auto"
    # "openvino" runs the same model converted by OpenVINO (once, next to the model folder): ~1.4x faster
    # passages and ~1.5x faster queries than torch in bfloat16, same vectors (BENCHMARKS.md). "auto" picks it
    # on a CPU with native bf16, where it pays, and falls back to "torch" elsewhere or if it cannot load.
    # "openai" (any OpenAI-compatible /v1/embeddings: vLLM, text-embeddings-inference, llama.cpp server) and
    # "ollama" (/api/embed) use a model served by another process or machine; the prompts above are still
    # prefixed here, so the server must serve the raw model.
    backend: Literal["auto", "torch", "openvino", "openai", "ollama"] = "auto"
    # Remote backends: "" is http://127.0.0.1:8000/v1 for openai, OLLAMA_HOST or http://127.0.0.1:11434 for ollama.
    remote_url: str = ""
    remote_model: str = "embeddinggemma"
    api_key: SecretStr = SecretStr("")  # sent as a bearer token (openai) when set; never logged
    timeout_s: float = 60.0
    remote_batch: int = 64  # texts per request
    remote_tries: int = 4  # a failed request is retried after 0.5, 1, 2 s…

    @property
    def remote(self) -> bool:
        return self.backend in ("openai", "ollama")

    @property
    def endpoint(self) -> str:
        if self.remote_url:
            url = self.remote_url
        elif self.backend == "ollama":
            url = os.environ.get("OLLAMA_HOST", "http://127.0.0.1:11434")
        else:
            url = "http://127.0.0.1:8000/v1"
        return (url if "://" in url else f"http://{url}").rstrip("/")

    @property
    def model_id(self) -> str:
        """What produced the vectors: part of each document's hash, so changing it re-embeds the corpus."""
        return f"served:{self.remote_model}" if self.remote else self.model


class ChromaSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: Path = ROOT / "storage" / "chroma"
    # When host is set, talk to a Chroma server (`chroma run`) instead of the embedded store.
    host: str | None = None
    port: int = 8000
    collection: str = "default"

    @field_validator("collection")
    @classmethod
    def _valid_name(cls, v: str) -> str:
        import re

        if not re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9._-]{1,60}[a-zA-Z0-9]", v):
            raise ValueError(
                f"collection name {v!r} must be 3-63 characters: letters, digits, '.', '_' or '-', "
                "starting and ending with a letter or digit"
            )
        return v


class IngestSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    corpus_dir: Path = ROOT / "corpus"
    default_collection: str = "default"  # the collection that mirrors corpus_dir
    # Passages are short so that three of them and the question stay near 600 prompt tokens.
    chunk_chars: int = 350
    overlap_sentences: int = 1
    max_file_mb: float = 20.0
    docstore_dir: Path = ROOT / "storage" / "docstore"
    left_out_warning: float = Field(0.2, ge=0, le=1, description=(
        "Warn, in the ingest report, about a document when more than this share of its characters (0-1) is "
        "left out of the index as page furniture (menus, link lists, repeated page headers and footers)."))


class RetrievalSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    top_k: int = 5  # passages retrieved and shown
    candidates: int = 20  # depth of each ranking (dense, keyword) before fusion
    keyword_weight: float = 0.15  # bonus for the best BM25 match, added to cosine; 0 = dense only
    # Only passages scoring within this margin of the best one go to the model (all are shown):
    # fewer, better passages mean a shorter prompt (first token sooner) and fewer distractors.
    context_margin: float = 0.1
    # At most this many of them: the prompt is read at ~90 tokens/s on 2 cores, so each ~100-token
    # passage costs ~1 s before the first token (BENCHMARKS.md).
    context_passages: int = 3
    # Cosine similarity under which the best passage counts as unrelated: refuse without the model.
    # It separates off-topic questions (recipes, weather, sport: best cosine ≤ 0.19, tests/test_answers.py)
    # from questions about the corpus (the lowest answerable gold item: 0.24). Unanswerable questions *about*
    # the corpus score as high as answerable ones; the checks after generation refuse those.
    min_score: float = 0.22
    max_question_chars: int = 2000


class ChecksSettings(BaseModel):
    """How an answer is judged before it is shown (qa/verify.py). Weights and threshold are fitted on the dev
    halves of the eval suite by `python -m eval.calibrate` — never by hand, never per question."""

    model_config = ConfigDict(frozen=True)

    # Support (0..1) an answer sentence needs from a passage sentence to be cited (qa/cite.py).
    cite_support: float = 0.5
    # P(right answer) = sigmoid(bias + sum of weight x feature), features in qa/verify.py: the best passage's
    # cosine, the model's own P(yes) that the passages answer the question (probe, as a logit) and the
    # weakest answer sentence's support.
    bias: float = -1.778
    w_retrieval: float = 0.139
    w_probe: float = 0.452
    w_support: float = 1.446
    # Refuse when P(right answer) is below this: the best threshold that refuses at most 5 % of the right
    # answers on the dev halves. With the bundled model none does better than 0 (BENCHMARKS.md): the
    # refusals come from the support checks; refit for another model.
    threshold: float = 0.0


class UISettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    host: str = "127.0.0.1"
    port: int = 7860
    concurrency: int = 1  # one generation at a time: the model uses every core
    max_queue: int = 32
    # When set, every /v1 API call and /health needs "Authorization: Bearer <key>".
    api_key: SecretStr | None = None
    # When both are set, the UI asks for this login.
    username: str | None = None
    password: SecretStr | None = None

    def login(self) -> tuple[str, str] | None:
        if self.username and self.password:
            return self.username, self.password.get_secret_value()
        return None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RAG_", env_nested_delimiter="__", extra="ignore", toml_file=None
    )

    llm: LLMSettings = LLMSettings()
    embed: EmbedSettings = EmbedSettings()
    chroma: ChromaSettings = ChromaSettings()
    ingest: IngestSettings = IngestSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    checks: ChecksSettings = ChecksSettings()
    ui: UISettings = UISettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = Path(os.environ.get("RAG_SETTINGS_FILE", ROOT / "settings.toml"))
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml))
        return tuple(sources)

    def with_collection(self, name: str | None) -> Settings:
        if not name:
            return self
        try:
            chroma = ChromaSettings.model_validate({**self.chroma.model_dump(), "collection": name})
        except ValidationError as e:
            raise ValueError(e.errors()[0]["msg"].removeprefix("Value error, ")) from None
        return self.model_copy(update={"chroma": chroma})


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
