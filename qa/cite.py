"""Attribute every answer sentence to the passage that supports it, in code, whatever the model wrote.

The bundled model rarely writes [n] markers and sometimes cites the wrong excerpt, so markers are
treated as hints: each sentence is checked against the passages (content-word overlap, embedding
similarity for answers in another language than the passages, and every number it states must occur
in the passage), re-attributed to the best-supporting passage when the hint fails, and left without a
citation (flagged unsupported) when nothing supports it. Citation n always means passage n as shown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ingest.chunker import sentence_spans
from qa.focus import asks_figure, durations
from qa.schema import Citation, Passage
from qa.text import numbers, stems

# "[2]", "[1, 3]", "[1][2]", "[Extrait 2]", "[excerpt 2]"; a run joined by « et » / "and" / "," is one
# marker: « dans les extraits [1] et [2] » must not leave « dans les extraits et ».
_ONE_MARKER = r"\[(?:(?:extrait|excerpt|source|passage)\s*)?\d+(?:\s*[,;]\s*\d+)*\]"
_MARKER = re.compile(rf"\s*{_ONE_MARKER}(?:\s*(?:[,;&]|\bet\b|\band\b)?\s*{_ONE_MARKER})*", re.I)
SUPPORTED = 0.5  # share of a sentence's new content words found in the passage
SUPPORTED_YES_NO = 0.6  # share of all its content words, for an answer to a yes/no question

# similarity(sentences, passage_sentences) -> cosine matrix, from the embedding model.
Similarity = Callable[[Sequence[str], Sequence[str]], Sequence[Sequence[float]]]


@dataclass
class _PassageSentence:
    passage: int  # 0-based index in the shown list
    start: int  # offsets into the document
    end: int
    text: str
    stems: set[str]
    numbers: set[str]  # spelled-out ones included
    durations: set[tuple[str, str]]  # figures with a unit of time: ("3", "month")


@dataclass
class Attribution:
    text: str  # the answer with verified [n] markers
    citations: list[Citation] = field(default_factory=list)
    unsupported: list[tuple[int, int]] = field(default_factory=list)  # spans in `text`
    supported_sentences: int = 0


def strip_markers(text: str) -> tuple[str, list[int]]:
    found = [int(n) for m in _MARKER.finditer(text) for n in re.findall(r"\d+", m.group(0))]
    return _MARKER.sub("", text).strip(), found


def _passage_sentences(passages: Sequence[Passage]) -> list[_PassageSentence]:
    out = []
    for i, p in enumerate(passages):
        for s, e in sentence_spans(p.text):
            piece = p.text[s:e]
            out.append(_PassageSentence(i, p.start + s, p.start + e, piece, with_aliases(stems(piece)),
                                        numbers(piece, spelled=True), durations(piece)))
    return out


def _lexical(claim: set[str], window: set[str]) -> float:
    return len(claim & window) / len(claim) if claim else 0.0


def attribute(
    answer: str,
    passages: Sequence[Passage],
    question: str = "",
    similarity: Similarity | None = None,
    cross_lingual: bool = False,
    context_stems: Callable[[Passage], set[str]] | None = None,
    yes_no: bool = False,
    head_stems: Callable[[Passage], set[str]] | None = None,
) -> Attribution:
    """yes_no: the question is answered by « Oui, … » / "No, …": a sentence that restates it after the
    polarity word is an answer, supported only by a passage that states that very content."""
    psents = _passage_sentences(passages)
    q_stems, q_numbers = stems(question), numbers(question, spelled=True)
    passage_numbers = [numbers(p.text, spelled=True) for p in passages]
    # A passage supports an answer only if it or its context names most of what the question names ("selon
    # Mike Whitney" is satisfied by the article's byline, not by every passage; a question comparing two
    # articles names both authors). Names no document contains cannot be checked (a translation:
    # "China" / "Chine") and are not required.
    vocab = [with_aliases(stems(f"{p.title} {p.text}") | (context_stems(p) if context_stems else set()))
             for p in passages]
    # Only names the best passage's context confirms: a name the question uses loosely (« Washington »
    # for the US government) must not rule out the document that answers. A question about two subjects
    # (« Stargate selon Mike Whitney, et Alibaba selon… ») is answered by passages that each name their own
    # half of all the names the shown passages confirm.
    names = entities(question)
    required = {e for e in names if vocab and e in vocab[0]}
    confirmed = {e for e in names if any(e in v for v in vocab)}
    on_topic = [2 * len(required & v) >= len(required) or 2 * len(confirmed & v) >= len(confirmed) for v in vocab]
    pieces: list[tuple[str, list[int]]] = [strip_markers(answer[s:e]) for s, e in sentence_spans(answer)]
    pieces = [(t, m) for t, m in pieces if t]

    heads = [with_aliases(stems(p.title) | (head_stems(p) if head_stems else set())) for p in passages]
    q_groups = [g for g in name_groups(_ATTRIBUTION.sub(" ", question))
                if any(_names_found({n}, v) for n in g for v in vocab)]
    checker = _Checker(psents, vocab, on_topic, passage_numbers, q_stems, q_numbers, yes_no, q_groups, heads,
                       cross_lingual, asks_figure(question))
    # Embedding similarity, for answers whose words cannot match the passages' (another language).
    use_sims = similarity is not None and cross_lingual and bool(psents)

    def sims_for(texts: list[str]) -> Sequence[Sequence[float]] | None:
        if not use_sims or not texts:
            return None
        # Against each sentence alone and joined with the next one: « 600 milliards de dollars. C'est la
        # chute de la valorisation de Nvidia » only means "Nvidia lost $600 billion" as a pair.
        windows = [ps.text + (f" {psents[j + 1].text}" if j + 1 < len(psents) and psents[j + 1].passage == ps.passage
                              else "") for j, ps in enumerate(psents)]
        both = np.asarray(similarity(texts, [ps.text for ps in psents] + windows))
        return np.maximum(both[:, : len(psents)], both[:, len(psents) :])

    result = Attribution(text="")
    cited: dict[tuple[int, int], Citation] = {}  # one per (passage, quoted sentence)
    out: list[str] = []
    sims = sims_for([t for t, _ in pieces])

    def cite(chosen: tuple[float, float, int]) -> int:
        ps = psents[chosen[2]]
        if (ps.passage + 1, ps.start) not in cited:
            p = passages[ps.passage]
            cited[ps.passage + 1, ps.start] = Citation(ps.passage + 1, p.doc, ps.start, ps.end, ps.text,
                                                       support=chosen[0], page=p.page)
        return ps.passage + 1

    for k, (sentence, hinted) in enumerate(pieces):
        body = sentence.rstrip()
        chosen = checker.best(body, hinted, sims[k] if sims is not None else None)
        if chosen is not None:
            result.supported_sentences += 1
            out.append(_with_marker(body, cite(chosen)))
            continue
        # A sentence joining two facts ("X a perdu 600 milliards, tandis que Y…") may need two passages.
        clauses = [c for c in _CLAUSE.split(body) if c.strip()]
        if len(clauses) > 1:
            csims = sims_for(clauses)
            picks = [checker.best(c, hinted, csims[i] if csims is not None else None) for i, c in enumerate(clauses)]
            if all(picks):
                result.supported_sentences += 1
                marked = [_with_marker(c.rstrip(" ,;"), cite(pick)) for c, pick in zip(clauses, picks, strict=True)]
                out.append(_join_clauses(body, clauses, marked))
                continue
        start = len(" ".join(out)) + (1 if out else 0)
        out.append(body)
        result.unsupported.append((start, start + len(body)))
    result.text = " ".join(out)
    result.citations = [cited[key] for key in sorted(cited)]
    return result


_POLARITY = re.compile(r"\W*(?:oui|non|yes|no)\b[\W_]*", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:ne|aucune?|jamais|not|never|no|cannot)\b|\bn['’](?=\w)|n['’]t\b", re.IGNORECASE)


def _negated(sentence: str) -> bool:
    return bool(_NEGATION.search(sentence))


# « selon Arnaud Bertrand », "quoted by Mike Whitney", and quoted titles: a sentence's sources, not its subject.
_ATTRIBUTION = re.compile(
    r"\b(?:selon|d['’]apr[eè]s|according\s+to|(?:cit[ée]e?s?|quoted|cited)\s+(?:par|by))\b[^,.;:]*"
    r"|«[^»]*»|“[^”]*”|\"[^\"]*\"", re.IGNORECASE)

# Where a sentence joins two statements.
_CLAUSE = re.compile(r"(?:,\s*|\s+)(?=(?:tandis qu|alors qu)(?:e\b|['’])|(?:whereas|while|mais|but)\b)"
                     r"|;\s*|,\s+(?=et\b|and\b)")


def _join_clauses(body: str, clauses: list[str], marked: list[str]) -> str:
    """Re-assemble clauses with their markers, keeping the separators the sentence had."""
    out, cursor = [], 0
    for clause, text in zip(clauses, marked, strict=True):
        at = body.index(clause, cursor)
        out.append(body[cursor:at] if out else "")
        out.append(text)
        cursor = at + len(clause)
    return "".join(out)


@dataclass
class _Checker:
    psents: list[_PassageSentence]
    vocab: list[set[str]]
    on_topic: list[bool]
    passage_numbers: list[set[str]]
    q_stems: set[str]
    q_numbers: set[str]
    yes_no: bool = False
    q_groups: list[set[str]] = field(default_factory=list)  # the question's names some shown passage confirms
    heads: list[set[str]] = field(default_factory=list)  # each passage's document title and byline
    cross_lingual: bool = False  # the answer's words need not be the passages'
    figure_asked: bool = False  # the question asks how much, how long, at what age…

    def best(self, text: str, hinted: list[int], sims: Sequence[float] | None) -> tuple[float, float, int] | None:
        """(support, own-sentence score, index of the quoted passage sentence), or None if unsupported."""
        claim = stems(text) - self.q_stems  # what the text adds to the question; nothing added answers nothing
        negative = None
        if self.yes_no:  # « (Oui,) un intérimaire a droit au PTP » answers by restating: the passage must say so,
            rest = text[polar.end():] if (polar := _POLARITY.match(text)) else text  # with the same polarity
            claim, negative = stems(rest), _negated(rest)
        if not claim:
            return None
        names = _names(text) - self.q_stems  # names the answer adds: they must be in the passage
        new_numbers = numbers(text, spelled=True) - self.q_numbers
        # « 3 months » is not stated by « les 3 conditions », "2 years" not by « 2 mois » (a figure the
        # question gives is the question's, as above)
        timed = {(n, unit) for n, unit in durations(text) if n not in self.q_numbers}
        # Of whom the sentence says it: the names it asserts, the question's included (« Tencent a annoncé un
        # budget de 10 milliards »), must be stated next to the sentence that supports it, or be its document's
        # subject (title, byline) — not merely elsewhere in the passage (« Honor a annoncé… » is another
        # company's budget; « quatre centres de crise » were Meta's, not Google's). One word of a name will do
        # (« Jared Dunmon… » then « Dunmon a commenté… »).
        said = _ATTRIBUTION.sub(" ", text)  # who reports it and quoted titles are checked with the passage's context
        said_stems = stems(said)
        bound: list[set[str]] = []
        if new_numbers or names:
            brought = [g for g in name_groups(said) if g - self.q_stems]
            asked = [g for g in self.q_groups if g & said_stems]
            # A bare figure (« 500 milliards de dollars [1]. ») is given to whom the question names: all of them.
            bound = brought + (asked or (self.q_groups if new_numbers and not brought else []))
        best: tuple[float, float, int] = (0.0, 0.0, -1)
        scores: dict[int, tuple[float, float, int]] = {}
        for j, ps in enumerate(self.psents):
            if (not self.on_topic[ps.passage] or not new_numbers <= self.passage_numbers[ps.passage]
                    or not _names_found(names, self.vocab[ps.passage])):
                continue  # another subject, or a figure or name the passage does not state
            if negative is not None and _negated(ps.text) != negative:
                continue  # « Non, un étudiant ne peut pas… » against « une administration peut accueillir… »
            if negative is not None and self._qualified(j, negative):
                continue  # « Oui, vous pouvez garder ce nom. Toutefois, ce n'est plus possible en cas de remariage. »
            # Neighbours may complete the claim; for a yes/no answer only those saying it with the same polarity.
            near = [k for k in self._around(j, (-1, 1))
                    if negative is None or _negated(self.psents[k].text) == negative]
            window = ps.stems.union(*(self.psents[k].stems for k in near))
            if not self._binds(j, near, new_numbers, bound, said_stems):
                continue  # the figure is stated elsewhere in the passage, or next to another subject
            if not timed <= ps.durations.union(*(self.psents[k].durations for k in near)):
                continue
            # A claim may draw on two adjacent sentences; the quote is the one that matches best.
            own = _lexical(claim, ps.stems)
            if sims is not None:  # a sentence stating the claim's figures needs less of its wording
                states = new_numbers and new_numbers <= ps.numbers
                own = max(own, _from_cosine(sims[j], floor=0.4 if states else 0.45))
            key = (max(own, _lexical(claim, window)), own, j)
            if key > scores.get(ps.passage, (-1.0, -1.0, -1)):
                scores[ps.passage] = key
            best = max(best, key)
        # A restated yes/no question shares words with any passage on the subject: it needs more of them,
        # and at least three (« DeepSeek est coté en Bourse » matches "DeepSeek" and "Bourse", not "coté").
        need = SUPPORTED if negative is None else max(SUPPORTED_YES_NO, 3 / len(claim))
        hint = next((scores[n - 1] for n in hinted if n - 1 in scores and scores[n - 1][0] >= need), None)
        return hint or (best if best[0] >= need else None)

    def _binds(self, j: int, near: list[int], new_numbers: set[str], bound: list[set[str]], said: set[str]) -> bool:
        """Are the figures stated by sentence j or a neighbour, with a word of the question around them, and each
        name (one word of it) in the sentences around the one stating them (j itself without figures), or in the
        document's title and byline?
        said: the answer's stems, which must name a figure's co-owners when the passage states it jointly."""
        stating = [k for k in (j, *near) if new_numbers & self.psents[k].numbers] if new_numbers else [j]
        if not new_numbers <= set().union(*(self.psents[k].numbers for k in stating)):
            return False
        if new_numbers and any(_alone_in(said, group, self.psents[k].text) for k in stating for group in bound):
            return False
        head = self.heads[self.psents[j].passage] if self.heads else set()
        around = set().union(*(self.psents[i].stems for k in stating for i in self._around(k, (-1, 0, 1))))
        # What a figure measures is said next to it: « L'interrogation du FCDDV coûte 16,28 € » shares no word
        # with "how much does the notary charge to register my will". When the figure is the answer, one
        # shared word is not enough: « le propriétaire peut réclamer pendant 3 ans tout impayé » does not say
        # within what time the owner must return the deposit. Words compare in one language only, and a
        # question of one or two words says too little to rule a sentence out.
        shared = 2 if self.figure_asked else 1
        if new_numbers and len(self.q_stems) >= 3 and not self.cross_lingual and len(around & self.q_stems) < shared:
            return False
        named = head | around
        return all(any(_names_found({n}, named) for n in group) for group in bound)

    def _qualified(self, j: int, negative: bool) -> bool:
        """Does the next sentence say the opposite about something of the question this one leaves out (the
        case asked about is the exception to the rule it states)?"""
        return any(_negated(self.psents[k].text) != negative and self.q_stems & self.psents[k].stems
                   - self.psents[j].stems for k in self._around(j, (1,)))

    def _around(self, j: int, offsets: tuple[int, ...]) -> list[int]:
        """The sentences at these offsets from sentence j that belong to the same passage."""
        return [j + d for d in offsets
                if 0 <= j + d < len(self.psents) and self.psents[j + d].passage == self.psents[j].passage]


# « OpenAI, SoftBank, Oracle, NVIDIA et MGX », "Google, Meta and Amazon": names listed together.
_NAME = r"[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)*"
_LISTED = re.compile(rf"{_NAME}(?:\s*,\s*{_NAME})+\s*,?\s+(?:et|and|&)\s+{_NAME}")


def _alone_in(said: set[str], group: set[str], sentence: str) -> bool:
    """Does the answer give a figure to one name the sentence lists with others, naming none of them?
    « 500 milliards, impliquant OpenAI, SoftBank, Oracle, NVIDIA et MGX » is no figure of SoftBank's."""
    for listing in _LISTED.finditer(sentence):
        members = [stems(m) for m in re.split(r"\s*,\s*|\s+(?:et|and|&)\s+", listing.group())]
        if any(_names_found({n}, m) for n in group for m in members):
            others = [m for m in members if not any(_names_found({n}, m) for n in group)]
            if not any(m & said for m in others):
                return True
    return False


