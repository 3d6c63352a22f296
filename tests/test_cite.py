"""Citation attribution never trusts the model's markers: it checks them against the passages, in any script."""

from qa.cite import attribute, best_sentences, strip_markers
from qa.schema import Passage


def passage(text: str, doc: str = "a.txt", start: int = 0) -> Passage:
    return Passage(doc=doc, start=start, end=start + len(text), score=0.8, text=text)


P1 = passage("Le ciel est bleu ce matin. Nvidia a perdu près de 600 milliards de dollars lundi.", "nv.txt", 100)
P2 = passage("DeepSeek a été lancé par Liang Wenfeng, un ingénieur de 40 ans. Il vit à Hangzhou.", "ds.txt", 50)


def test_wrong_marker_is_reattributed_to_the_supporting_passage():
    result = attribute("Nvidia a perdu 600 milliards de dollars [2].", [P1, P2], "Combien Nvidia a perdu ?")
    assert result.text == "Nvidia a perdu 600 milliards de dollars [1]."
    [c] = result.citations
    assert (c.n, c.doc) == (1, "nv.txt")
    assert c.quote == "Nvidia a perdu près de 600 milliards de dollars lundi."
    assert P1.text[c.start - P1.start : c.end - P1.start] == c.quote


def test_missing_markers_are_added_per_sentence():
    result = attribute("DeepSeek a été lancé par Liang Wenfeng. Nvidia a perdu 600 milliards.", [P1, P2])
    assert result.text == "DeepSeek a été lancé par Liang Wenfeng [2]. Nvidia a perdu 600 milliards [1]."
    assert [c.n for c in result.citations] == [1, 2]
    assert result.support >= 0.5 and result.supported_sentences == 2


def test_a_number_absent_from_every_passage_is_unsupported():
    result = attribute("Nvidia a perdu 800 milliards de dollars [1].", [P1, P2], "Combien Nvidia a perdu ?")
    assert result.citations == [] and result.supported_sentences == 0
    assert result.unsupported == [(0, len(result.text))]
    assert result.support == 0.0


def test_citation_numbers_beyond_the_shown_passages_are_dropped():
    result = attribute("Liang Wenfeng a lancé DeepSeek [7].", [P1, P2], "Qui a fondé DeepSeek ?")
    assert result.text == "Liang Wenfeng a lancé DeepSeek [2]."
    assert [c.n for c in result.citations] == [2]


def test_unrelated_sentence_is_flagged_not_cited():
    result = attribute("Liang Wenfeng a 40 ans [2]. Le siège est à Paris et compte 300 salariés.", [P1, P2])
    assert result.supported_sentences == 1
    s, e = result.unsupported[0]
    assert result.text[s:e] == "Le siège est à Paris et compte 300 salariés."
    assert result.support == 0.0  # the weakest sentence: a figure no passage states


def test_marker_variants_are_recognised():
    assert strip_markers("Oui [1, 3] et [Extrait 2].") == ("Oui et.", [1, 3, 2])
    assert strip_markers("Voir [1], [4] puis [2][3].") == ("Voir puis.", [1, 4, 2, 3])
    assert strip_markers("是的【2】。") == ("是的。", [2])
    assert strip_markers("Les tests [n] et la liste [a] restent.") == ("Les tests [n] et la liste [a] restent.", [])


def test_a_sentence_joining_two_facts_cites_each_clause_where_it_is_stated():
    nvidia = passage("Nvidia a perdu 600 milliards de dollars en une journée.", "rikap.txt", 0)
    giants = passage("NVIDIA et les autres géants tech ont perdu 800 milliards de dollars.", "lettre.txt", 0)
    # The model's markers are swapped: each clause is re-attributed on its own.
    result = attribute("Nvidia a perdu 600 milliards de dollars [2], et les autres géants tech 800 milliards [1].",
                       [nvidia, giants], "Quelles pertes ?")
    assert result.supported_sentences == 1 and not result.unsupported
    assert result.text == "Nvidia a perdu 600 milliards de dollars [1], et les autres géants tech 800 milliards [2]."


def test_a_restatement_of_the_question_is_not_an_answer():
    result = attribute("Le fonds qui finance DeepSeek est le fonds qui finance DeepSeek [2].", [P1, P2],
                       "Quel est le fonds qui finance DeepSeek ?")
    assert result.supported_sentences == 0 and result.citations == []


