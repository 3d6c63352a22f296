"""Citation attribution never trusts the model's markers: it checks them against the passages."""

from qa.cite import attribute, strip_markers
from qa.schema import Passage
from qa.text import numbers, stems


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


def test_a_number_absent_from_every_passage_is_unsupported():
    result = attribute("Nvidia a perdu 800 milliards de dollars [1].", [P1, P2], "Combien Nvidia a perdu ?")
    assert result.citations == [] and result.supported_sentences == 0
    assert result.unsupported == [(0, len(result.text))]


def test_citation_numbers_beyond_the_shown_passages_are_dropped():
    result = attribute("Le fondateur est Liang Wenfeng [7].", [P1, P2], "Qui a fondé DeepSeek ?")
    assert "[7]" not in result.text
    assert all(1 <= c.n <= 2 for c in result.citations)


def test_unrelated_sentence_is_flagged_not_cited():
    result = attribute("Liang Wenfeng a 40 ans [2]. Le siège est à Paris et compte 300 salariés.", [P1, P2])
    assert result.supported_sentences == 1
    s, e = result.unsupported[0]
    assert result.text[s:e] == "Le siège est à Paris et compte 300 salariés."


def test_marker_variants_are_recognised():
    assert strip_markers("Oui [1, 3] et [Extrait 2].") == ("Oui.", [1, 3, 2])  # one run of markers
    assert strip_markers("Voir les extraits [1] and [4], puis [2][3].") == ("Voir les extraits, puis.", [1, 4, 2, 3])
    assert strip_markers("Les tests [n] et la liste [a] restent.") == ("Les tests [n] et la liste [a] restent.", [])


def test_a_sentence_joining_two_facts_cites_both_passages():
    nvidia = passage("Nvidia a perdu 600 milliards de dollars en une journée.", "rikap.txt", 0)
    giants = passage("NVIDIA et les autres géants tech ont perdu 800 milliards de dollars.", "lettre.txt", 0)
    result = attribute("Rikap parle de 600 milliards pour Nvidia, tandis que la lettre compte 800 milliards "
                       "pour les géants tech.", [nvidia, giants], "Quelles pertes ?")
    assert result.supported_sentences == 1 and not result.unsupported
    assert result.text == ("Rikap parle de 600 milliards pour Nvidia [1], tandis que la lettre compte "
                           "800 milliards pour les géants tech [2].")


def test_a_restatement_of_the_question_is_not_an_answer():
    result = attribute("Le fonds qui finance DeepSeek est le fonds qui finance DeepSeek [2].", [P1, P2],
                       "Quel est le fonds qui finance DeepSeek ?")
    assert result.supported_sentences == 0 and result.citations == []


def test_names_the_passage_does_not_contain_are_unsupported():
    result = attribute("The New York Times reported it [1].", [P1], "Which newspaper reported that Nvidia lost?")
    assert result.supported_sentences == 0


def test_a_loose_name_in_the_question_does_not_rule_out_the_best_document():
    # « Washington » stands for the US government; the answering letter never writes it.
    best = passage("Un méga-investissement de 500 milliards de dollars. Absence remarquée d’Elon Musk, qui "
                   "critique le budget.", "lettre.txt")
    other = passage("La Maison-Blanche a annoncé Stargate à Washington.", "lemonde.txt", 300)
    question = "Quel entrepreneur, tenu à l'écart du plan de Washington, en a contesté l'enveloppe ?"
    result = attribute("Elon Musk en a contesté l'enveloppe [1].", [best, other], question)
    assert [(c.n, c.doc) for c in result.citations] == [(1, "lettre.txt")]


def test_a_name_the_best_document_confirms_is_still_required():
    rikap = passage("Selon Cecilia Rikap, Nvidia a perdu 600 milliards de dollars.", "rikap.txt")
    other = passage("Nvidia a perdu 800 milliards de dollars avec les autres géants.", "lettre.txt", 100)
    result = attribute("Nvidia a perdu 800 milliards de dollars [2].", [rikap, other],
                       "Selon Cecilia Rikap, combien Nvidia a-t-elle perdu ?")
    assert result.supported_sentences == 0  # the other document does not speak for Rikap


