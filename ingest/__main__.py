"""python -m ingest [DIR] [--collection NAME] [--reset]: make a collection mirror a folder of documents."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from config import get_settings
from index.store import IndexUnavailable, describe
from ingest.pipeline import sync_folder
from ingest.reader import IngestError


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__)
    parser.add_argument("dir", nargs="?", type=Path, default=settings.ingest.corpus_dir,
                        help=f"folder of .txt/.md documents (default: {settings.ingest.corpus_dir})")
    parser.add_argument("--collection", help="Chroma collection to fill (default: %(default)s)",
                        default=settings.chroma.collection)
    parser.add_argument("--reset", action="store_true", help="drop the collection and index from scratch")
    args = parser.parse_args(argv)
    try:
        settings = settings.with_collection(args.collection)
        settings = settings.model_copy(update={"ingest": settings.ingest.model_copy(
            update={"corpus_dir": args.dir.resolve()})})
        t0 = time.perf_counter()
        report = sync_folder(settings, show_progress=True, reset=args.reset)
    except (IngestError, IndexUnavailable, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for skip in report.skipped:
        print(f"skipped {skip.reason}", file=sys.stderr)
    print(f"{report.documents} documents, {report.embedded_chunks} chunks embedded, "
          f"{report.total_chunks} chunks in {args.collection!r} at {describe(settings.chroma)} "
          f"({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
