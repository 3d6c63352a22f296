"""The keyword index: analysis in any language and the speaker context carried from the previous passage."""

import pytest

from index.keyword import KeywordIndex, analyse, names_before, passage_languages


def test_analysis_stems_in_the_text_language_and_folds_accents():
    assert analyse("Économie des données", "fr") == ["econom", "don"]  # « des »: a stop-word in bm25s' list
    assert analyse("tokens", "en") == ["token"]
    assert analyse("Les économies", "fr", ["en"]) == ["econom", "economi"]  # both stems kept
    assert analyse("новый красивой", "ru") == ["нов", "красив"]  # stemmed before « й » is folded
    assert analyse("弗雷斯诺西侧") == ["弗雷", "雷斯", "斯诺", "诺西", "西侧"]  # no stemmer: bigrams
    assert analyse("Wie viel kostet das Training?") == ["kost", "training"]  # German, detected


def test_passage_language_is_told_once_per_document():
    ids = ["a#0", "a#1", "b#0", "loose"]
    texts = ["Le prix de l'entraînement a été publié lundi par la société.", "It was cheap.",
             "这是一个中文句子，讲的是模型训练。", "Сколько стоило обучение модели?"]
    assert passage_languages(ids, texts) == ["fr", "fr", "zh", "ru"]


def test_questions_find_passages_in_every_script():
    texts = ["DeepSeek facture 2,19 dollars par million de tokens pour son modèle R1.",
             "Le musée Victoria et Albert a été fondé en 1852 à Londres.",
             "弗雷斯诺的“西侧”，常被称为“弗雷斯诺西南”，是该市最古老的街区之一。",
             "Чёрная смерть унесла жизни от 75 до 200 миллионов человек в Евразии.",
             "وصلت سرعة الرياح إلى 70 ميلًا في الساعة عند بلوغها اليابسة بالقرب من جاكسونفيل.",
             "La peste negra se propagó a través de los Países Bajos desde 1350."]
    ids = [f"d{i}#0" for i in range(len(texts))]
    index = KeywordIndex(ids, texts)
    for question, expected in [
        ("How much does DeepSeek charge per million tokens?", "d0#0"),  # English over French: cognates
        ("弗雷斯诺西侧的另一个名字是什么？", "d2#0"),
        ("Сколько людей унесла чёрная смерть?", "d3#0"),
        ("ما هي سرعة الرياح في جاكسونفيل؟", "d4#0"),
        ("¿Desde cuándo se propagó la peste en los Países Bajos?", "d5#0"),
    ]:
        assert index.search(question, 3)[0][0] == expected, question


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
