"""What a question asks for (« combien de salariés », « quel est le chiffre d'affaires »), so that an answer
drawn from passages that never mention it is refused: a passage about Nvidia's market-value loss does
not give Nvidia's revenue, however well the model's sentence matches it.
"""

from __future__ import annotations

import re

from qa.text import STOP, fold, numbers, stems

_ASKED = re.compile(
    r"\b(?:combien\s+(?:de\s+|d['’]\s*)|how\s+many\s+|quel(?:le)?s?\s+(?:est|sont|était|étaient)\s+"
    r"(?:le\s+|la\s+|les\s+|l['’]\s*)|what\s+(?:is|was|are|were)\s+(?:the\s+)"
    # « combien coûte l'abonnement à ChatGPT », "how much does a chip cost": the thing priced
    r"|combien\s+(?:a\s+|ont\s+)?(?:co[uû]t(?:e|ent|é)|vau[tx]|valent)\s+(?:le\s+|la\s+|les\s+|l['’]\s*|une?\s+)?"
    r"|how\s+much\s+(?:does|did|do|will)\s+(?=(?:[\w-]+\s+){1,5}cost\b)(?:the\s+|an?\s+)?)"
    r"((?:[\w-]+\s+){0,3}[\w-]+)",
    re.IGNORECASE,
)
# Words that say how something is measured or named, not what it is: the next word is the subject.
_GENERIC = {"nom", "nombre", "montant", "part", "pourcentage", "type", "genre", "name", "number",
            "amount", "percentage", "share", "kind", "total", "somme", "valeur", "value"}
_DURATION = {"temps", "fois", "time", "times"}  # « combien de temps »: no subject to look for
_QUALIFIER = {"single", "each", "every", "seul", "seule", "chaque"}  # "a single chip": the chip is asked


# A French compound noun « X de Y » / « X d'Y » without an article (« chiffre d'affaires », « taux de
# change »): the second noun is part of what is asked; « chiffres » alone is found in any passage.
# Not a capitalised Y: « marché de Nvidia » names whose market it is.
_COMPOUND = re.compile(r"\s*(?:de\s+|d['’]\s*)([^\W\d_][\w-]{2,})")


def asked_for(question: str) -> set[str]:
    """Stems of the noun the question asks about, or an empty set when it has no such form."""
    m = _ASKED.search(question)
    if not m:
        return set()
    for word in re.finditer(r"[\w-]+", m.group(1)):
        folded = fold(word.group())
        if folded in _DURATION:
            return set()
        if folded in STOP or len(folded) < 3 or folded in _GENERIC or folded in _QUALIFIER:
            continue
        compound = _COMPOUND.match(question, m.start(1) + word.end())
        second = compound.group(1) if compound and compound.group(1)[0].islower() else ""
        return stems(folded) | stems(second)
    return set()


def mentioned(focus: set[str], texts: list[str]) -> bool:
    return not focus or focus <= stems(" ".join(texts))


_WHY = re.compile(r"^\W*(?:pourquoi|why|how\s+come|comment\s+se\s+fait-il)\b", re.IGNORECASE)


def premise(question: str) -> set[str]:
    """What a why-question takes for granted (« Pourquoi Nvidia a-t-elle attaqué DeepSeek en justice ? »:
    attaqué, justice), as stems without its names; empty for other questions. An answer explaining it is
    drawn from passages that must say it happened — at least half of these words — or it explains a fiction."""
    if not (m := _WHY.match(question)):
        return set()
    rest = question[m.end():]
    names = {w for w in re.findall(r"[\w'’-]+", rest) if w[:1].isupper()}
    return stems(" ".join(w for w in re.findall(r"[\w'’-]+", rest) if w not in names))


# Questions that ask for a quantity, a duration or a date (« dans quel délai », « quelle marge »).
_ASKS_FIGURE = re.compile(
    r"\b(combien|quel(le)?s? (montant|pourcentage|prix|somme|âge|nombre|part|chiffre|délai|durée|taux|marge|coût"
    r"|budget)|en quelle année|how (many|much|old|long)"
    r"|what (percentage|amount|price|share|year|date|age|margin|cost|budget|rate)|in what year|on what date)\b",
    re.IGNORECASE,
)


def asks_figure(question: str) -> bool:
    return bool(_ASKS_FIGURE.search(question))


# Questions whose answer is a name: who, « quel est le nom », which company / newspaper / model…
_ASKS_NAME = re.compile(
    r"(?:^\s*|,\s*)(?:qui|who)\b|\b(?:quel(?:le)?s?\s+(?:est|sont|était)\s+le\s+nom|what\s+(?:is|was)"
    r"\s+the\s+name|(?:quel(?:le)?s?|which|what)\s+(?:[\w-]+\s+)?(?:journal|quotidien|newspaper|entreprise|company|soci[ée]t[ée]"
    r"|start-?up|firme|firm|mod[èe]le|model|pays|country|ville|city|fonds|fund|laboratoire|lab|m[ée]dia|site"
    r"|banque|bank|universit[ée]|university|ministre|minister|pr[ée]sident|pdg|ceo|fondateur|founder|auteur|author"
    r"|journaliste|journalist|analyste|analyst|ing[ée]nieur|engineer|chercheur|researcher|personne|person))\b",
    re.IGNORECASE,
)


