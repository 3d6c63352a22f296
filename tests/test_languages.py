"""Any language, end to end, with the bundled models: documents in Chinese, Russian, Arabic or Spanish are
ingested, a question in that language is answered in it, from the right document, with exact citations."""

import shutil

import pytest

from config.settings import ROOT
from eval.gold import load
from eval.metrics import contains
from ingest.pipeline import sync_folder
from qa.engine import Engine
from tests.conftest import make_settings
from text.language import detect

pytestmark = pytest.mark.slow

XQUAD = ROOT / "eval" / "datasets" / "xquad"
# One dev-half question per language (eval/split.py), on the first three articles of its XQuAD corpus.
CASES = [("zh", "dzh001"), ("ru", "dru001"), ("ar", "dar009"), ("es", "des001")]


@pytest.mark.parametrize(("lang", "item_id"), CASES)
def test_a_question_is_answered_in_its_language_from_the_right_document(lang, item_id, tmp_path):
    item = next(it for it in load(XQUAD / lang / "gold.jsonl") if it.id == item_id)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(3):
        shutil.copy(XQUAD / lang / "corpus" / f"xquad-{lang}-{n:02d}.txt", corpus)
    assert set(item.docs) <= {p.name for p in corpus.iterdir()}
    settings = make_settings(tmp_path / "storage", corpus, collection=f"lang-{lang}")
    assert sync_folder(settings, show_progress=False).total_chunks > 10

    answer = Engine(settings).ask(item.question)
    assert not answer.refused, (answer.reason, answer.draft)
    assert any(contains(answer.answer, key) for key in item.must_include), answer.answer
    assert detect(answer.answer) == lang == answer.lang
    assert answer.citations and {c.doc for c in answer.citations} == set(item.docs)
    for c in answer.citations:
        text = (corpus / c.doc).read_text(encoding="utf-8")
        assert text[c.start : c.end] == c.quote  # offsets exact in every script
        assert f"[{c.n}]" in answer.answer and answer.retrieved[c.n - 1].doc == c.doc
