"""python -m bench [--only SECTIONS] [--limit N] [--sizes 1000,10000,100000] [--out DIR]

Every figure of the performance targets in one run, each next to its raw baseline where one exists:
a table on stdout and in bench.md, the numbers in bench.json, plots in scale.png and latency.png.
Nothing touches the user's index: ingest and scale runs use a temporary store.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

from config import ROOT, get_settings
from eval.gold import load

SECTIONS = ["ingest", "generation", "latency", "scale", "app", "calibration"]


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    import os

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1])
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(SECTIONS)}")
    parser.add_argument("--limit", type=int, help="gold questions for the latency section (default: all)")
    parser.add_argument("--sizes", default="1000,10000,100000", help="index sizes for the scale section")
    parser.add_argument("--out", type=Path, help="output folder (default: bench/runs/<timestamp>)")
    args = parser.parse_args(argv)
    sections = args.only.split(",") if args.only else SECTIONS
    if unknown := set(sections) - set(SECTIONS):
        print(f"error: unknown sections {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    out = args.out or ROOT / "bench" / "runs" / time.strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True, exist_ok=True)

    from bench import app_process, calibration, generation, ingest, latency, report, scale
    from index.embedder import resolved_precision
    from ingest.pipeline import sync_folder
    from qa.engine import Engine

    settings = get_settings()
    items = load(ROOT / "eval" / "gold.jsonl")
    questions = [it.question for it in items if it.answerable and not it.turns]
    results: dict = {"date": time.strftime("%Y-%m-%d %H:%M %Z"), "machine": machine(),
                     "llm": f"{settings.llm.backend}:{settings.llm.model_name}", "embed": settings.embed.model,
                     "embed_precision": resolved_precision(settings.embed)}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        corpus = ingest.isolated(settings, work, "bench-ingest")
        corpus = corpus.model_copy(update={"ingest": corpus.ingest.model_copy(
            update={"corpus_dir": settings.ingest.corpus_dir})})
        # Every section needs the shipped corpus indexed: the ingest section does it, timed.
        print("ingest…", flush=True)
        if "ingest" in sections:
            results["ingest"] = ingest.run(settings, settings.ingest.corpus_dir, work)
        else:  # indexed without the measurements (and their float32 re-ingest)
            sync_folder(corpus, show_progress=False)
        engine = Engine(corpus)
        if "generation" in sections:
            print("generation…", flush=True)
            results["generation"] = generation.run(engine, questions[:3])
        if "latency" in sections:
            results["latency"] = latency.run(engine, items[: args.limit] if args.limit else items)
        if "scale" in sections:
            print("scale…", flush=True)
            grown = ingest.isolated(settings, work / "scale", "bench-scale")
            results["scale"] = scale.run(grown, corpus, questions, [int(n) for n in args.sizes.split(",")])
        if "app" in sections:
            print("app start-up and UI…", flush=True)
            results["app"] = app_process.run(questions[:5])
        if "calibration" in sections:
            print("self-calibration of a 200-document collection…", flush=True)
            results["calibration"] = calibration.run(settings, work, questions)

    (out / "bench.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    text = (f"# Bench — {results['date']}\n\n{results['machine']} · LLM `{results['llm']}` · "
            f"embeddings `{Path(results['embed']).name}` ({results['embed_precision']})\n\n"
            + report.table(results))
    (out / "bench.md").write_text(text, encoding="utf-8")
    plots = report.plot(results, out)
    print(text)
    print(f"wrote {out}/bench.json, bench.md" + "".join(f", {p.name}" for p in plots))
    return 0


if __name__ == "__main__":
    sys.exit(main())
