"""An answer from passages that never mention what the question asks about is not an answer."""

import pytest

from qa.focus import asked_for, mentioned


@pytest.mark.parametrize(("question", "focus"), [
    ("Quel est le chiffre d'affaires annuel de Nvidia ?", {"chiff"}),
    ("Combien de salariés compte DeepSeek ?", {"salar"}),
    ("Combien d'employés compte Nvidia ?", {"emplo"}),
    ("Quel est le nom du fonds qui finance DeepSeek ?", {"fonds"}),  # « nom » says how, not what
    ("How many parameters does the largest R1 model have?", {"param"}),
    ("Pendant combien de temps l'Occident a-t-il compté sur ses sanctions ?", set()),  # a duration
    ("Qui a fondé DeepSeek ?", set()),
])
def test_what_the_question_asks_for(question, focus):
    assert asked_for(question) == focus


def test_the_passages_must_mention_it():
    revenue = asked_for("Quel est le chiffre d'affaires annuel de Nvidia ?")
    assert not mentioned(revenue, ["Nvidia a perdu 600 milliards de dollars de valorisation boursière."])
    assert mentioned(revenue, ["Le chiffre d'affaires de Nvidia a atteint 60 milliards de dollars."])
    assert mentioned(set(), ["anything"])
