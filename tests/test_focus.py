"""An answer from passages that never mention what the question asks about is not an answer."""

import pytest

from qa.focus import (
    asked_for,
    asked_unit,
    asks_figure,
    asks_for_name,
    asks_yes_no,
    mentioned,
    names_something,
    premise,
    states_unit,
)


@pytest.mark.parametrize(("question", "focus"), [
    ("Quel est le chiffre d'affaires annuel de Nvidia ?", {"chiff", "affai"}),  # a compound noun, whole
    ("Quel est le taux de change du yuan ?", {"taux", "chang"}),
    ("Quelle est la part de marché de Nvidia ?", {"march"}),  # « de Nvidia » says whose
    ("Quel est le budget d'État de la Chine ?", {"budge"}),
    ("Quel est le coût de l'entraînement de R1 ?", {"cout"}),  # an article: a complement, not a compound
    ("Combien de salariés compte DeepSeek ?", {"salar"}),
    ("Combien d'employés compte Nvidia ?", {"emplo"}),
    ("Combien coûte l'abonnement à ChatGPT ?", {"abonn"}),  # what is priced
    ("Combien a coûté l'entraînement de DeepSeek-V3 ?", {"entra"}),
    ("How much does a single H800 chip cost?", {"h800"}),
    ("How much does Alibaba plan to spend on AI?", set()),  # not a price: no form to read
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
    assert not mentioned(revenue, ["Revenus par an : 205 millions $. Il faut nuancer ces chiffres."])
    assert mentioned(set(), ["anything"])


@pytest.mark.parametrize(("question", "asks"), [
    ("Qui a lancé DeepSeek ?", True),
    ("Selon la lettre de Cyrielle Dozières, qui évoque l'open-sourcing chez OpenAI ?", True),
    ("Quel est le nom du fonds d'investissement qui finance DeepSeek ?", True),
    ("Which newspaper noted that Nvidia's drop was the largest ever?", True),
    ("Which Australian minister urged users to be \"very careful\" with DeepSeek?", True),
    ("Selon Cecilia Rikap, à quel modèle de Meta DeepSeek R1 est-il proposé moins cher ?", True),
    ("Combien de paramètres compte R1 ?", False),
    ("Quelle image animale désigne des menaces prévisibles ?", False),  # « rhinocéros gris »: no name
])
def test_questions_that_ask_for_a_name(question, asks):
    assert asks_for_name(question) is asks


def test_an_answer_must_name_something_the_question_does_not():
    fund = "Quel est le nom du fonds d'investissement qui finance DeepSeek ?"
    assert not names_something("Le fonds qui finance DeepSeek est le titulaire du fonds [1].", fund)
    assert names_something("DeepSeek est financé par High-Flyer [1].", fund)
    who = "Selon la lettre de Cyrielle Dozières, qui évoque l'open-sourcing chez OpenAI ?"
    assert not names_something("Cyrielle Dozières [1].", who)
    assert names_something("Sam Altman évoque l'open-sourcing chez OpenAI [1].", who)


@pytest.mark.parametrize(("question", "yes_no"), [
    ("Peut-on avoir deux passeports ?", True),
    ("Un intérimaire a-t-il droit au projet de transition professionnelle (PTP) ?", True),
    ("A t-on droit plusieurs fois au prêt à taux zéro (PTZ) ?", True),  # (sic)
    ("En cas de risque professionnel, peut-on avoir une arme pour se défendre ?", True),
    ("Est-ce qu'un mineur peut ouvrir un livret d'épargne ?", True),
    ("According to Cecilia Rikap, is DeepSeek dependent on the cloud giants?", True),
    ("Did Nvidia lose 600 billion dollars?", True),
    ("Si j'appelle un numéro violet depuis mon portable, est-ce que je paie autre chose que la communication ?", True),
    # « qui », "which" opening a relative clause ask for no one
    ("Depuis mon divorce, suis-je toujours tenu d'aider mon ex-belle-mère qui a peu de revenus ?", True),
    ("Dois-je payer la taxe quand je vends ?", True),
    # the asking sentence comes after a statement
    ("I'm 27 and lost my census certificate (attestation de recensement). Can I get another document instead?", True),
    ("D'après la lettre de Cyrielle Dozières, qu'est-ce qui accélère la « kill chain » ?", False),
    ("Sait-on qui a fondé DeepSeek ?", False),
    ("Can you tell me who founded DeepSeek?", False),
    ("À qui dois-je écrire ?", False),
    ("Qui peut effectuer un vaccin ?", False),
    ("Quel modèle allemand la lettre de Cyrielle Dozières cite-t-elle comme un succès ?", False),
    ("En quelle année la start-up DeepSeek a-t-elle été fondée ?", False),
    ("Qu'est-ce que la médiation familiale ?", False),
    ("How much does DeepSeek charge per million tokens?", False),
])
def test_questions_answered_by_yes_or_no(question, yes_no):
    assert asks_yes_no(question) is yes_no


@pytest.mark.parametrize(("question", "taken"), [
    ("Pourquoi Nvidia a-t-elle attaqué DeepSeek en justice ?", {"attaq", "justi"}),  # names aside
    ("Why did Nvidia lose so much market value?", {"lose", "marke", "value"}),
    ("Combien Nvidia a-t-elle perdu ?", set()),  # not a why-question
])
def test_what_a_why_question_takes_for_granted(question, taken):
    assert premise(question) == taken


@pytest.mark.parametrize(("question", "answer", "ok"), [
    ("How many days do I have to cancel an online order?", "You have 2 years to cancel it.", False),
    ("Combien de jours ai-je pour me rétracter ?", "Vous avez 14 jours.", True),
    ("Combien de mois le CPI est-il valable ?", "Il est valable un mois.", True),
    ("How many months is the temporary certificate valid?", "It is valid for 1 mois.", True),
    ("Combien d'années faut-il attendre ?", "Il faut attendre 3 ans.", True),
    ("Combien d'années faut-il attendre ?", "Il faut attendre 3 mois.", False),
])
def test_a_figure_asked_in_a_unit_comes_in_that_unit(question, answer, ok):
    assert states_unit(answer, asked_unit(question)) is ok


def test_questions_without_a_unit_ask_none():
    assert asked_unit("Combien Nvidia a-t-elle perdu ?") is None


@pytest.mark.parametrize(("question", "figure"), [
    ("Combien Nvidia a-t-elle perdu ?", True),
    ("Dans quel délai mon propriétaire doit-il me rendre mon dépôt de garantie ?", True),
    ("Quelle marge bénéficiaire OpenAI dégage-t-elle sur ses services d'inférence ?", True),
    ("À quel âge doit-on se faire recenser ?", True),
    ("How long is the temporary certificate valid?", True),
    ("What margin does OpenAI make?", True),
    ("Quel modèle allemand la lettre cite-t-elle comme un succès ?", False),
    ("Qui a fondé DeepSeek ?", False),
])
def test_questions_asking_for_a_figure(question, figure):
    assert asks_figure(question) is figure
