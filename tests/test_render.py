"""What reaches the browser: escaped text, highlighted quotes, citation links to shown passages."""

from qa.schema import Answer, Citation, Passage
from ui.render import answer_markdown, sources_html

EVIL = 'Texte <script>alert(1)</script> et <img src=x onerror="alert(2)"> fin.'


def test_document_and_model_text_are_escaped():
    p = Passage(doc="<b>x</b>.txt", start=0, end=len(EVIL), score=0.7, text=EVIL, title="<i>T</i>")
    ans = Answer(question="q", answer="Réponse <script>x()</script> [1].", retrieved=[p],
                 citations=[Citation(1, p.doc, 0, 5, "Texte")])
    html = sources_html(ans) + answer_markdown(ans)
    assert "<script>" not in html and "<img" not in html and "<b>x" not in html and "<i>T" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_cited_sentence_is_highlighted_in_its_passage_and_marker_links_to_it():
    text = "Première phrase. Nvidia a perdu 600 milliards. Dernière."
    p = Passage(doc="a.txt", start=100, end=100 + len(text), score=0.7, text=text)
    quote_start = 100 + text.index("Nvidia")
    c = Citation(1, "a.txt", quote_start, quote_start + len("Nvidia a perdu 600 milliards."),
                 "Nvidia a perdu 600 milliards.")
    ans = Answer(question="q", answer="Nvidia a perdu 600 milliards [1].", retrieved=[p], citations=[c])
    assert "<mark>Nvidia a perdu 600 milliards.</mark>" in sources_html(ans)
    assert 'href="#src-1"' in answer_markdown(ans) and 'id="src-1"' in sources_html(ans)


def test_unsupported_sentences_are_marked():
    ans = Answer(question="q", answer="Oui [1]. Inventé.", unsupported=[(9, 17)])
    assert '<span class="unsupported"' in answer_markdown(ans) and "Inventé. ⚠" in answer_markdown(ans)


def test_a_refusal_shows_the_closest_passages_with_their_best_sentence_highlighted():
    text = "Le marché ouvre à 1 heure. La tarte <b>Tatin</b> se sert tiède. Fin du texte."
    p = Passage(doc="<i>d</i>.txt", start=10, end=10 + len(text), score=0.1, text=text)
    ans = Answer(question="Comment se sert la tarte Tatin ?", answer="Le corpus ne le dit pas.", refused=True,
                 retrieved=[p])
    html = sources_html(ans)
    assert "<mark>La tarte &lt;b&gt;Tatin&lt;/b&gt; se sert tiède.</mark>" in html  # escaped, highlighted
    assert "Closest passages" in html and "not an answer" in html and 'class="badge">cited' not in html
    assert "<b>Tatin" not in html and "<i>d" not in html
    assert "<mark>" not in sources_html(ans, pending=True)  # still searching: nothing to highlight yet


def test_a_refusal_uses_the_given_similarity_to_pick_the_sentence():
    import numpy as np

    text = "Il pleut beaucoup en novembre. Le gâteau aux pommes caramélisées est renversé."
    p = Passage(doc="d.txt", start=0, end=len(text), score=0.1, text=text)
    ans = Answer(question="How is tarte Tatin made?", refused=True, retrieved=[p])
    by_meaning = lambda left, right: np.array([[0.0, 1.0]])  # noqa: E731 - the second sentence is the closest
    assert "<mark>Le gâteau aux pommes caramélisées est renversé.</mark>" in sources_html(ans, similarity=by_meaning)


def test_the_verdict_is_said_and_a_withheld_draft_stays_readable_with_why():
    shown = Answer(question="q", answer="Janus-Pro [1].", verdict="partly_supported", confidence=0.41,
                   reason="its calibrated confidence 0.41 is under 0.80")
    html = answer_markdown(shown)
    assert "Partly supported" in html and "0.41" in html and "Janus-Pro" in html
    withheld = Answer(question="q", answer="Le corpus ne le dit pas.", refused=True, verdict="withheld",
                      draft="Nvidia compte <b>26 000</b> employés [2].", reason="no sentence of the draft is supported")
    html = answer_markdown(withheld)
    assert "Le corpus ne le dit pas." in html and "A draft was withheld: no sentence of the draft is supported" in html
    assert '<details class="withheld">' in html and "&lt;b&gt;26 000&lt;/b&gt;" in html  # folded, escaped
    before = Answer(question="q", answer="Le corpus ne le dit pas.", refused=True, verdict="not_in_documents",
                    reason="no passage is close enough to the question")
    assert "<details" not in answer_markdown(before) and "no passage is close enough" in answer_markdown(before)


def test_the_chat_history_keeps_the_answers_words_only():
    from ui.chat import conversation

    shown = answer_markdown(Answer(question="q", answer="Janus-Pro [1].", verdict="supported", confidence=0.9))
    withheld = answer_markdown(Answer(question="q", answer="Le corpus ne le dit pas.", refused=True,
                                      verdict="withheld", draft="Un brouillon.", reason="why"))
    turns = conversation([{"role": "assistant", "content": shown}, {"role": "assistant", "content": withheld}])
    assert "Supported" not in turns[0][1] and "Janus-Pro" in turns[0][1]
    assert "brouillon" not in turns[1][1] and "Le corpus ne le dit pas." in turns[1][1]