def test_an_invented_name_is_weakly_supported():
    result = attribute("DeepSeek a été lancé par Zhang Wei [2].", [P1, P2], "Qui a lancé DeepSeek ?")
    right = attribute("DeepSeek a été lancé par Liang Wenfeng [2].", [P1, P2], "Qui a lancé DeepSeek ?")
    assert result.support < 0.5 <= right.support
    assert result.citations == [] and [c.n for c in right.citations] == [2]


def test_chinese_answers_are_supported_by_character_overlap():
    zh = passage("弗雷斯诺的“西侧”，常被称为“弗雷斯诺西南”，是该市最古老的街区之一。平均每户规模是 3.07 人。",
                 "zh.txt", 10)
    other = passage("科尔尼大道是弗雷斯诺的一条大街。", "zh2.txt")
    result = attribute("它被称为弗雷斯诺西南。", [other, zh], "弗雷斯诺西侧的另一个名字是什么？")
    assert [(c.n, c.doc) for c in result.citations] == [(2, "zh.txt")]
    assert result.citations[0].quote == "弗雷斯诺的“西侧”，常被称为“弗雷斯诺西南”，是该市最古老的街区之一。"
    assert result.text == "它被称为弗雷斯诺西南 [2]。"
    wrong = attribute("平均每户规模是 4.5 人。", [other, zh], "平均每户规模是多少人？")
    assert wrong.supported_sentences == 0


def test_figures_in_other_digits_support_the_same_number():
    ar = passage("بلغ عدد السكان ١٢٥ ألف نسمة في عام ٢٠١٠.", "ar.txt")
    result = attribute("بلغ عدد السكان 125 ألف نسمة [1].", [ar], "كم عدد السكان؟")
    assert [c.n for c in result.citations] == [1]
    assert attribute("بلغ عدد السكان 130 ألف نسمة [1].", [ar], "كم عدد السكان؟").citations == []


def test_russian_answers_are_supported():
    ru = passage("Чёрная смерть достигла Англии в 1348 году. Она убила от 30 до 60 процентов населения.", "ru.txt")
    result = attribute("Чёрная смерть убила от 30 до 60 процентов населения [1].", [ru], "Сколько людей убила чума?")
    assert [c.quote for c in result.citations] == ["Она убила от 30 до 60 процентов населения."]


def test_search_mode_quotes_the_best_sentence_of_each_passage():
    cites = best_sentences("Combien Nvidia a-t-elle perdu lundi ? Qui a lancé DeepSeek ?", [P1, P2])
    assert [(c.n, c.quote) for c in cites] == [
        (1, "Nvidia a perdu près de 600 milliards de dollars lundi."),
        (2, "DeepSeek a été lancé par Liang Wenfeng, un ingénieur de 40 ans."),
    ]


def test_a_translation_is_supported_by_meaning(indexed):
    from functools import partial

    from index.embedder import similarity

    sims = partial(similarity, indexed.embed)
    question = "What profit margin did DeepSeek claim?"
    margin = passage("L'entreprise a fait parler d'elle lorsqu'elle a revendiqué une marge bénéficiaire de 55% tout "
                     "en proposant certains des services d'inférence les moins chers du secteur.", "marge.txt")
    english = "DeepSeek claimed a 55% profit margin while offering some of the cheapest inference services."
    assert attribute(english, [P1, margin], question).citations == []  # no shared words
    assert [c.n for c in attribute(english, [P1, margin], question, sims, cross_lingual=True).citations] == [2]
    invented = "DeepSeek claimed a 55% profit margin thanks to its Martian data centres."
    assert attribute(invented, [P1, margin], question, sims, cross_lingual=True).citations == []


def test_a_list_numbering_is_no_figure_to_support():
    rules = passage("Vous devez remplir le formulaire en ligne. Vous devez ensuite joindre un justificatif.", "r.txt")
    result = attribute("Pour cela :\n1. Vous devez remplir le formulaire en ligne.\n2. Vous devez ensuite joindre "
                       "un justificatif.", [rules], "Comment faire ?")
    assert result.supported_sentences == 2 and result.support > 0.5 and not result.unsupported
    assert result.text == ("Pour cela :\n1. Vous devez remplir le formulaire en ligne [1].\n2. Vous devez ensuite "
                           "joindre un justificatif [1].")
