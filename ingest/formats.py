"""Bytes of a document -> its text, by file type. Offsets everywhere else refer to this text.

.txt/.md are decoded (UTF-8, else Windows-1252/Latin-1); .html keeps the main text only
(trafilatura drops navigation and boilerplate; the page's visible text is measured, so that the share left
out can be reported); .pdf is text per page, pages separated by a blank
line, with each page's character span kept so citations can name the page; .docx is its paragraphs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from ingest.clean import solid

SUPPORTED = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")


class IngestError(ValueError):
    """A document that cannot be indexed; the message names the file and the reason."""


@dataclass
class Extracted:
    text: str
    pages: list[tuple[int, int, int]] = field(default_factory=list)  # (start, end, page number)
    visible_chars: int | None = None  # of a web page: its visible text's, of which `text` is what was kept

    def page_at(self, offset: int) -> int | None:
        return next((n for s, e, n in self.pages if s <= offset < e), None)


def decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:8192]:
        raise IngestError(f"{name}: looks like a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Latin-1/Windows text is the common other case
    return text.replace("\r\n", "\n").replace("\r", "\n")


def extract(data: bytes, name: str, suffix: str) -> Extracted:
    suffix = suffix.lower()
    if suffix not in SUPPORTED:
        raise IngestError(f"{name}: unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED)}")
    if not data.strip():
        raise IngestError(f"{name}: the file is empty")
    try:
        match suffix:
            case ".txt" | ".md":
                result = Extracted(decode(data, name))
            case ".html" | ".htm":
                result = _html(data)
            case ".pdf":
                result = _pdf(data)
            case _:
                result = _docx(data)
    except IngestError:
        raise
    except Exception as e:  # each parser has its own exception zoo for damaged files
        raise IngestError(f"{name}: cannot read this {suffix[1:].upper()} file ({type(e).__name__}: {e})") from None
    if not result.text.strip():
        raise IngestError(f"{name}: no text could be extracted (a scanned PDF needs OCR first)"
                          if suffix == ".pdf" else f"{name}: no text could be extracted")
    return result


def _html(data: bytes) -> Extracted:
    import trafilatura

    text = trafilatura.extract(data, include_comments=False, include_tables=True, favor_recall=True) or ""
    page = trafilatura.load_html(data)
    visible = 0
    if page is not None:
        for hidden in page.xpath("//head|//script|//style|//noscript|//template"):
            hidden.drop_tree()
        visible = solid(page.text_content())
    return Extracted(text.replace("\r\n", "\n"), visible_chars=visible)


def _pdf(data: bytes) -> Extracted:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    parts, pages, pos = [], [], 0
    for number, page in enumerate(reader.pages, 1):
        text = (page.extract_text() or "").replace("\r\n", "\n").strip()
        if not text:
            continue
        if parts:
            parts.append("\n\n")
            pos += 2
        parts.append(text)
        pages.append((pos, pos + len(text), number))
        pos += len(text)
    return Extracted("".join(parts), pages)


def _docx(data: bytes) -> Extracted:
    import docx

    document = docx.Document(io.BytesIO(data))
    return Extracted("\n\n".join(p.text for p in document.paragraphs if p.text.strip()))
