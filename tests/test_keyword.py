"""The keyword index: French/English analysis and the speaker context carried from the previous passage."""

import pytest

from index.keyword import KeywordIndex, analyse, names_before


def test_analysis_folds_accents_and_keeps_french_and_english_stems():
    assert {"econom", "economie"} & set(analyse("Économie")) and "le" not in analyse("le prix")
    assert set(analyse("tokens")) >= {"token"}


def test_names_before_come_from_the_previous_passage_of_the_same_document():
    texts = ["DD Dosa de Menow Ventures a écrit : « Revenus par jour.",
             "Tout cela en facturant 2,19 $. »",
             "Premier passage d'un autre texte, cité par Le Monde."]
    metas = [{"doc": "a", "char_start": 0}, {"doc": "a", "char_start": 60}, {"doc": "b", "char_start": 0}]
    # (listed out of order: the ranking is by document and offset, not by position in the list)
    order = [1, 2, 0]
    got = names_before([texts[i] for i in order], [metas[i] for i in order])
    assert got == ["Dosa Menow Ventures", "", ""]  # "DD" opens the sentence; "b" starts a document

    index = KeywordIndex(["a0", "a1", "b0"], texts, ["", "Dosa Menow Ventures", ""])
    assert [i for i, _ in index.search("selon Dosa, quel prix facturé ?", 3)][0] == "a1"
    assert [i for i, _ in KeywordIndex(["a0", "a1", "b0"], texts).search("Dosa", 3)] == ["a0"]


@pytest.mark.parametrize("question, evidence", [
    ("D'après DD Dosa, à quel tarif DeepSeek vend-il un million de tokens de R1 ?", "2,19 $"),
    ("How much does DeepSeek charge per million R1 tokens according to DD Dosa?", "2,19 $"),
    ("Which paper said Nvidia's plunge was the biggest single-day loss in market value for a listed firm?",
     "Wall Street Journal"),
])
def test_a_question_naming_who_spoke_finds_the_quote_that_does_not(engine, question, evidence):
    """The name is in the passage before (« DD Dosa … a écrit : »); the figure only in the next one."""
    passages = engine.retriever.retrieve(question)
    hits = [p for p in passages if evidence in p.text]
    assert hits, [p.text[:60] for p in passages]
    assert "Dosa" not in hits[0].text and "Nvidia" not in hits[0].text


def test_a_passage_context_is_its_byline_and_neighbours_not_its_whole_document(engine):
    """What may name a passage's subject for the citation checks (Retriever.context_stems)."""
    found = engine.retriever.retrieve("Un méga-investissement de 500 milliards de dollars dans Stargate", 10)
    letter = [p for p in found if "500 milliards" in p.text and p.doc.startswith("003")][0]
    context = engine.retriever.context_stems(letter)
    assert {"cyrie", "dozie"} <= context  # the byline, at the top of the newsletter
    assert "lucie" not in context  # a bullet further down the same newsletter
    price = [p for p in engine.retriever.retrieve("facturant 2,19 $ par million de tokens sur R1")
             if "2,19" in p.text][0]
    assert "dosa" in engine.retriever.context_stems(price) and "Dosa" not in price.text  # the passage before