def entities(question: str) -> set[str]:
    """Names in the question (capitalised after the first word, or with digits), as stems."""
    tokens = re.findall(r"[\w'’-]+", question)
    names = [t.split("'")[-1].split("’")[-1] for t in tokens[1:] if t[:1].isupper() or re.search(r"\d", t)]
    return set().union(*(stems(n) for n in names)) if names else set()


# Names that differ between English answers and French passages (others share a 4-letter prefix),
# keyed by their stem, since that is what a sentence's names are compared as.
_ALIAS_WORDS = {"january": "janv", "february": "fevr", "march": "mars", "april": "avri", "may": "mai",
            "june": "juin", "july": "juil", "august": "aout", "september": "sept", "october": "octo",
            "november": "nove", "december": "dece", "monday": "lund", "tuesday": "mard", "wednesday": "merc",
            "thursday": "jeud", "friday": "vend", "saturday": "same", "sunday": "dima",
            "united": "etats", "states": "unis", "us": "etats", "usa": "etats", "american": "ameri",
            "white": "maiso", "house": "blanc", "soviet": "sovie", "germany": "allem", "german": "allem",
            "spain": "espag", "spanish": "espag", "ireland": "irlan", "italy": "itali", "england": "angle",
            "britain": "royau", "british": "brita", "chinese": "chin", "european": "europ", "union": "union",
            # titles and offices capitalised in English answers, not cognates of their French names
            "first": "premi", "prime": "premi", "town": "mairi", "hall": "mairi", "mayor": "maire",
            "tax": "impot", "taxes": "impot", "housing": "logem", "labour": "trava", "labor": "trava",
            "health": "sante", "insurance": "assur", "employment": "emplo", "court": "tribu", "high": "haut"}