def test_english_names_of_french_words_are_found_and_other_names_are_not():
    note = passage("Ce texte a d’abord été publié en espagnol pour la revue Nueva sociedad, lundi.")
    question = "In what language was Cecilia Rikap's text first published?"
    assert attribute("It was first published in Spanish on Monday [1].", [note], question).supported_sentences == 1
    assert attribute("It was first published in Portuguese [1].", [note], question).supported_sentences == 0
    assert attribute("It was first published in Spanish on Friday [1].", [note], question).supported_sentences == 0


def test_a_figure_the_passage_spells_out_is_supported():
    loss = passage("Toutes ont chuté, entraînant une perte totale d’un trillion de dollars en une seule journée.")
    result = attribute("La perte totale est de 1 trillion de dollars.", [loss], "À combien s'élève la perte totale ?")
    assert result.supported_sentences == 1 and result.citations[0].n == 1
    crisis = passage("Meta a déjà mis en place quatre « centres de crise » pour décortiquer DeepSeek.")
    assert attribute("Meta a mis en place 4 centres de crise.", [crisis], "Combien de centres ?").citations
    assert not attribute("Meta a mis en place 5 centres de crise.", [crisis], "Combien de centres ?").citations


def test_digits_of_a_name_are_no_figure():
    assert numbers("R1, GPT-4 et Llama-3.1") == set()
    assert numbers("les puces H800 et B200") == set()  # not "800", nor the "0" after H8
    assert numbers("2,19 $ par million, 1 000 milliards, 3%") == {"2.19", "1000", "3"}
    assert numbers("un trillion, quatre centres, un modèle neuf", spelled=True) == {"1", "4"}


STAGE = passage("Oui, une administration peut accueillir un élève ou un étudiant en stage. Une convention est "
                "rédigée entre le stagiaire et l'administration.", "stage.txt")
CONTRATS = passage("Les anciens contrats aidés signés restent valables jusqu'à leur terme. Lorsqu'ils sont à durée "
                   "déterminée, ils ne peuvent plus être renouvelés.", "contrats.txt")


def test_a_yes_no_answer_restating_the_question_is_supported_by_a_passage_that_says_it():
    q = "Un étudiant peut-il faire un stage dans l'administration ?"
    for answer in ("Oui, un étudiant peut faire un stage dans l'administration [1].",
                   "Un étudiant peut faire un stage dans l'administration [1]."):  # « oui » left implicit
        result = attribute(answer, [STAGE], q, yes_no=True)
        assert result.supported_sentences == 1 and [c.quote for c in result.citations] == [
            "Oui, une administration peut accueillir un élève ou un étudiant en stage."]
    # The same restatement, for a question that is not yes/no, adds nothing: no answer.
    assert attribute("Un étudiant peut faire un stage dans l'administration [1].", [STAGE], q).supported_sentences == 0
    negative = attribute("Non, à durée déterminée, ils ne peuvent plus être renouvelés [1].", [CONTRATS],
                         "Un ancien contrat aidé peut-il être renouvelé ?", yes_no=True)
    assert negative.supported_sentences == 1 and "ne peuvent plus" in negative.citations[0].quote


def test_a_yes_no_answer_with_the_wrong_polarity_or_a_bare_yes_is_unsupported():
    q = "Un étudiant peut-il faire un stage dans l'administration ?"
    for answer in ("Non, un étudiant ne peut pas faire un stage dans l'administration [1].",  # the passage says yes
                   "Oui [1].",  # says nothing the passage could support
                   "Oui, un étudiant peut devenir ministre [1]."):  # half of it is on the subject: not enough
        assert attribute(answer, [STAGE], q, yes_no=True).supported_sentences == 0, answer