def asks_for_name(question: str) -> bool:
    return bool(_ASKS_NAME.search(question))


def names_something(answer: str, question: str) -> bool:
    """Does the answer give a name the question does not already contain? « Le fonds qui finance
    DeepSeek est le fonds qui finance DeepSeek » restates; « Sam Altman évoque… » answers."""
    asked = stems(question)
    names = {w for w in re.findall(r"[\w'’-]+", answer) if w[:1].isupper() and fold(w) not in STOP}
    return any(not stems(n) <= asked for n in names)


# A question answered by yes or no: « Peut-on… ? », « Un électeur peut-il… ? », « (Si…,) est-ce que… ? »,
# "Can…?", "According to X, is…?" — with no question word (« qui peut-il… » asks for someone).
_YES_NO = re.compile(
    r"^\s*(?:[^?]{0,80}?\best-ce\s+qu|[^?]{0,80}?\b\w+-(?:t-)?(?:il|elle|on|ils|elles|je|nous|vous)\b"
    r"|(?:[^,?]{0,80},\s*)?(?:can|could|is|are|was|were|do|does|did|has|have|had|will|would|should|may|might|must)\b)",
    re.IGNORECASE,
)
_WH = re.compile(r"\b(?:quoi|quel(?:le)?s?|lequel|laquelle|lesquel(?:le)?s|combien|comment|pourquoi"
                 r"|whose|what|why|how)\b|^\s*(?:que|qu['’])|\bqu['’]\s*est-ce\b", re.IGNORECASE)
# These also open relative clauses (« mon ex-belle-mère qui a peu de revenus »): a question word only at the
# start of a clause, after a preposition, or after a verb asking to be told (« sait-on qui… », "tell me who").
_WH_OR_RELATIVE = re.compile(
    r"(?:^|[,:;(«\"]|\b(?:à|a|de|d['’]|pour|par|avec|chez|sur|dans|en|vers|depuis|to|of|for|from|with|by|in|on|at"
    r"|about|et|and|ou|or|mais|but|sait|savoir|savez|know|tell|me|us|dire|dites)|-(?:t-)?(?:il|elle|on|vous|nous|je))"
    r"\s*\b(?:qui|où|quand|who|whom|which|when|where)\b",
    re.IGNORECASE,
)


def asks_yes_no(question: str) -> bool:
    # The asking sentence only: "I'm 27 and lost my certificate. Can I get…?"
    asked = next((s for s in reversed(re.split(r"(?<=[.!])\s+", question.strip())) if "?" in s), question)
    rest = re.sub(r"(?i)(?<![’'])est-ce\s+qu", "", asked)  # « est-ce que » asks; « qu'est-ce que » asks what
    return bool(_YES_NO.search(asked)) and not _WH.search(rest) and not _WH_OR_RELATIVE.search(rest)


# « combien de jours », "how many weeks": the unit the figure must come in, by the unit's stem in either language.
# A figure's unit may follow an adjective: « les 3 prochaines années ».
_UNITS = {"jour": "day", "day": "day", "semaine": "week", "week": "week", "mois": "month", "month": "month",
          "an": "year", "annee": "year", "year": "year", "heure": "hour", "hour": "hour", "minute": "minute"}
_UNIT_ASKED = re.compile(r"\b(?:combien\s+d['’]\s*|combien\s+de\s+|how\s+many\s+)(jours?|semaines?|mois|ans|ann[ée]es?"
                         r"|days?|weeks?|months?|years?|heures?|hours?|minutes?)\b", re.IGNORECASE)
_FIGURE_UNIT = re.compile(r"(?:\d+(?:[.,]\d+)?|\b(?:un|une|one|an?|deux|two|trois|three|quatre|four|cinq|five|six|sept"
                          r"|seven|huit|eight|dix|ten|quinze|fifteen|vingt|twenty|trente|thirty)\b)\s*"
                          r"(?:(?:prochain|dernier|premier)e?s?\s+|(?:next|last|past|first|coming)\s+)?"
                          r"(jours?|semaines?|mois|ans|an|ann[ée]es?|days?|weeks?|months?|years?|heures?|hours?|h\b"
                          r"|minutes?|min\b)", re.IGNORECASE)


def _unit(word: str) -> str:
    word = fold(word)
    word = word if word in _UNITS else {"h": "heure", "min": "minute"}.get(word, word.removesuffix("s"))
    return _UNITS.get(word, word)


def asked_unit(question: str) -> str | None:
    """« Combien de jours… ? » -> "day": a figure in another unit (« 2 ans ») does not answer it."""
    m = _UNIT_ASKED.search(question)
    return _unit(m.group(1)) if m else None


def states_unit(answer: str, unit: str) -> bool:
    return any(_unit(m.group(1)) == unit for m in _FIGURE_UNIT.finditer(answer))


def durations(text: str) -> set[tuple[str, str]]:
    """The figures stated with a unit of time, as (number, unit): « 3 mois » and "3 months" -> ("3", "month")."""
    return {(n, _unit(m.group(1))) for m in _FIGURE_UNIT.finditer(text) for n in numbers(m.group(0), spelled=True)}
