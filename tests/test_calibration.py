"""The checks' fit: stage 1 (the probe floor) and stage 2 (the calibrated threshold) chosen on labelled
answers under a budget of right answers refused, replayed exactly as the engine decides."""

import pytest

from calibration.fitting import Item, fit, lost_right, outcomes, utility
from calibration.questions import answer_key
from qa.fit import NEUTRAL, Fit
from qa.verify import judge


def item(answerable: bool, right: bool, probe: float, support: float = 1.0, group: str = "g") -> Item:
    signals = {"retrieval": 0.6, "probe": probe, "support": support, "first": 1.0, "supported": 1.0,
               "sentences": 1.0, "model_refused": 0.0}
    return Item(group=group, answerable=answerable, right=right, signals=signals, supported=1, sentences=1)


def test_the_probe_floor_refuses_unanswerables_within_the_budget():
    # Right answers have a high P(yes); wrong ones and unanswerables a low one: a floor between them pays.
    items = ([item(True, True, 0.9) for _ in range(20)] + [item(True, False, 0.2) for _ in range(6)]
             + [item(False, False, 0.15) for _ in range(10)])
    made = fit(items, NEUTRAL, source="collection", model="m", setup="s", budget=0.05)
    assert 0.15 < made.probe_floor <= 0.9
    got = outcomes(items, made)
    assert got["refusal"] == 1.0 and got["answered_wrong"] == 0.0 and got["false_refusal"] == pytest.approx(6 / 26)
    assert lost_right(items, made) == 0.0
    assert utility(items, made, 2.0) > utility(items, NEUTRAL, 2.0)


def test_the_budget_binds_when_right_and_wrong_look_alike():
    items = [item(True, i % 2 == 0, 0.5 + 0.01 * (i % 7)) for i in range(40)]
    made = fit(items, NEUTRAL, source="collection", model="m", setup="s", budget=0.05)
    assert lost_right(items, made) <= 0.05


def test_replay_is_the_engines_decision():
    it = item(True, True, 0.3)
    strict = Fit(weights={"probe": 1.0}, threshold=0.6, model="m")
    assert not it.shown(strict)
    assert judge(it.signals, 1, 1, False, strict).status == "withheld"
    assert it.shown(Fit(weights={"probe": 1.0}, threshold=0.2, model="m"))
    assert not it.shown(Fit(probe_floor=0.5, model="m"))  # stage 1: no draft under the floor


def test_supported_needs_calibrated_confidence_and_every_sentence():
    f = Fit(weights={"probe": 1.0}, threshold=0.1, supported_at=0.8, model="m")
    sure = {"probe": 0.95, "support": 1.0}
    assert judge(sure, 2, 2, False, f).status == "supported"
    assert judge(sure, 1, 2, False, f).status == "partly_supported"
    assert judge({"probe": 0.6}, 1, 1, False, f).status == "partly_supported"
    assert judge(sure, 0, 1, False, f).status == "withheld"
    assert judge(sure, 1, 1, True, f).status == "not_in_documents"


@pytest.mark.parametrize(("answer", "passage", "key"), [
    ("Liang Wenfeng", "DeepSeek a été fondée par Liang Wenfeng en 2023.", "liang wenfeng"),
    ("359 миллиарды кубометров", "добыла 359 миллиардов кубометров газа", "359"),  # a number is enough
    ("梁文锋", "深度求索由梁文锋于2023年创立。", "梁 文 锋"),
    ("Sam Altman", "DeepSeek a été fondée par Liang Wenfeng.", None),  # not copied from the passage
])
def test_the_answer_key_is_words_of_the_passage(answer, passage, key):
    assert answer_key(answer, passage) == key


@pytest.mark.slow
@pytest.mark.timeout(1800)  # ~5 minutes alone on 2 cores: 14 passages, two questions each
def test_a_collection_calibrates_itself_behind_the_users_questions_and_resumes(indexed, tmp_path, monkeypatch):
    """The real job on the shipped corpus: questions are answered while it runs (it gives the model up to
    them), a cancelled run resumes where it stopped, and the fit is stored with the collection and applies."""
    import json
    import time

    from calibration import job
    from calibration.job import Calibration, log_path
    from calibration.jobs import Jobs
    from qa.engine import Engine
    from qa.fit import Fits

    # The model writes a usable question for 0.5-0.9 of the passages: the fit is made from as few as 4 answers
    # here (12 in the product), the mechanism is what this test checks.
    PASSAGES = 14
    monkeypatch.setattr(job, "MIN_ITEMS", 4)
    settings = indexed.model_copy(update={
        "checks": indexed.checks.model_copy(update={"calibration_passages": PASSAGES}),
        "ingest": indexed.ingest.model_copy(update={"docstore_dir": tmp_path / "docstore"})})  # its own fit file
    jobs = Jobs()
    assert jobs.start(settings) == "not calibrated for this model yet"
    while (p := jobs.progress(settings.chroma.collection)) is None or p.done < 1:
        time.sleep(0.5)
    answer = Engine(settings).ask("Combien Nvidia a-t-elle perdu en Bourse après l'annonce de DeepSeek ?")
    assert not answer.error and "600" in answer.answer
    assert jobs.running(settings.chroma.collection)  # the question did not wait for the calibration to end
    jobs.cancel(settings.chroma.collection)
    while jobs.running(settings.chroma.collection):  # it stops between two steps
        time.sleep(0.5)
    assert jobs.progress(settings.chroma.collection).state == "cancelled"

    lines = log_path(settings).read_text().splitlines()
    done = {json.loads(line)["passage"] for line in lines[1:]}
    assert 1 <= len(done) < PASSAGES
    fitted = Calibration(settings).run()  # resumes: the passages already handled are not asked again
    after = [json.loads(line) for line in log_path(settings).read_text().splitlines()[1:]]
    assert [r["passage"] for r in after[: len(lines) - 1]] == [json.loads(x)["passage"] for x in lines[1:]]
    assert len({r["passage"] for r in after}) == PASSAGES
    hidden = [r for r in after if r.get("answerable") is False]
    assert hidden and all(not r["right"] for r in hidden)
    assert fitted is not None and fitted.source == "collection" and fitted.answers >= 4
    assert Fits(settings).current() == fitted  # applies to the collection's engine at once
