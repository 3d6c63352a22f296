"""The chat in a real browser (Debian chromium via Playwright): sources first, then a streamed, cited answer."""

import re

import pytest

from tests.conftest import serving

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app_url(engine):
    with serving(engine) as url:
        yield url


def test_ask_in_the_browser_shows_sources_then_a_cited_answer(app_url, browser):
    page = browser.new_page()
    page.goto(app_url)
    box = page.locator("#question textarea")
    box.fill("Combien Nvidia a-t-elle perdu en Bourse après l'annonce de DeepSeek ?")
    box.press("Enter")
    page.locator("#sources details.source").first.wait_for(timeout=30_000)
    page.locator("#sources .meta:has-text('total')").wait_for(timeout=120_000)
    answer = page.locator("#chat .message.bot").last.inner_text()
    assert "600" in answer and "[" in answer
    cited = page.locator("#sources details[open] mark")
    assert cited.count() >= 1 and "600" in cited.first.inner_text()
    link = page.locator("#chat a.cite").first
    target = link.get_attribute("href")
    assert page.locator(f"#sources {target}").count() == 1  # the marker opens a shown passage
    page.close()


def test_a_refusal_shows_the_closest_passages_with_their_best_sentence_highlighted(app_url, browser):
    # The panel is filled twice (at once from the Enter key, then by the chat's final answer): a
    # refusal decided before the model must not leave the early "Searching…" panel on screen, and it
    # shows the closest passages, each with its best-matching sentence highlighted, said not to be an answer.
    page = browser.new_page()
    page.goto(app_url)
    page.locator("#question textarea").fill("Quelle est la recette de la tarte Tatin ?")
    page.locator("#question textarea").press("Enter")
    page.wait_for_function("() => document.querySelector('#chat').innerText.includes('Le corpus ne le dit pas')",
                           timeout=60_000)
    page.locator("#sources .sources-head:has-text('Closest passages')").wait_for(timeout=30_000)
    page.locator("#sources details.source[open] .passage mark").first.wait_for(state="visible", timeout=30_000)
    panel = page.locator("#sources").inner_text()
    assert "not an answer" in panel and "Searching" not in panel
    assert page.locator("#sources details.source").count() >= 1
    assert page.locator("#sources .badge:not(.warn)").count() == 0  # nothing is called "cited"
    page.close()


def test_the_examples_show_only_the_question_and_run_with_the_current_options(app_url, browser):
    from ui.chat import EXAMPLES

    page = browser.new_page()
    page.goto(app_url)
    examples = page.locator("#chat .examples button.example")
    examples.first.wait_for(timeout=30_000)
    assert [t.strip() for t in examples.all_inner_texts()] == EXAMPLES
    # No table of example values: the options' values ("false", the corpus name) are not shown as examples.
    assert page.get_by_text(re.compile(r"^\s*(false|true)\s*$")).filter(visible=True).count() == 0
    assert page.locator("table").filter(has_text=EXAMPLES[1]).filter(visible=True).count() == 0
    page.locator("#search-only input").check()
    page.locator("#chat .examples button.example", has_text=EXAMPLES[1]).click()
    page.locator("#chat .message", has_text=EXAMPLES[1]).first.wait_for(timeout=30_000)
    page.locator("#sources .meta:has-text('total')").wait_for(timeout=60_000)
    reply = page.locator("#chat .message.bot").last
    reply.locator("a.cite").first.wait_for(timeout=30_000)
    assert reply.inner_text().lstrip().startswith("[1]")  # search only: the passages' best sentences, no answer
    assert "first token" not in page.locator("#sources .meta").inner_text()  # the model was not called
    page.close()


def test_overlong_question_gets_a_clear_message(app_url, browser):
    page = browser.new_page()
    page.goto(app_url)
    page.locator("#question textarea").fill("DeepSeek ? " * 400)
    page.locator("#question textarea").press("Enter")
    reply = page.locator("#chat .message.bot").last
    reply.wait_for(timeout=30_000)
    page.wait_for_function("() => document.querySelector('#chat').innerText.includes('limit is 2,000')",
                           timeout=30_000)
    assert "Please ask a shorter question" in page.locator("#chat").inner_text()
    page.close()


def test_upload_then_delete_documents_in_the_browser(app_url, browser, tmp_path):
    from tests import docs_factory

    pdf = tmp_path / "fleuves.pdf"
    pdf.write_bytes(docs_factory.pdf(["Le fleuve Zambeze mesure 2574 km et se jette dans l'ocean Indien."]))
    bad = tmp_path / "casse.pdf"
    bad.write_bytes(b"%PDF-1.4 nothing else")
    page = browser.new_page()
    page.goto(app_url)
    page.get_by_role("tab", name="Documents").click()
    page.get_by_label("New corpus").fill("browser-uploads")
    page.get_by_role("button", name="Create").click()
    page.locator("#doc-status:has-text('browser-uploads')").wait_for(timeout=30_000)
    with page.expect_response(lambda r: "/upload" in r.url and r.request.method == "POST") as uploaded:
        page.locator("#upload input[type=file]").set_input_files([str(pdf), str(bad)])
    assert uploaded.value.ok
    for stem in ("fleuves", "casse"):  # both listed by the upload box (name and extension in separate spans)
        page.locator("#upload .file-preview .stem", has_text=stem).wait_for(timeout=30_000)
    page.locator("#index-files").click()
    page.locator("#doc-status:has-text('Indexed')").wait_for(timeout=120_000)
    status = page.locator("#doc-status").inner_text()
    assert "1 added" in status and "casse.pdf" in status and "cannot read this PDF" in status
    assert "fleuves.pdf" in page.locator("#doc-table").inner_text()

    page.get_by_role("tab", name="Chat").click()
    page.locator("#search-only input").check()
    page.locator("#question textarea").fill("Quelle est la longueur du Zambeze ?")
    page.locator("#question textarea").press("Enter")
    page.locator("#sources details.source").first.wait_for(timeout=60_000)
    assert "fleuves.pdf" in page.locator("#sources").inner_text()  # the chat uses the chosen corpus

    page.get_by_role("tab", name="Documents").click()
    page.locator("#victim input").click()
    page.get_by_role("option", name="fleuves.pdf").click()
    page.locator("#delete-doc").click()
    page.locator("#doc-status:has-text('Deleted fleuves.pdf')").wait_for(timeout=60_000)
    assert "fleuves.pdf" not in page.locator("#doc-table").inner_text()
    page.close()
