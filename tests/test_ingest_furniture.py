"""Page furniture is recognised by structure alone: a user's document keeps every word that is not provably
furniture, whatever its wording, and the share left out is measured. No model: these run in `make test-fast`."""

import pytest

from ingest.chunker import chunk_text
from ingest.clean import classify_lines, dropped_spans
from ingest.formats import extract
from ingest.reader import left_out_share, read_folder
from ingest.repeated import drop_repeated
from tests import docs_factory

REPORT_MD = docs_factory.REPORT_MD


def _indexed(text: str, pages=()) -> str:
    lines = classify_lines(text, pages)
    return "\n".join(c.text for c in chunk_text(text, 350, 1, lines))


def _dropped(text: str, pages=()) -> list[str]:
    return [text[s:e] for s, e in dropped_spans(classify_lines(text, pages))]


def test_a_report_whose_headings_read_like_a_footer_is_indexed_whole():
    indexed = _indexed(REPORT_MD)
    for fact in ("18,4 millions d'euros", "212 salariés", "usine à Lyon en 2026", "Voir aussi", "Read more",
                 "Copyright © Ardoise SA"):
        assert fact in indexed
    assert _dropped(REPORT_MD) == []


def test_lines_of_links_alone_are_left_out_and_links_inside_sentences_stay():
    text = ("[Accueil](/) | [Économie](/eco) | [Contact](/contact)\n\n"
            "Selon [le rapport](https://example.org/r.pdf), la production a doublé en 2024.\n\n"
            "<https://t.co/JDEPE0EIQ8>\n\npic.example.com/hJYFdKdT8C\n\nLa suite du texte reste là.\n\n.\n")
    assert _dropped(text) == ["[Accueil](/) | [Économie](/eco) | [Contact](/contact)",
                              "<https://t.co/JDEPE0EIQ8>\n\npic.example.com/hJYFdKdT8C"]
    indexed = _indexed(text)
    assert "la production a doublé en 2024" in indexed and "La suite du texte reste là" in indexed


def test_a_tail_of_links_is_left_out_but_a_tail_of_short_facts_stays():
    body = "Le barrage produit 1 830 MW depuis sa mise en service en 1977, selon l'exploitant.\n\n"
    links = ("Articles liés\n\n- [Le barrage de Cahora Bassa](/a/1)\n- [Les crues de 2024](/a/2)\n"
             "Auteur Untel, 12-03-24\n- [Le fleuve Zambèze](/a/3)\n")
    assert _dropped(body + links) == [links.rstrip("\n")]
    facts = "Chiffres clés\n\n- Puissance : 2 075 MW\n- Turbines : 5\n- Mise en service : 1977\n"
    assert _dropped(body + facts) == []
    mixed = "Sources\n\n- [Rapport 2023](/r/2023) : chiffres de production et de vente détaillés par mois\n"
    assert _dropped(body + mixed) == []  # too short a list, and its words are mostly not links


def test_any_script_is_treated_alike():
    text = "这是一份报告。公司在2024年的收入为1840万欧元。\n\n相关文章\n\n[链接一](/1)\n[链接二](/2)\n[链接三](/3)\n"
    assert _dropped(text) == ["相关文章\n\n[链接一](/1)\n[链接二](/2)\n[链接三](/3)"]
    assert "1840万欧元" in _indexed(text)


def test_pdf_headers_footers_and_page_numbers_repeated_on_most_pages_are_left_out():
    e = extract(docs_factory.footer_pdf(), "bleuet.pdf", ".pdf")
    dropped = _dropped(e.text, e.pages)
    assert all({line for line in piece.split("\n") if line} <= {
        "Bleuet SA - Rapport annuel 2024", docs_factory.FOOTER, "Page 1 / 3", "Page 2 / 3", "Page 3 / 3"}
        for piece in dropped)
    assert sum(piece.count("Copyright") for piece in dropped) == 3 and sum(p.count("Page ") for p in dropped) == 3
    indexed = _indexed(e.text, e.pages)
    assert "Copyright" not in indexed and "Page 2 / 3" not in indexed
    for fact in ("Le siège de Bleuet est à Nantes", "48 personnes", "5 300 vélos cargo", "atelier à Angers en 2026",
                 "Le chiffre est 14"):
        assert fact in indexed


def test_pdf_lines_differing_only_by_a_figure_are_content():
    pages = [f"Rapport\nLa production du site numéro {i} a atteint {100 * i} tonnes cette année.\nFin." for i in
             range(1, 5)]
    e = extract(docs_factory.pdf(pages), "a.pdf", ".pdf")
    assert "a atteint 300 tonnes" in _indexed(e.text, e.pages)
    assert not _dropped(extract(docs_factory.pdf(["Seule page.\nAvec deux lignes."] * 2), "b.pdf", ".pdf").text)


def test_lines_repeated_across_most_documents_are_indexed_once():
    footer = "Ce site est édité par l'Association des riverains du Zambèze."
    texts = [f"Article {i} : le niveau du fleuve a monté de {i} mètres.\n\n{footer}\n" for i in range(4)]
    texts.append("Un article sans le pied de page.\n")
    marked = drop_repeated([(t, classify_lines(t)) for t in texts])
    kept = [[t[ln.start : ln.end] for ln in lines if ln.kind == "content"] for t, lines in zip(texts, marked,
                                                                                               strict=True)]
    assert footer in kept[0] and not any(footer in k for k in kept[1:])
    assert all(f"de {i} mètres" in k[0] for i, k in enumerate(kept[:4]))
    # Two documents sharing a line are not a corpus with a site's furniture: nothing is touched.
    two = drop_repeated([(t, classify_lines(t)) for t in texts[:2]])
    assert all(ln.kind != "furniture" for lines in two for ln in lines)


def test_read_folder_records_the_furniture_and_the_share_left_out(tmp_path):
    (tmp_path / "rapport.md").write_text(REPORT_MD, encoding="utf-8")
    (tmp_path / "bleuet.pdf").write_bytes(docs_factory.footer_pdf())
    (tmp_path / "note.docx").write_bytes(docs_factory.docx(docs_factory.NOTE_DOCX))
    (tmp_path / "liens.md").write_text("Voir aussi\n\n[Un](/1)\n[Deux](/2)\n[Trois](/3)\n", encoding="utf-8")
    (tmp_path / "page.html").write_bytes(docs_factory.html(["Le fleuve Zambèze mesure 2574 km de long."] * 3))
    docs, skipped = read_folder(tmp_path, 10**7)
    assert skipped == []
    share = {d.id_: d.metadata["left_out"] for d in docs}
    assert share["rapport.md"] == 0 and share["note.docx"] == 0
    assert 0.2 < share["bleuet.pdf"] < 0.5  # the header, the footer and the page number of each page
    assert share["liens.md"] == 1
    assert 0 < share["page.html"] < 0.5  # the menu and the footer trafilatura left out of the visible text


def test_share_left_out_counts_characters_outside_white_space():
    text = "abc def\n\nghij"
    assert left_out_share(text, [(9, 13)]) == pytest.approx(4 / 10)
    assert left_out_share(text, [], visible_chars=20) == pytest.approx(0.5)
    assert left_out_share("", []) == 0