_ALIASES = {w[:5]: v for w, v in _ALIAS_WORDS.items()}


def name_groups(text: str) -> list[set[str]]:
    """The names after the first word (runs of capitalised words, or words with digits: « Jared Dunmon »,
    « R1 »), each as the set of its stems; an elided article is not part of it (« d'OpenAI »), nor an
    English suffix ("DeepSeek-driven", "AI-powered")."""
    groups: list[set[str]] = []
    end = -1
    for i, m in enumerate(re.finditer(r"[\w'’-]+", text)):
        token = re.sub(r"-[a-z]+$", "", re.split(r"['’]", m.group())[-1])
        if i and (token[:1].isupper() or (re.search(r"\d", token) and not token.isdigit())) and (found := stems(token)):
            if end >= 0 and not text[end : m.start()].strip():
                groups[-1] |= found
            else:
                groups.append(set(found))
            end = m.end()
        else:
            end = -1
    return groups


def _names(sentence: str) -> set[str]:
    """The stems of every name a sentence asserts. Plain figures are not names: the number check compares
    them, spelled-out forms included."""
    return set().union(*name_groups(sentence))


def with_aliases(found: set[str]) -> set[str]:
    """Stems plus the English names of the French ones among them (« espagnol » also reads "Spanish")."""
    prefixes = {w[:4] for w in found}
    return found | {en for en, fr in _ALIASES.items() if fr[:4] in prefixes}


