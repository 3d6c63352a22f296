"""python -m calibration [--collection NAME] [--restart]: calibrate a collection now, in the foreground.

The app does this in the background after an ingest; here it runs until done with a progress bar. Ctrl-C
stops it; the next run (here or in the app) resumes where it stopped.
"""

from __future__ import annotations

import argparse
import sys

from calibration.job import calibrate_now, needed
from config import get_settings
from config.settings import SettingsError
from index.store import IndexUnavailable
from ingest import library
from llm import BackendUnavailable


def main(argv: list[str] | None = None) -> int:
    try:
        settings = get_settings()
    except SettingsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog="python -m calibration", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collection", default=settings.chroma.collection)
    parser.add_argument("--restart", action="store_true", help="forget the questions of an earlier run")
    parser.add_argument("--if-needed", action="store_true", help="only if the collection has no current fit")
    args = parser.parse_args(argv)
    try:
        settings = library.for_collection(settings.with_collection(args.collection))
        if args.if_needed and needed(settings) is None:
            print(f"{args.collection}: already calibrated")
            return 0
        return 0 if calibrate_now(settings, restart=args.restart) else 1
    except (IndexUnavailable, BackendUnavailable, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
