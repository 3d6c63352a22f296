"""Passages that give different figures for the same thing: the answer says so and cites both."""

from functools import partial

import pytest

from qa import conflict
from qa.cite import attribute
from qa.schema import Passage


def passage(text: str, doc: str, start: int = 0) -> Passage:
    return Passage(doc=doc, start=start, end=start + len(text), score=0.8, text=text)


NV = passage("Lundi, Nvidia a perdu près de 600 milliards de dollars à la bourse.", "lemonde.txt", 40)
TECH = passage("La nouvelle fait plonger les actions de NVIDIA et d’autres géants tech, entraînant une perte "
               "de 800 milliards de dollars !", "lettre.txt", 10)
PARAMS = passage("Le modèle R1 compte 671 milliards de paramètres, dont 37 milliards activés.", "r1.txt")
OTHER_TOPIC = passage("Mistral AI a levé 600 millions d'euros en 2024.", "mistral.txt")


@pytest.fixture(scope="module")
def similarity(indexed):
    from index.embedder import similarity

    return partial(similarity, indexed.embed)


@pytest.mark.parametrize(("text", "expected"), [
    ("près de 600 milliards de dollars", [("600", "milliards de dollars")]),
    ("a $600 billion loss", [("600", "$")]),
    ("une levée de 2 Mds €, puis $5.6M", [("2", "mds"), ("5.6", "$")]),
    ("une chute de 17 % en un jour", [("17", "%")]),
    ("损失了6000亿美元", [("6000", "亿美元")]),  # any script: the characters after the figure
    ("потеряла 600 миллиардов долларов", [("600", "миллиардов долларов")]),
    ("fondée en 2023, elle", []),  # a year is no amount
])
def test_amounts_are_read_with_their_unit(text, expected):
    assert [(a.value, a.unit) for a in conflict.amounts(text)] == expected


def test_two_figures_for_the_same_loss_are_both_cited(similarity):
    shown = [NV, TECH, OTHER_TOPIC]
    question = "Combien Nvidia a-t-elle perdu en bourse ?"
    result = attribute("Nvidia a perdu près de 600 milliards de dollars [1].", shown, question, similarity)
    [found] = conflict.find(result.citations, shown, question, similarity)
    assert (found.cited.n, found.other.n) == (1, 2)
    assert found.other.quote == TECH.text
    assert TECH.text[found.other.start - TECH.start : found.other.end - TECH.start] == found.other.quote
    text = conflict.note([found], "fr")
    assert "600 milliards de dollars [1]" in text and "800 milliards de dollars [2]" in text


def test_one_note_and_one_extra_citation_per_pair_of_figures(similarity):
    twin = passage("Nvidia a perdu 600 milliards de dollars de valorisation boursière lundi.", "rikap.txt", 0)
    shown = [NV, twin, TECH]
    question = "Combien Nvidia a-t-elle perdu en bourse ?"
    result = attribute("Nvidia a perdu 600 milliards de dollars [1]. Nvidia a perdu 600 milliards de dollars de "
                       "valorisation boursière lundi [2].", shown, question, similarity)
    assert len(result.citations) == 2
    [found] = conflict.find(result.citations, shown, question, similarity)
    assert found.other.n == 3


def test_figures_on_another_subject_or_in_the_same_document_are_not_a_conflict(similarity):
    question = "Combien Nvidia a-t-elle perdu en bourse ?"
    cited = attribute("Nvidia a perdu près de 600 milliards de dollars [1].", [NV], question, similarity).citations
    assert conflict.find(cited, [NV, OTHER_TOPIC], question, similarity) == []  # euros, fundraising
    same_doc = passage(TECH.text, NV.doc, 500)
    assert conflict.find(cited, [NV, same_doc], question, similarity) == []  # one article's own figures
    params = attribute("R1 compte 671 milliards de paramètres [1].", [PARAMS], "Combien de paramètres ?",
                       similarity).citations
    assert conflict.find(params, [PARAMS, TECH], "Combien de paramètres ?", similarity) == []


def test_the_engine_answer_names_both_figures(engine):
    answer = engine.ask("Combien Nvidia a-t-elle perdu en Bourse après l'annonce de DeepSeek ?")
    assert not answer.refused and "600" in answer.answer
    n800 = next(i for i, p in enumerate(answer.retrieved, 1) if "800 milliards" in p.text)
    assert f"800 milliards de dollars [{n800}]" in answer.answer  # the other figure, said and cited
    assert n800 in {c.n for c in answer.citations}