LUCIE = passage("Après le flop du LLM FR Lucie, l'Europe semble cantonnée à la régulation.", "lettre.txt", 1450)
STARGATE = passage("Un méga-investissement de 500 milliards de dollars. Absence remarquée d'Elon Musk, qui critique "
                   "le budget.", "lettre.txt", 420)


def test_a_question_name_only_found_elsewhere_in_the_document_does_not_bind_a_figure_to_it():
    """A newsletter's bullet on Lucie says nothing about its bullet on Stargate's budget: the passage
    stating the figure must name the subject itself or in its context (byline, neighbouring passages)."""
    question = "Quel est le budget du modèle français Lucie ?"
    answer = "Le budget de Lucie est de 500 milliards de dollars [1]."
    shown = [LUCIE, STARGATE]
    # The context the retriever gives each bullet (its neighbours hold neither word) vs the whole document.
    assert attribute(answer, shown, question, context_stems=lambda p: set()).supported_sentences == 0
    # Even with the whole document as context: the sentence stating the figure must name Lucie, or one next to it.
    whole_doc = stems(LUCIE.text + " " + STARGATE.text)
    assert attribute(answer, shown, question, context_stems=lambda p: whole_doc).supported_sentences == 0


def test_a_question_about_two_subjects_is_answered_by_a_passage_for_each():
    whitney = passage("Le président Trump a annoncé Stargate, 500 milliards de dollars, écrit Mike Whitney.", "w.txt")
    alibaba = passage("Alibaba va consacrer 53 milliards de dollars aux centres de données.", "g.txt", 900)
    question = ("Quel montant Trump a-t-il annoncé pour Stargate selon Mike Whitney, et combien Alibaba "
                "compte-t-il consacrer aux centres de données ?")
    result = attribute("Trump a annoncé 500 milliards de dollars pour Stargate, tandis qu'Alibaba compte consacrer "
                       "53 milliards de dollars aux centres de données.", [alibaba, whitney], question)
    assert result.supported_sentences == 1 and sorted(c.n for c in result.citations) == [1, 2]


# Two companies in one passage, each with its own figure (the corpus's wording).
HONOR = passage("Ces nouvelles surviennent alors que les investissements chinois s’intensifient. Honor, fabricant de "
                "smartphones, a annoncé un budget R&D de 10 milliards de dollars sur les 5 prochaines années. "
                "La société prévoit d’entrer en bourse. Tencent et Alibaba affirment avoir des modèles qui "
                "surpassent le R1.", "froide.txt", 900)


def test_a_figure_is_bound_to_the_company_the_sentence_stating_it_names():
    """The passage names Tencent and states 10 billion, but the 10 billion are Honor's: an answer giving
    them to Tencent is unsupported, the same answer about Honor is supported."""
    assert attribute("Tencent a annoncé un budget R&D de 10 milliards de dollars [1].", [HONOR],
                     "Quel budget de R&D Tencent a-t-il annoncé ?").supported_sentences == 0
    assert attribute("Honor a annoncé un budget R&D de 10 milliards de dollars [1].", [HONOR],
                     "Quel budget de R&D Honor a-t-il annoncé ?").supported_sentences == 1


def test_a_figure_in_words_is_bound_too():
    meta = passage("Selon le site The Information, Meta a déjà mis en place quatre « centres de crise » pour analyser "
                   "le phénomène DeepSeek. DeepSeek n'a pas fini d'étonner. Google et Amazon observent.", "b.txt", 300)
    question = "Combien de centres de crise Google a-t-il mis en place pour analyser DeepSeek ?"
    assert attribute("Google a mis en place quatre centres de crise [1].", [meta], question).supported_sentences == 0
    question = "Combien de centres de crise Meta a-t-il mis en place pour analyser DeepSeek ?"
    assert attribute("Meta a mis en place quatre centres de crise [1].", [meta], question).supported_sentences == 1


