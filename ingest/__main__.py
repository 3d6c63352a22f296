"""Keep a collection in sync with a folder of documents.

  python -m ingest [DIR] [--collection NAME] [--reset] [--dry-run] [--watch]   sync the folder
  python -m ingest add FILE... [--collection NAME]                              copy into the folder and index
  python -m ingest remove DOC... [--collection NAME]                            delete from folder and index
  python -m ingest list [--collection NAME]                                     documents, chunks, when indexed,
                                                                                share left out as page furniture
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from config import Settings, get_settings
from config.settings import SettingsError
from index.embedder import ModelMissing
from index.store import IndexUnavailable, describe
from ingest import library
from ingest.formats import IngestError
from ingest.pipeline import SyncReport, sync_folder
from ingest.reader import not_a_folder
from ingest.records import over, percent, warning

COMMANDS = ("add", "remove", "list")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        settings = get_settings()
    except SettingsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    command = argv.pop(0) if argv and argv[0] in COMMANDS else "sync"
    parser = argparse.ArgumentParser(prog=f"python -m ingest{'' if command == 'sync' else ' ' + command}",
                                     description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collection", default=settings.chroma.collection,
                        help="Chroma collection (default: %(default)s)")
    if command == "sync":
        parser.add_argument("dir", nargs="?", type=Path, help="folder of documents (default: the collection's)")
        parser.add_argument("--reset", action="store_true", help="drop the collection and index from scratch")
        parser.add_argument("--dry-run", action="store_true", help="only say what would change")
        parser.add_argument("--watch", action="store_true", help="keep running and re-sync on file changes")
    elif command in ("add", "remove"):
        parser.add_argument("items", nargs="+", help="files to add" if command == "add" else "documents to remove")
    args = parser.parse_args(argv)
    try:
        settings = settings.with_collection(args.collection)
        t0 = time.perf_counter()
        match command:
            case "list":
                return _list(settings)
            case "add":
                report = library.add(settings, [_read(Path(p)) for p in args.items], show_progress=True)
            case "remove":
                report = library.remove(settings, args.items, show_progress=True)
            case _:
                if args.dir:
                    if not args.dir.is_dir():
                        raise not_a_folder(args.dir)
                    library.remember_folder(settings, args.dir)
                    folder = args.dir.resolve()
                else:
                    folder = library.folder_of(settings)
                settings = settings.model_copy(update={"ingest": settings.ingest.model_copy(
                    update={"corpus_dir": folder})})
                report = sync_folder(settings, show_progress=True, reset=args.reset, dry_run=args.dry_run)
                if args.watch and not args.dry_run:
                    _print(report, settings, t0, args.dry_run)
                    return _watch(settings)
        _print(report, settings, t0, getattr(args, "dry_run", False))
        return 0
    except (IngestError, IndexUnavailable, ModelMissing, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _read(path: Path) -> tuple[str, bytes]:
    try:
        return path.name, path.read_bytes()
    except OSError as e:
        raise IngestError(f"{path}: cannot be read ({e.strerror or e}); check the path and that you may read "
                          "the file") from None


def _print(report: SyncReport, settings: Settings, t0: float, dry_run: bool) -> None:
    for skip in report.skipped:
        print(f"skipped {skip.reason}", file=sys.stderr)
    verb = "would be" if dry_run else "were"
    for label, docs in (("added", report.added), ("changed", report.changed), ("removed", report.removed)):
        if docs:
            print(f"{len(docs)} {verb} {label}: {', '.join(docs[:10])}{' …' if len(docs) > 10 else ''}")
    _print_left_out(report, settings, report.added + report.changed, dry_run)
    elapsed = time.perf_counter() - t0
    rate = f", {report.embedded_bytes / 1000 / elapsed:.1f} KB/s" if report.embedded_bytes else ""
    print(f"{report.documents} documents ({len(report.unchanged)} unchanged), {report.embedded_chunks} chunks "
          f"embedded, {report.total_chunks} chunks in {settings.chroma.collection!r} at {describe(settings.chroma)} "
          f"({elapsed:.1f} s{rate})")


def _print_left_out(report: SyncReport, settings: Settings, docs: list[str], dry_run: bool) -> None:
    """The share of each (re)indexed document left out of the index as page furniture; a warning above the bound."""
    shares = sorted(((report.left_out[d], d) for d in docs if report.left_out.get(d)), reverse=True)
    if shares:
        print(f"left out of the index as page furniture{' (would be)' * dry_run}:")
    for share, doc in shares:
        print(f"  {doc}: {percent(share)}")
    if rest := len(docs) - len(shares):
        print(f"{rest} document{'s' * (rest > 1)} {'would be ' * dry_run}indexed whole")
    for share, doc in shares:
        if over(share, settings):
            print(f"warning: {warning(doc, share, settings)}", file=sys.stderr)


def _list(settings: Settings) -> int:
    docs = library.documents(settings)
    if not docs:
        print(f"collection {settings.chroma.collection!r} is empty")
    for d in docs:
        flag = f"\t⚠ over the {percent(settings.ingest.left_out_warning)} bound" if over(d.left_out, settings) else ""
        print(f"{d.doc}\t{d.chunks} chunks\t{d.indexed_at or '?'}\t{percent(d.left_out)} left out{flag}")
    return 0


def _watch(settings: Settings) -> int:
    from watchfiles import watch

    folder = settings.ingest.corpus_dir
    print(f"watching {folder} (Ctrl-C to stop)")
    try:
        for _ in watch(folder, debounce=1000):
            t0 = time.perf_counter()
            _print(sync_folder(settings, show_progress=False), settings, t0, dry_run=False)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
