"""The answer checks: a calibrated score and its fit decide, whatever the question's wording or language;
a draft the checks do not let through is withheld with why, never silently replaced."""

import json

import pytest

from qa import prompt, verify
from qa.fit import NEUTRAL, Fit, Fits, collection_fit_path, model_id, setup_of

GOOD = {"retrieval": 0.6, "probe": 0.9, "support": 1.0, "first": 1.0}
DOUBTFUL = {"retrieval": 0.35, "probe": 0.1, "support": 0.6, "first": 0.0}
FIT = Fit(weights={"retrieval": 0.5, "probe": 0.45, "support": 1.4, "first": 0.3}, bias=-1.8, model="m")


def test_confidence_rises_with_every_signal():
    base = FIT.confidence(DOUBTFUL)
    for name in GOOD:
        assert FIT.confidence({**DOUBTFUL, name: GOOD[name]}) > base, name


def test_the_threshold_decides_and_says_so():
    p = FIT.confidence(DOUBTFUL)
    strict = Fit(**{**FIT.__dict__, "threshold": p + 0.01})
    withheld = verify.judge(DOUBTFUL, 1, 1, False, strict)
    assert withheld.status == "withheld" and "threshold" in (withheld.reason or "") and withheld.confidence == p
    assert verify.judge(DOUBTFUL, 1, 1, False, Fit(**{**FIT.__dict__, "threshold": p - 0.01})).shown


def test_hard_checks_refuse_whatever_the_score():
    assert verify.judge(GOOD, 0, 1, False, NEUTRAL).reason == "no sentence of the draft is supported by a shown passage"
    assert verify.judge(GOOD, 1, 1, True, NEUTRAL).status == "not_in_documents"


@pytest.mark.parametrize("lang", ["fr", "en", "es", "zh", "ru", "ar", "de"])
def test_the_refusal_sentence_of_every_language_is_recognised(lang):
    sentence = prompt.refusal(lang)
    assert verify.is_refusal_sentence(sentence)
    assert verify.is_refusal_sentence(f"{sentence} [2]")
    assert not verify.is_refusal_sentence("Nvidia a perdu 600 milliards de dollars [1].")


def test_an_unknown_language_falls_back_to_the_generic_prompt_naming_it():
    [system, user] = prompt.build_messages("Wie viele Einwohner hat Fresno?", [], "nl")
    assert "Dutch" in user["content"] and system["content"] == prompt.load("system")
    assert prompt.refusal("nl") == prompt.load("refusal")
    [_, own] = prompt.build_messages("Сколько жителей во Фресно?", [], "ru")
    assert "на русском" in own["content"]


def test_the_probe_shares_the_answer_prompt_up_to_the_question():
    answer = prompt.build_messages("Qui a lancé DeepSeek ?", [], "fr")
    probe = prompt.probe_messages("Qui a lancé DeepSeek ?", answer)
    shared = answer[-1]["content"].index("Qui a lancé DeepSeek ?") + len("Qui a lancé DeepSeek ?")
    assert probe[-1]["content"][:shared] == answer[-1]["content"][:shared]
    assert probe[-1]["content"].endswith("Reply yes or no.") and probe[0] == answer[0]


def test_a_collection_fit_applies_once_written_and_only_for_its_model(tmp_path):
    from tests.conftest import make_settings

    settings = make_settings(tmp_path)
    fits = Fits(settings)
    assert fits.current().source in ("none", "model")  # before: the model's global fit, if any
    mine = Fit(threshold=0.4, source="collection", model=model_id(settings.llm), setup=setup_of(settings), answers=30)
    mine.save(collection_fit_path(settings))
    assert fits.current() == mine  # re-read when written: a running engine uses it at once
    other = Fit(threshold=0.9, source="collection", model="ollama:another", setup=setup_of(settings), answers=30)
    collection_fit_path(settings).write_text(json.dumps(other.__dict__))
    assert fits.current().model != "ollama:another"


@pytest.mark.slow
def test_a_withheld_draft_is_kept_with_why_and_the_same_signals(engine):
    """The same draft, with the same signals, is shown or withheld by the fit alone; withheld, the reader
    still has the draft and the reason."""
    from qa.engine import Engine
    from qa.verify import Verifier

    question = "Quel modèle de génération d'images DeepSeek a-t-il dévoilé lundi ?"
    shown = Engine(engine.settings, verifier=Verifier(engine.settings, fit=FIT)).ask(question)
    assert not shown.refused and "Janus" in shown.answer and shown.verdict in ("supported", "partly_supported")
    p = shown.confidence
    assert p == pytest.approx(FIT.confidence(shown.checks))
    strict = Fit(**{**FIT.__dict__, "threshold": min(p + 0.01, 1.0)})
    withheld = Engine(engine.settings, verifier=Verifier(engine.settings, fit=strict)).ask(question)
    assert withheld.refused and withheld.answer == "Le corpus ne le dit pas." and withheld.citations == []
    assert withheld.verdict == "withheld" and "threshold" in (withheld.reason or "")
    assert withheld.confidence == pytest.approx(p)  # same signals: the threshold decided
    assert "Janus" in withheld.draft and withheld.to_dict()["candidate"] == shown.answer
