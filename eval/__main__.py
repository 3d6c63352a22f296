"""python -m eval --gold FILE --docs DIR [--collection NAME] [--out DIR] [--limit N] [--types T1,T2]
[--ids ID1,ID2] [--retrieval-only | --oracle] [--compare OLD_SUMMARY.json]

python -m eval --suite [--quick [--quick-n N]] [--half dev|test|both] [--sets a,b] [--out DIR]"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from config import ROOT, get_settings
from config.settings import SettingsError
from eval import report
from eval.gold import TYPES, GoldError, load, read_docs, validate
from eval.run import RunOptions, evaluate
from eval.suite import QUICK_N, SETS, halves_of, parse_sets, run_suite
from index.store import IndexUnavailable
from llm import BackendUnavailable


def main(argv: list[str] | None = None) -> int:
    try:
        settings = get_settings()
    except SettingsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(prog="python -m eval", description="Score the chatbot on gold Q&A pairs.")
    parser.add_argument("--gold", type=Path, default=ROOT / "eval" / "gold.jsonl")
    parser.add_argument("--docs", type=Path, default=settings.ingest.corpus_dir,
                        help="the corpus the questions are about (default: the shipped corpus)")
    parser.add_argument("--collection", help="reuse this collection (default: the eval's own, eval-<folder>-<hash>)")
    parser.add_argument("--out", type=Path, help="output folder (default: eval/runs/<timestamp>)")
    parser.add_argument("--limit", type=int, help="only the first N items (after --types)")
    parser.add_argument("--types", help=f"comma-separated subset of: {', '.join(TYPES)}")
    parser.add_argument("--ids", help="comma-separated item ids: re-run just these (e.g. the failures of a run)")
    parser.add_argument("--retrieval-only", action="store_true", help="skip generation: retrieval metrics only")
    parser.add_argument("--no-self-calibration", action="store_true",
                        help="answer at once with the model's global fit, instead of waiting for the collection to "
                             "calibrate itself (what a user's collection has after its first minutes)")
    parser.add_argument("--oracle", action="store_true",
                        help="make sure the model reads each item's gold evidence passage: the answers then "
                             "measure the model and the answer checks alone (what better retrieval could reach)")
    parser.add_argument("--compare", type=Path, help="an earlier summary.json to print deltas against")
    suite = parser.add_argument_group("suite", "every gold set of the project in one run, one table (eval/suite.py)")
    suite.add_argument("--suite", action="store_true", help="run every gold set (or --sets) and print one table")
    suite.add_argument("--sets", help=f"comma-separated subset of: {', '.join(s.name for s in SETS)}")
    suite.add_argument("--half", choices=("dev", "test", "both"), default="both",
                       help="dev: the items that may be read to fix things; test: only ever scored (default both, "
                            "one row each)")
    suite.add_argument("--quick", action="store_true",
                       help=f"a fixed sample: the first --quick-n items of each half by id hash (default {QUICK_N})")
    suite.add_argument("--quick-n", type=int, help="items per half and set with --quick (implies --quick)")
    args = parser.parse_args(argv)
    if args.suite:
        return _suite(parser, args, settings)
    if args.sets or args.quick or args.quick_n is not None or args.half != "both":
        print("error: --sets, --half, --quick and --quick-n go with --suite", file=sys.stderr)
        return 2
    if args.oracle and args.retrieval_only:
        print("error: --oracle measures answers; it cannot be combined with --retrieval-only", file=sys.stderr)
        return 2

    if not args.docs.is_dir():
        what = "is not a folder" if args.docs.exists() else "does not exist"
        print(f"error: {args.docs} {what}: give the folder the questions are about with --docs", file=sys.stderr)
        return 2
    try:
        items = load(args.gold)
    except GoldError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as e:
        why = e.strerror if isinstance(e, OSError) else "not UTF-8 text"
        print(f"error: cannot read the gold file {args.gold} ({why}): give a JSONL file of questions with --gold",
              file=sys.stderr)
        return 2
    try:
        texts = read_docs(args.docs)
    except OSError as e:
        print(f"error: cannot read the corpus folder {args.docs} ({e}): make it and its files readable",
              file=sys.stderr)
        return 2
    if problems := validate(items, texts):
        print("error: the gold file does not match the documents:\n  " + "\n  ".join(problems[:20]), file=sys.stderr)
        return 2
    if args.types:
        wanted = set(args.types.split(","))
        if unknown := wanted - set(TYPES):
            print(f"error: unknown types {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        items = [it for it in items if it.type in wanted]
    if args.ids:
        wanted = set(args.ids.split(","))
        if unknown := wanted - {it.id for it in items}:
            print(f"error: no item with id {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        items = [it for it in items if it.id in wanted]
    items = items[: args.limit] if args.limit else items
    out = args.out or ROOT / "eval" / "runs" / time.strftime("%Y%m%d-%H%M%S")
    opts = RunOptions(docs=args.docs, out=out, collection=args.collection, retrieval_only=args.retrieval_only,
                      self_calibrate=not args.no_self_calibration,
                      oracle=args.oracle)

    try:
        summary, _ = evaluate(settings, items, texts, opts)
    except (IndexUnavailable, BackendUnavailable, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.compare:
        delta = report.compare(summary, args.compare)
        (out / "compare.md").write_text(delta, encoding="utf-8")
        print(delta)
    o = summary["overall"]
    print(f"doc-hit@1 {report._fmt(o['doc_hit@1'])} · doc-hit@5 {report._fmt(o['doc_hit@5'])} · "
          f"evidence-hit@5 {report._fmt(o['evidence_hit@5'])} · accuracy {report._fmt(o['accuracy'])} · "
          f"first-draft accuracy {report._fmt(o['first_draft_accuracy'])} · "
          f"refusal {report._fmt(o['refusal'])} · false refusal {report._fmt(o['false_refusal'])} · "
          f"answered wrong {report._fmt(o['answered_wrong'])} · "
          f"citation precision {report._fmt(o['citation_precision'])} · invalid citations {o['invalid_citations']}")
    print(f"wrote {out}/results.jsonl, summary.json, report.md, report.png")
    return 0


def _suite(parser: argparse.ArgumentParser, args: argparse.Namespace, settings) -> int:
    single = [f"--{name.replace('_', '-')}" for name in ("collection", "limit", "types", "ids", "compare")
              if getattr(args, name)] + [f for f, on in (("--retrieval-only", args.retrieval_only),
                                                         ("--oracle", args.oracle)) if on]
    single += [f for f in ("--gold", "--docs") if getattr(args, f[2:]) != parser.get_default(f[2:])]
    if single:
        print(f"error: {', '.join(single)} cannot be combined with --suite", file=sys.stderr)
        return 2
    if args.quick_n is not None and args.quick_n < 1:
        print("error: --quick-n must be at least 1", file=sys.stderr)
        return 2
    try:
        sets = parse_sets(args.sets)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    quick_n = (args.quick_n or QUICK_N) if args.quick or args.quick_n is not None else None
    out = args.out or ROOT / "eval" / "runs" / time.strftime("suite-%Y%m%d-%H%M%S")
    _, status = run_suite(settings, sets, halves_of(args.half), out, quick_n,
                          self_calibrate=not args.no_self_calibration)
    return status


if __name__ == "__main__":
    sys.exit(main())
