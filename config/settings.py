"""One typed settings tree, read once from environment variables and an optional TOML file.

Precedence: explicit arguments > environment (`RAG_<SECTION>__<KEY>`, e.g. `RAG_LLM__BACKEND=ollama`)
> `settings.toml` in the project root (or the file named by `RAG_SETTINGS_FILE`) > defaults.
Components receive the section they need; nothing else reads os.environ.
"""

from __future__ import annotations

import os
import tomllib
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


# Each field's description is its meaning in README's settings table (rendered by `python -m config.readme`);
# json_schema_extra {"same_row": True} puts a field in the row of the one above it, and {"shown": "…"} stands
# for a default that is computed (a default_factory) or too long to print.
SAME_ROW = {"same_row": True}


class LLMSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    backend: Literal["llamacpp", "ollama", "openai"] = Field(
        "llamacpp", description="`llamacpp` (bundled, in-process), `ollama`, `openai` (OpenAI-compatible server)")
    model_path: Path = Field(MODELS / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
                             description="any instruction-tuned GGUF (its own chat template is used)")
    n_ctx: int = Field(4096, description="context (Ollama's `num_ctx` too)")
    n_threads: int = Field(default_factory=lambda: max(1, (os.cpu_count() or 2)), description="llama.cpp threads",
                           json_schema_extra={"shown": "CPU count", **SAME_ROW})
    # The same variable as the ollama CLI's.
    ollama_host: str = Field(default_factory=lambda: os.environ.get("OLLAMA_HOST", "http://127.0.0.1:11434"),
                             description="Ollama server",
                             json_schema_extra={"shown": "`OLLAMA_HOST` or `http://127.0.0.1:11434`"})
    ollama_model: str = Field("qwen2.5:1.5b-instruct", description="its model", json_schema_extra=SAME_ROW)
    openai_base_url: str = Field("http://127.0.0.1:8000/v1", description="OpenAI-compatible server")
    openai_model: str = Field("local-model", description="its model", json_schema_extra=SAME_ROW)
    openai_api_key: SecretStr = Field(SecretStr("not-needed"), description="its key", json_schema_extra=SAME_ROW)
    max_tokens: int = Field(320, description="answer cap")
    temperature: float = Field(0.0, description="0: greedy", json_schema_extra=SAME_ROW)
    timeout_s: float = Field(120.0, description="network timeout", json_schema_extra=SAME_ROW)

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

    model: str = Field(str(MODELS / "embeddinggemma-300m"), description="a sentence-transformers folder")
    # EmbeddingGemma's own prompts: passages that never repeat their article's title or author are still found
    # by them with the title in the document prompt, the way EmbeddingGemma was trained (BENCHMARKS.md).
    # Set both empty for a model without prompts.
    query_prompt: str = Field("task: search result | query: ", description="before a question",
                              json_schema_extra={"shown": "EmbeddingGemma's"})
    document_prompt: str = Field("title: {title} | text: ", description="before a passage (`{title}`: its title)",
                                 json_schema_extra=SAME_ROW)
    # bfloat16 embeds ~1.8x faster on CPUs with native bf16 (AVX512-BF16 / AMX) and stays within a cosine of
    # 0.998 of float32 (BENCHMARKS.md); elsewhere it is emulated and slower.
    precision: Literal["auto", "float32", "bfloat16"] = Field(
        "auto", description="`auto`: `bfloat16` with native bf16, else `float32`")
    batch_size: int = Field(16, description="texts per batch", json_schema_extra=SAME_ROW)
    # OpenVINO runs the same model, converted once next to its folder: ~1.4x faster passages and ~1.5x faster
    # queries than torch in bfloat16, same vectors (BENCHMARKS.md); it pays only with native bf16. The served
    # backends still get the prompts above prefixed here, so the server must serve the raw model.
    backend: Literal["auto", "torch", "openvino", "openai", "ollama"] = Field(
        "auto", description="`auto` (OpenVINO on CPUs with native bf16, else torch), `torch`, `openvino`, "
        "`openai`, `ollama`")
    # "" is http://127.0.0.1:8000/v1 for openai; OLLAMA_HOST, else http://127.0.0.1:11434, for ollama.
    remote_url: str = Field("", description="embedding server", json_schema_extra={"shown": "per backend"})
    remote_model: str = Field("embeddinggemma", description="its model", json_schema_extra=SAME_ROW)
    # Sent as a bearer token when set; never logged.
    api_key: SecretStr = Field(SecretStr(""), description="its key", json_schema_extra=SAME_ROW)
    timeout_s: float = Field(60.0, description="per request")
    remote_batch: int = Field(64, description="texts per request", json_schema_extra=SAME_ROW)
    # The clients' own retries (index/remote_embed.py): openai retries failed connections, timeouts, 429 and
    # 5xx after 0.5, 1, 2… s; ollama only failed connections.
    remote_tries: int = Field(4, description="tries", json_schema_extra=SAME_ROW)

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

    path: Path = Field(ROOT / "storage" / "chroma", description="embedded store")
    collection: str = Field("default", description="the corpus to use", json_schema_extra=SAME_ROW)
    host: str | None = Field(None, description="a Chroma server instead")
    port: int = Field(8000, description="its port", json_schema_extra=SAME_ROW)

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

    corpus_dir: Path = Field(ROOT / "corpus", description="the folder `make run` syncs")
    default_collection: str = Field("default", description="its collection", json_schema_extra=SAME_ROW)
    # Passages are short so that three of them and the question stay near 600 prompt tokens.
    chunk_chars: int = Field(350, description="passage size (whole sentences)")
    overlap_sentences: int = Field(1, description="sentences of overlap", json_schema_extra=SAME_ROW)
    max_file_mb: float = Field(20.0, description="larger files are refused")
    docstore_dir: Path = Field(ROOT / "storage" / "docstore", description="document hashes",
                               json_schema_extra=SAME_ROW)
    left_out_warning: float = Field(0.2, ge=0, le=1, description="warn when more than this share of a document "
                                    "is left out as page furniture")


class RetrievalSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    top_k: int = Field(5, description="passages shown")
    candidates: int = Field(20, description="depth of each ranking before fusion",
                            json_schema_extra=SAME_ROW)
    keyword_weight: float = Field(0.15, description="BM25 bonus added to the cosine (0: dense only)")
    # Fewer, better passages mean a shorter prompt (first token sooner) and fewer distractors: each ~100-token
    # passage costs ~0.5-1 s before the first token on 2 cores, and with the bundled model an answer drawn from
    # the third passage is rarely right (on 39 dev items: 27 drafts right with 2 passages, 29 with 3; BENCHMARKS.md).
    context_margin: float = Field(0.1, description="the model reads passages this close to the best")
    context_passages: int = Field(2, description="at most this many", json_schema_extra=SAME_ROW)
    # It separates off-topic questions (recipes, weather, sport: best cosine ≤ 0.19, tests/test_answers.py)
    # from questions about the corpus (the lowest answerable gold item: 0.24). Unanswerable questions *about*
    # the corpus score as high as answerable ones; the checks after generation refuse those.
    min_score: float = Field(0.22, description="below this best cosine, refuse without the model")
    max_question_chars: int = Field(2000, description="question length cap", json_schema_extra=SAME_ROW)


class ChecksSettings(BaseModel):
    """How an answer is judged before it is shown (qa/verify.py, qa/fit.py). The weights and thresholds are
    fitted by calibration, never set by hand: each collection fits its own (calibration/), the model's
    global fit lives in config/fits/ (`python -m eval.calibrate`)."""

    model_config = ConfigDict(frozen=True)

    cite_support: float = Field(0.5, description="support a sentence needs to be cited")
    budget: float = Field(0.05, description="share of right answers a fit may refuse", json_schema_extra=SAME_ROW)
    self_calibrate: bool = Field(True, description="calibrate a collection in the background when it is new "
                                 "or changed")
    calibration_passages: int = Field(36, ge=4, description="passages it writes questions about",
                                      json_schema_extra=SAME_ROW)
    recalibrate_after: float = Field(0.2, description="share of documents changed to calibrate again",
                                     json_schema_extra=SAME_ROW)


class UISettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    host: str = Field("127.0.0.1", description="bind address")
    port: int = Field(7860, description="port", json_schema_extra=SAME_ROW)
    concurrency: int = Field(1, description="generations at once", json_schema_extra=SAME_ROW)
    max_queue: int = Field(32, description="queue", json_schema_extra=SAME_ROW)
    api_key: SecretStr | None = Field(None, description="when set, the API and `/health` need "
                                      "`Authorization: Bearer <key>`")
    username: str | None = Field(None, description="UI login, when both are set")
    password: SecretStr | None = Field(None, description="its password", json_schema_extra=SAME_ROW)

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
        toml = _toml_file()
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


def _toml_file() -> Path:
    return Path(os.environ.get("RAG_SETTINGS_FILE", ROOT / "settings.toml"))


class SettingsError(ValueError):
    """A setting that cannot be used; the message names it and where to fix it."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as e:
        first = e.errors()[0]
        loc = [str(part) for part in first["loc"]]
        more = f" (and {len(e.errors()) - 1} more)" if len(e.errors()) > 1 else ""
        why = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"setting {'.'.join(loc)} is invalid ({why}){more}: fix RAG_{'__'.join(loc).upper()} "
                            f"or {_toml_file().name}") from None
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"{_toml_file()} is not valid TOML ({e}): fix it") from None
    except ValueError as e:  # pydantic-settings' own, e.g. a section given as an environment variable, not JSON
        raise SettingsError(f"{e}: fix the RAG_ environment variable it names") from None
