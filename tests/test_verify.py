"""The answer checks: one calibrated score decides, whatever the question's wording or language."""

import pytest

from config.settings import ChecksSettings
from qa import prompt, verify

GOOD = {"retrieval": 0.6, "probe": 0.9, "support": 1.0}
DOUBTFUL = {"retrieval": 0.35, "probe": 0.1, "support": 0.6}


def test_confidence_rises_with_every_signal():
    cfg = ChecksSettings()
    base = verify.confidence(DOUBTFUL, cfg)
    for name in verify.FEATURES:
        better = {**DOUBTFUL, name: GOOD[name]}
        assert verify.confidence(better, cfg) > base, name


def test_the_threshold_decides_and_says_so():
    cfg = ChecksSettings()
    p = verify.confidence(DOUBTFUL, cfg)
    strict = cfg.model_copy(update={"threshold": p + 0.01})
    lenient = cfg.model_copy(update={"threshold": p - 0.01})
    refused = verify.decide(DOUBTFUL, 1, False, strict)
    assert refused.refuse and "threshold" in (refused.reason or "")
    assert not verify.decide(DOUBTFUL, 1, False, lenient).refuse


def test_hard_checks_refuse_whatever_the_score():
    cfg = ChecksSettings(threshold=0.0)
    assert verify.decide(GOOD, 0, False, cfg).reason == "no sentence of the answer is supported by a shown passage"
    assert verify.decide(GOOD, 1, True, cfg).reason == "the model said the passages do not answer"


@pytest.mark.parametrize("lang", ["fr", "en", "es", "zh", "ru", "ar", "de"])
def test_the_refusal_sentence_of_every_language_is_recognised(lang):
    sentence = prompt.refusal(lang)
    assert verify.is_refusal_sentence(sentence)
    assert verify.is_refusal_sentence(f"{sentence} [2]")
    assert not verify.is_refusal_sentence("Nvidia a perdu 600 milliards de dollars [1].")


def test_an_unknown_language_falls_back_to_the_generic_prompt_naming_it():
    [system, user] = prompt.build_messages("Wie viele Einwohner hat Fresno?", [], "nl")
    assert "Dutch" in user.content and system.content == prompt.load("system")
    assert prompt.refusal("nl") == prompt.refusal("en")
    [_, own] = prompt.build_messages("Сколько жителей во Фресно?", [], "ru")
    assert "на русском" in own.content


def test_the_probe_shares_the_answer_prompt_up_to_the_question():
    answer = prompt.build_messages("Qui a lancé DeepSeek ?", [], "fr")
    probe = prompt.probe_messages("Qui a lancé DeepSeek ?", answer)
    shared = answer[-1].content.index("Qui a lancé DeepSeek ?") + len("Qui a lancé DeepSeek ?")
    assert probe[-1].content[:shared] == answer[-1].content[:shared]
    assert probe[-1].content.endswith("Reply yes or no.") and probe[0] == answer[0]


@pytest.mark.slow
def test_a_refusal_of_the_checks_is_decided_by_the_calibrated_score(engine):
    """The same answer, with the same signals, is shown or refused by the threshold alone."""
    from qa.engine import Engine

    question = "Quel modèle de génération d'images DeepSeek a-t-il dévoilé lundi ?"
    shown = engine.ask(question)
    assert not shown.refused and "Janus" in shown.answer
    p = shown.checks["confidence"]
    assert p == pytest.approx(verify.confidence(shown.checks, engine.settings.checks))
    strict = engine.settings.model_copy(update={"checks": engine.settings.checks.model_copy(
        update={"threshold": min(p + 0.01, 1.0)})})
    refused = Engine(strict).ask(question)
    assert refused.refused and refused.answer == "Le corpus ne le dit pas." and refused.citations == []
    assert "threshold" in (refused.refusal_reason or "")
    assert refused.checks["confidence"] == pytest.approx(p)  # same signals: the threshold decided
    assert refused.to_dict()["candidate"] == shown.answer  # what would have been shown is kept for the eval