def test_a_speaker_named_a_sentence_earlier_or_by_a_source_clause_still_supports():
    dunmon = passage("Dunmon a commenté qu’un effet secondaire de la croissance de DeepSeek est qu’elle pourrait "
                     "donner à la Chine du pouvoir. Il a suggéré que l’influence de l’IA chinoise pourrait être "
                     "encore plus puissante que TikTok.", "froide.txt", 5000)
    result = attribute("Jared Dunmon compare l'influence de l'IA chinoise au réseau social TikTok [1].", [dunmon],
                       "À quel réseau social Jared Dunmon compare-t-il l'influence de l'IA chinoise ?",
                       context_stems=lambda p: stems("Jared Dunmon, ancien directeur de l’IA au Pentagone"))
    assert result.supported_sentences == 1
    # « selon X » names the source, which the passage's context (here the passage before) must name, not the
    # sentence stating the figure.
    price = passage("Ils ont mis au point un modèle qui égale o1 d'OpenAI, et ils ne demandent que 3% du prix.")
    result = attribute("Selon l'analyste Arnaud Bertrand, DeepSeek demande 3% du prix d'OpenAI [1].", [price],
                       "Selon Arnaud Bertrand, quelle part du prix d'OpenAI DeepSeek demande-t-il ?",
                       context_stems=lambda p: stems("l'analyste politique Arnaud Bertrand a publié sur DeepSeek :"))
    assert result.supported_sentences == 1


def test_a_yes_no_answer_is_not_drawn_from_the_rule_when_the_next_sentence_makes_the_case_asked_an_exception():
    widow = passage("Oui, vous pouvez continuer à utiliser le nom de votre époux décédé comme nom d'usage. "
                    "Toutefois, ce n'est plus possible en cas de remariage.", "F12521.txt")
    question = "Je vais me remarier : pourrai-je garder le nom de mon époux décédé ?"
    assert attribute("Oui, vous pouvez continuer à utiliser le nom de votre époux décédé [1].", [widow], question,
                     yes_no=True).supported_sentences == 0
    assert attribute("Non, ce n'est plus possible en cas de remariage [1].", [widow], question,
                     yes_no=True).supported_sentences == 1
    # A neighbour with the other polarity does not complete the claim either.
    leave = passage("Le salarié peut demander un congé sans solde à son employeur. L'employeur n'a pas l'obligation "
                    "légale d'accorder ce congé.", "F10431.txt")
    question = "Mon employeur est-il obligé d'accepter mon congé sans solde ?"
    assert attribute("Oui, l'employeur a l'obligation d'accorder le congé sans solde [1].", [leave], question,
                     yes_no=True).supported_sentences == 0


def test_one_month_is_a_figure():
    assert numbers("pendant un mois", spelled=True) == {"1"} == numbers("for one month", spelled=True)
    assert numbers("un homme et une femme", spelled=True) == set()


def test_english_titles_of_french_offices_are_names_the_passage_states():
    decree = passage("Il est signé par le Président de la République et contresigné par le Premier ministre et par le "
                     "ministre de la justice.", "F780.txt")
    result = attribute("The Prime Minister and the Minister of Justice countersign it [1].", [decree],
                       "Besides the President, who countersigns a pardon decree?", cross_lingual=True)
    assert result.supported_sentences == 1


def test_a_figure_stated_for_several_names_together_is_none_of_theirs_alone():
    stargate = passage("Un méga-investissement de 500 milliards de dollars, impliquant OpenAI, SoftBank, Oracle, "
                       "NVIDIA et MGX. Absence remarquée d’Elon Musk, qui critique le budget.", "lettre.txt", 420)
    assert attribute("SoftBank has committed $500 billion to Stargate [1].", [stargate],
                     "How much money has SoftBank committed to Stargate?", cross_lingual=True).supported_sentences == 0
    # A bare figure is the figure of whom the question names.
    assert attribute("500 milliards de dollars [1].", [stargate], "Combien Nvidia investit-elle dans Stargate ?"
                     ).supported_sentences == 0
    # Said as the joint figure it is, it stands.
    assert attribute("OpenAI, SoftBank, Oracle, NVIDIA et MGX investissent 500 milliards de dollars [1].", [stargate],
                     "Combien SoftBank investit-il dans Stargate ?").supported_sentences == 1


