"""The gold file: JSON Lines of questions with expected answers, documents and verbatim evidence."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ingest.formats import SUPPORTED, IngestError, extract

TYPES = ("fact", "number", "who", "temporal", "paraphrase", "cross_lingual", "multi_doc", "unanswerable")
_LANG = re.compile(r"[a-z]{2}")  # ISO 639-1: fr, en, zh, ru, ar, es…
KEYS = {"id", "question", "lang", "answer", "must_include", "doc", "evidence", "type"}


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    lang: str
    answer: str
    must_include: tuple[str, ...]
    docs: tuple[str, ...]  # empty for unanswerable items
    evidence: tuple[str, ...]
    type: str
    turns: tuple[str, ...] = ()  # earlier user turns of a conversation, if any

    @property
    def answerable(self) -> bool:
        return bool(self.docs)


class GoldError(ValueError):
    pass


def load(path: Path) -> list[GoldItem]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as e:
            raise GoldError(f"{path.name}:{n}: not JSON ({e.msg})") from None
        missing = KEYS - raw.keys()
        if missing:
            raise GoldError(f"{path.name}:{n}: missing {', '.join(sorted(missing))}")
        doc = raw["doc"]
        docs = tuple(doc) if isinstance(doc, list) else ((doc,) if doc else ())
        items.append(GoldItem(
            id=str(raw["id"]), question=raw["question"], lang=raw["lang"], answer=raw["answer"],
            must_include=tuple(raw["must_include"]), docs=docs, evidence=tuple(raw["evidence"]),
            type=raw["type"], turns=tuple(raw.get("turns", ())),
        ))
    return items


def read_docs(folder: Path) -> dict[str, str]:
    """Document texts exactly as the ingest reads them, keyed by path relative to the folder."""
    texts = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SUPPORTED:
            try:
                texts[p.relative_to(folder).as_posix()] = extract(p.read_bytes(), p.name, p.suffix).text
            except IngestError:
                continue  # the ingest skips it too
    return texts


def validate(items: list[GoldItem], texts: dict[str, str]) -> list[str]:
    """Problems found, one message each; an empty list means the file is sound."""
    problems = []
    seen: set[str] = set()
    for it in items:
        where = f"{it.id}:"
        if it.id in seen:
            problems.append(f"{where} duplicate id")
        seen.add(it.id)
        if it.type not in TYPES:
            problems.append(f"{where} unknown type {it.type!r}")
        if not (isinstance(it.lang, str) and _LANG.fullmatch(it.lang)):
            problems.append(f"{where} lang must be an ISO 639-1 code (two lower-case letters), not {it.lang!r}")
        if it.type == "unanswerable":
            if it.docs or it.must_include or it.evidence:
                problems.append(f"{where} unanswerable items have doc null, no must_include, no evidence")
            continue
        if not it.docs or not it.must_include or not it.evidence:
            problems.append(f"{where} answerable items need doc, must_include and evidence")
        for doc in it.docs:
            if doc not in texts:
                problems.append(f"{where} unknown doc {doc}")
        for ev in it.evidence:
            if not any(ev in texts.get(d, "") for d in it.docs):
                problems.append(f"{where} evidence not found verbatim: {ev[:60]!r}")
        if it.type == "multi_doc" and len(it.docs) < 2:
            problems.append(f"{where} multi_doc items name at least two documents")
    return problems
