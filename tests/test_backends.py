"""The server backends over real HTTP, against servers speaking Ollama's and vLLM's (OpenAI's) APIs: answers
streamed, the probe read from the servers' log-probabilities, backends that are down or die."""

import math

import pytest

from config.settings import LLMSettings
from qa.engine import Engine
from qa.fit import Fit
from qa.verify import Verifier
from tests.conftest import free_port
from tests.fake_ollama import FakeOllama
from tests.fake_openai import FakeOpenAI

NVIDIA = "Combien Nvidia a-t-elle perdu en Bourse après l'annonce de DeepSeek ?"
YES = math.exp(-0.105) / (math.exp(-0.105) + math.exp(-2.35))  # the fakes' default probe log-probabilities


@pytest.fixture()
def ollama():
    server = FakeOllama()
    yield server
    server.close()


@pytest.fixture()
def vllm():
    server = FakeOpenAI()
    yield server
    server.close()


def engine_with(indexed, fit: Fit | None = None, **llm) -> Engine:
    settings = indexed.model_copy(update={"llm": LLMSettings(**llm)})
    return Engine(settings, verifier=Verifier(settings, fit=fit) if fit else None)


def test_ollama_backend_streams_a_cited_answer(indexed, ollama, corpus_text):
    engine = engine_with(indexed, backend="ollama", ollama_host=ollama.url, n_ctx=4096)
    ollama.script = ["Nvidia a perdu près de 600 milliards de dollars de valorisation boursière [1]."]
    updates = list(engine.stream("Combien Nvidia a-t-elle perdu en Bourse après l'annonce de DeepSeek ?"))
    assert [u.kind for u in updates][0] == "sources"
    assert sum(u.kind == "token" for u in updates) > 3  # streamed word by word
    answer = updates[-1].answer
    assert not answer.refused and not answer.error
    [request] = ollama.requests
    assert request["path"] == "/api/chat" and request["stream"] is True
    assert request["options"]["num_ctx"] == 4096  # never left to Ollama's silent truncation
    assert request["messages"][0]["role"] == "system"
    assert answer.citations and answer.citations[0].n == 1
    c = answer.citations[0]
    assert corpus_text[c.doc][c.start : c.end] == c.quote
    assert answer.backend["llm"] == "ollama:qwen2.5:1.5b-instruct"


@pytest.mark.parametrize("server", ["ollama", "vllm"])
def test_the_probe_is_read_from_the_servers_logprobs_and_a_no_stops_the_draft(indexed, server, request):
    fake = request.getfixturevalue(server)
    settings = dict(backend="ollama", ollama_host=fake.url) if server == "ollama" else \
        dict(backend="openai", openai_base_url=f"{fake.url}/v1", openai_model=fake.model)
    # A fit whose first stage refuses under P(yes) 0.5: a "no" means no draft at all.
    engine = engine_with(indexed, Fit(weights={"probe": 1.0}, probe_floor=0.5, model="x"), **settings)
    answer = engine.ask(NVIDIA)
    [probe] = fake.questions
    assert probe["logprobs"] is True and probe["top_logprobs"] >= 5  # the distribution is asked for
    assert NVIDIA in probe["messages"][-1]["content"] and "600 milliards" in probe["messages"][-1]["content"]
    assert answer.checks["probe"] == pytest.approx(YES, abs=1e-6)  # read, not guessed from the reply text
    assert answer.verdict in ("supported", "partly_supported") and len(fake.requests) == 1

    fake.questions.clear()
    fake.requests.clear()
    fake.probe_logprobs = {"No": -0.02, "no": -4.5, "Yes": -4.0}
    doubted = engine.ask(NVIDIA)
    no = math.exp(-4.0) / (math.exp(-4.0) + math.exp(-0.02) + math.exp(-4.5))
    assert doubted.checks["probe"] == pytest.approx(no, abs=1e-6)
    assert doubted.refused and doubted.verdict == "not_in_documents" and not doubted.draft
    assert fake.requests == []  # stage 1: the model was not asked to write


def test_a_server_without_logprobs_gives_no_evidence_either_way(indexed, ollama):
    ollama.probe_logprobs = None  # an Ollama older than 0.12.11
    answer = engine_with(indexed, backend="ollama", ollama_host=ollama.url).ask(NVIDIA)
    assert "probe" not in answer.checks and not answer.error and answer.verdict  # no stage 1, no probe feature


