"""The chat in a real browser (Debian chromium via Playwright): sources first, then a streamed, cited answer."""

import pytest

from tests.conftest import free_port, wait_for_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def app_url(engine):
    from app import build
    from ui.render import CSS

    demo = build(engine)
    demo.queue(default_concurrency_limit=1)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, css=CSS, quiet=True)
    wait_for_port(port)
    yield f"http://127.0.0.1:{port}"
    demo.close()


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
