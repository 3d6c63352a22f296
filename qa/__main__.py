"""python -m qa "QUESTION" [--collection NAME] [--json] [--search]"""

from __future__ import annotations

import argparse
import json
import sys

from config import Settings, get_settings
from index import store
from index.store import IndexUnavailable
from ingest import library
from ingest.pipeline import sync_folder
from llm import BackendUnavailable
from qa.engine import Engine, InvalidQuestion
from qa.schema import Answer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa", description="Ask the corpus a question.")
    parser.add_argument("question")
    parser.add_argument("--collection", help="the corpus (Chroma collection) to ask")
    parser.add_argument("--json", action="store_true", help="print the structured answer as JSON")
    parser.add_argument("--search", action="store_true",
                        help="search mode: the best passages and their most relevant sentences, no generation")
    args = parser.parse_args(argv)
    try:
        settings = get_settings().with_collection(args.collection)
        name = settings.chroma.collection
        if name != settings.ingest.default_collection and name not in store.list_collections(settings.chroma):
            print(f"error: there is no corpus {name!r}: index a folder with `python -m ingest DIR --collection "
                  f"{name}`", file=sys.stderr)  # not created by a typo
            return 2
        if store.collection(settings.chroma).count() == 0:
            _index_folder(settings)
        engine = Engine(settings)
        if engine.retriever.count() == 0:
            print(f"The collection {engine.settings.chroma.collection!r} is empty: "
                  "index documents first with `python -m ingest DIR`.", file=sys.stderr)
            return 2
        if args.search:
            answer = engine.search_answer(args.question)
            if args.json:
                print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
                return 0
            return _print_final(answer)
        if args.json:
            answer = engine.ask(args.question)
            print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
            return 1 if answer.error else 0
        for update in engine.stream(args.question):
            if update.kind == "token":
                print(update.delta, end="", flush=True)
        print()
        return _print_final(update.answer)
    except (InvalidQuestion, IndexUnavailable, BackendUnavailable, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _index_folder(settings: Settings) -> None:
    """An empty collection with a folder (the default one's corpus/, on a fresh clone) is synced with it first,
    as `make run` does."""
    synced = library.for_collection(settings)
    if synced.ingest.corpus_dir.is_dir():
        print(f"Indexing {synced.ingest.corpus_dir} into {settings.chroma.collection!r} first.", file=sys.stderr)
        for skip in sync_folder(synced, show_progress=True).skipped:
            print(f"skipped {skip.reason}", file=sys.stderr)


def _print_final(answer: Answer) -> int:
    if answer.error:
        print(f"error: {answer.error}", file=sys.stderr)
        return 1
    print("\n" + ("─" * 60))
    if answer.verdict:
        sure = f", confidence {answer.confidence:.2f}" if answer.confidence is not None else ""
        print(f"[{answer.verdict.replace('_', ' ')}{sure}{': ' + answer.reason if answer.reason else ''}]")
    print(answer.answer)
    if answer.verdict == "withheld":
        print(f"  withheld draft: {answer.draft.strip()}")
    for c in answer.citations:
        print(f"  [{c.n}] {c.doc} {c.start}-{c.end}: {c.quote[:160]}")
    t = answer.timings
    print(f"  retrieve {t.retrieve_ms:.0f} ms · first token {t.first_token_ms or 0:.0f} ms · "
          f"total {t.total_ms:.0f} ms · {t.gen_tokens_per_s or 0} tok/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