def test_the_openai_compatible_backend_streams_a_cited_answer(indexed, vllm, corpus_text):
    engine = engine_with(indexed, backend="openai", openai_base_url=f"{vllm.url}/v1", openai_model=vllm.model)
    vllm.script = ["Nvidia a perdu près de 600 milliards de dollars de valorisation boursière [1]."]
    updates = list(engine.stream(NVIDIA))
    assert sum(u.kind == "token" for u in updates) > 3
    answer = updates[-1].answer
    assert not answer.refused and answer.citations and answer.backend["llm"] == f"openai:{vllm.model}"
    [request] = vllm.requests
    assert request["stream"] is True and request["messages"][0]["role"] == "system"
    c = answer.citations[0]
    assert corpus_text[c.doc][c.start : c.end] == c.quote


def test_a_bare_refusal_from_the_model_is_a_refusal_even_if_its_words_match_a_passage(indexed, ollama):
    engine = engine_with(indexed, backend="ollama", ollama_host=ollama.url)
    ollama.script = ["Le corpus ne le dit pas [2]."]
    answer = engine.ask("De quelle activité Amazon, Microsoft et Google tirent-ils l'essentiel de leur puissance ?")
    assert answer.refused and answer.citations == [] and "[2]" not in answer.answer
    assert answer.verdict == "not_in_documents" and answer.reason == "the model said the passages do not answer"


def test_ollama_host_without_scheme_is_accepted(ollama):
    assert LLMSettings(ollama_host=f"127.0.0.1:{ollama.port}").ollama_host == ollama.url


def test_ollama_down_gives_a_clear_error_and_keeps_the_sources(indexed):
    engine = engine_with(indexed, backend="ollama", ollama_host=f"http://127.0.0.1:{free_port()}", timeout_s=5)
    answer = engine.ask("Combien Nvidia a-t-elle perdu en Bourse après l'annonce de DeepSeek ?")
    assert answer.error and "ollama" in answer.error and "connect" in answer.error.lower()
    assert answer.retrieved and not answer.citations


def test_ollama_dying_mid_answer_is_reported_then_recovers(indexed, ollama):
    engine = engine_with(indexed, backend="ollama", ollama_host=ollama.url)
    ollama.fail_after_tokens = 2
    answer = engine.ask("Combien Nvidia a-t-elle perdu en Bourse après l'annonce de DeepSeek ?")
    assert answer.error and answer.retrieved
    ollama.fail_after_tokens = None
    answer = engine.ask("Combien Nvidia a-t-elle perdu en Bourse après l'annonce de DeepSeek ?")
    assert not answer.error and answer.citations


def test_unknown_ollama_model_is_reported(indexed, ollama):
    engine = engine_with(indexed, backend="ollama", ollama_host=ollama.url, ollama_model="nope:1b")
    answer = engine.ask("Combien Nvidia a-t-elle perdu en Bourse après l'annonce de DeepSeek ?")
    assert answer.error and "nope:1b" in answer.error


def test_openai_compatible_server_down_is_reported(indexed):
    engine = engine_with(indexed, backend="openai", openai_base_url=f"http://127.0.0.1:{free_port()}/v1",
                         timeout_s=5)
    answer = engine.ask("Combien Nvidia a-t-elle perdu en Bourse après l'annonce de DeepSeek ?")
    assert answer.error and "openai" in answer.error


def test_missing_gguf_says_how_to_fix_it(indexed, tmp_path):
    engine = engine_with(indexed, model_path=tmp_path / "absent.gguf")
    answer = engine.ask("Combien Nvidia a-t-elle perdu en Bourse après l'annonce de DeepSeek ?")
    assert answer.error and "make models" in answer.error


def test_reachability_check_uses_ollama_tags(ollama):
    from llm import BackendUnavailable, check_reachable

    check_reachable(LLMSettings(backend="ollama", ollama_host=ollama.url))
    with pytest.raises(BackendUnavailable, match="does not serve 'other:7b'"):
        check_reachable(LLMSettings(backend="ollama", ollama_host=ollama.url, ollama_model="other:7b"))
    with pytest.raises(BackendUnavailable, match="does not answer"):
        check_reachable(LLMSettings(backend="ollama", ollama_host=f"http://127.0.0.1:{free_port()}"))


def test_health_is_503_when_the_backend_is_down(indexed):
    import httpx

    from tests.conftest import serving

    down = engine_with(indexed, backend="ollama", ollama_host=f"http://127.0.0.1:{free_port()}", timeout_s=5)
    with serving(down) as url:
        reply = httpx.get(f"{url}/health", timeout=30)
    assert reply.status_code == 503 and "does not answer" in reply.json()["backend"]