def test_a_figure_with_a_unit_of_time_needs_that_unit_in_the_passage():
    q = "Combien de temps le récépissé est-il valable ?"
    conditions = passage("Le récépissé est remis au guichet de la préfecture. Vous devez remplir les 3 conditions "
                         "suivantes pour le renouvellement.", "conditions.txt")
    validity = passage("Vous recevez un récépissé valable 3 mois.", "recepisse.txt", 400)
    answer = "Le récépissé est valable 3 mois [1]."
    assert attribute(answer, [conditions], q).supported_sentences == 0  # « 3 conditions » are no 3 months
    result = attribute(answer, [conditions, validity], q)
    assert [(c.n, c.quote) for c in result.citations] == [(2, "Vous recevez un récépissé valable 3 mois.")]
    # a duration the question gives is the question's
    assert attribute("Après 2 ans de mariage, le récépissé est remis au guichet [1].", [conditions],
                     "Après 2 ans de mariage, où le récépissé est-il remis ?").supported_sentences == 1
    # the figure in words, the unit after an adjective
    plan = passage("Alibaba consacrera 53 milliards de dollars à l'IA au cours des trois prochaines années.", "ali.txt")
    assert attribute("Alibaba consacrera 53 milliards de dollars à l'IA sur les 3 prochaines années [1].", [plan],
                     "Combien Alibaba va-t-il dépenser ?").supported_sentences == 1


def test_a_figure_is_supported_only_where_the_passage_says_what_it_measures():
    fees = passage("Les tarifs d'interrogation du fichier des testaments sont les suivants :\nDepuis la France\n"
                   "L'interrogation du FCDDV coûte 18 €.\nDepuis un Dom\nL'interrogation du FCDDV coûte 16,28 €.",
                   "F15009.txt")
    q = "Combien le notaire facture-t-il pour enregistrer mon testament ?"
    # 16,28 € is what a query from overseas costs: nothing next to it is about a notary or registering
    answer = "Le notaire facture 16,28 € pour enregistrer mon testament [1]."
    assert attribute(answer, [fees], q).supported_sentences == 0
    asked = "Combien coûte l'interrogation du FCDDV depuis un Dom ?"
    assert attribute("L'interrogation du FCDDV coûte 16,28 € depuis un Dom [1].", [fees], asked).citations


def test_a_figure_that_answers_the_question_needs_more_than_one_of_its_words_next_to_it():
    arrears = passage("Le propriétaire peut réclamer pendant 3 ans tout impayé de charges ou de loyers, y compris "
                      "après le départ du locataire.", "F479.txt")
    deposit = passage("Le propriétaire doit restituer le dépôt de garantie dans un délai maximal de 2 mois.", "F31.txt")
    q = "Dans quel délai mon propriétaire doit-il me rendre mon dépôt de garantie ?"
    # « propriétaire » alone: 3 years is how long arrears can be claimed, not the deposit's deadline
    wrong = "Le propriétaire doit rendre le dépôt de garantie dans 3 ans [1]."
    assert attribute(wrong, [arrears], q).supported_sentences == 0
    assert attribute("Le propriétaire doit rendre le dépôt de garantie dans 2 mois [1].", [deposit], q).citations
    # a question that does not ask for a figure: one of its words next to the figure is enough, as before
    told = "Que dit la fiche sur les droits du propriétaire ?"
    assert attribute("Le propriétaire peut réclamer les impayés pendant 3 ans [1].", [arrears], told).citations
