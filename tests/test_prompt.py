"""What the model reads: numbered passages, each sentence once."""

from config.settings import Settings
from qa.generate import Generator
from qa.prompt import build_messages, format_passages
from qa.schema import Passage

TEXT = "Première phrase. Deuxième phrase partagée. Troisième phrase."


def passage(start: int, end: int, doc: str = "a.txt") -> Passage:
    return Passage(doc=doc, start=start, end=end, score=0.5, text=TEXT[start:end])


def test_a_sentence_two_overlapping_passages_share_is_read_once_where_the_document_has_it():
    first, second = passage(0, 43), passage(17, len(TEXT))  # both hold « Deuxième phrase partagée. »
    expected = {1: "Première phrase. Deuxième phrase partagée.", 2: "Troisième phrase."}
    assert format_passages([first, second], [1, 2]) == f"[1] {expected[1]}\n\n[2] {expected[2]}"
    assert format_passages([second, first], [2, 1]) == f"[2] {expected[2]}\n\n[1] {expected[1]}"


def test_passages_of_other_documents_and_rewritten_passages_are_kept_whole():
    other = Passage(doc="b.txt", start=17, end=len(TEXT), score=0.5, text=TEXT[17:])
    assert format_passages([passage(0, 43), other]).endswith("[2] Deuxième phrase partagée. Troisième phrase.")
    defused = Passage(doc="a.txt", start=17, end=len(TEXT), score=0.5, text="[instruction retirée]")
    assert format_passages([passage(0, 43), defused]).endswith("[2] [instruction retirée]")


def test_each_language_has_its_own_fixed_system_prompt():
    fr, en = build_messages("Q ?", [passage(0, 16)], "fr"), build_messages("Q?", [passage(0, 16)], "en")
    assert fr[0]["content"] != en[0]["content"] and "Answer in English" in en[0]["content"]
    assert "Answer in English" not in en[1]["content"]  # the instructions are not read again per question


def test_the_model_reads_the_passage_closest_in_meaning_even_when_keywords_rank_it_last():
    """Ranked by cosine plus keyword bonus, a paraphrase's best passage can come 4th or 5th: it replaces the
    last of the two the model reads, and the order stays the sources panel's."""
    shown = [Passage(doc="a.txt", start=100 * i, end=100 * i + 50, score=score, text=f"Passage {i}.")
             for i, score in enumerate([0.60, 0.58, 0.57, 0.55, 0.66])]
    generator = Generator(Settings())
    assert [p.start for p in generator.context(shown)] == [0, 400]
    shown[4].score = 0.50  # closest by meaning already among the first: nothing changes
    assert [p.start for p in generator.context(shown)] == [0, 100]