def _names_found(names: set[str], vocab: set[str]) -> bool:
    prefixes = {v[:4] for v in vocab}
    return all(n in vocab or n[:4] in prefixes for n in names)


def _from_cosine(cos: float, floor: float = 0.45) -> float:
    """Map embedding cosine to the lexical scale: ~0.45 unrelated, ~0.8 a faithful translation."""
    return max(0.0, min(1.0, (float(cos) - floor) / 0.3))


def _with_marker(sentence: str, n: int) -> str:
    m = re.search(r"[.!?…]+[»\"”)]*$", sentence)
    if m:
        return f"{sentence[: m.start()].rstrip()} [{n}]{sentence[m.start():]}"
    return f"{sentence} [{n}]"


def best_sentences(question: str, passages: Sequence[Passage], similarity: Similarity | None = None) -> list[Citation]:
    """For search mode: in each passage, the sentence that best matches the question."""
    psents = _passage_sentences(passages)
    q = stems(question)
    lexical = [_lexical(q, ps.stems) for ps in psents]
    sims = similarity([question], [ps.text for ps in psents])[0] if similarity and psents else None
    best: dict[int, tuple[float, _PassageSentence]] = {}
    for j, ps in enumerate(psents):
        score = lexical[j] + (float(sims[j]) if sims is not None else 0.0)
        if ps.passage not in best or score > best[ps.passage][0]:
            best[ps.passage] = (score, ps)
    return [Citation(i + 1, passages[i].doc, ps.start, ps.end, ps.text, support=score, page=passages[i].page)
            for i, (score, ps) in sorted(best.items())]
