"""The settings: README's table rendered from their descriptions, and a bad value named in one sentence."""

from __future__ import annotations

import pytest

from config import readme
from config.settings import ROOT, SettingsError, get_settings


def test_readme_settings_table_is_rendered_from_the_settings():
    text = readme.README.read_text(encoding="utf-8")
    assert readme.rewrite(text) == text, "README.md's settings table is stale: run `python -m config.readme`"
    assert len(text.encode()) < 15_000, "README.md must stay under 15 KB"


def test_the_table_shows_secrets_unset_paths_relative_and_computed_defaults_in_words():
    rows = {line.split("|")[1]: line.split("|")[2] for line in readme.table().splitlines()[2:]}
    assert rows["llm.openai_base_url / openai_model / openai_api_key"].endswith("/ unset")  # default "not-needed"
    assert rows["llm.model_path"] == "`models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf`"
    assert rows["llm.n_ctx / n_threads"] == "4096 / CPU count"
    assert str(ROOT) not in readme.table()


@pytest.fixture()
def fresh_settings():
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(("env", "message"), [
    ({"RAG_RETRIEVAL__TOP_K": "many"}, "setting retrieval.top_k is invalid (Input should be a valid integer, unable "
                                       "to parse string as an integer): fix RAG_RETRIEVAL__TOP_K or settings.toml"),
    ({"RAG_CHROMA__COLLECTION": "a"}, "setting chroma.collection is invalid (collection name 'a' must be 3-63 "
                                      "characters"),
    ({"RAG_LLM": "ollama"}, 'error parsing value for field "llm" from source "EnvSettingsSource": fix the RAG_ '
                            "environment variable it names"),
])
def test_a_bad_setting_is_named_with_where_to_fix_it(monkeypatch, fresh_settings, env, message):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as err:
        get_settings()
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_a_settings_file_that_is_not_toml_is_named(tmp_path, monkeypatch, fresh_settings):
    bad = tmp_path / "settings.toml"
    bad.write_text("[retrieval]\ntop_k = \n", encoding="utf-8")
    monkeypatch.setenv("RAG_SETTINGS_FILE", str(bad))
    with pytest.raises(SettingsError, match=f"^{bad} is not valid TOML \\(.+\\): fix it$"):
        get_settings()
