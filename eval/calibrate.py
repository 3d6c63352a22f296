"""python -m eval.calibrate SUITE_RUN [--budget 0.05] [--cost 2] [--dry-run]: the model's global fit.

Reads a suite run (`python -m eval --suite`: every draft answered, every signal recorded), fits the checks
(calibration/fitting.py) on the dev halves of all sets, prints what they give on each set and half next to
showing every draft, and writes the fit for that backend and model to config/fits/ — the fit every
collection uses until it has calibrated itself. Each set's collection is then refitted from its
self-calibration log on that global fit, as the app would, and the fits are compared on the test halves.
Last, leave one corpus out: for each set, a fit on the other sets' dev halves scored on its test half, with
and without each stage and signal — a mechanism earns its place only by raising those figures.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from calibration.fitting import FEATURES, Item, fit, outcomes, utility
from calibration.job import fit_collection
from config import Settings, get_settings
from eval.gold import GoldItem
from eval.replay import item_of
from eval.split import half
from eval.suite import BY_NAME, compare, comparison_table
from ingest import library
from qa.fit import NEUTRAL, Fit, Fits, model_fit_path, setup_of


def load(run: Path) -> tuple[str, str, list[tuple[str, Item]], dict[str, str]]:
    """The run's model id and setup (qa/fit.py), its items as (half, item), and each set's collection."""
    model, setup, out, collections = "", "", [], {}
    for folder in sorted(p for p in run.iterdir() if (p / "results.jsonl").is_file() and p.name in BY_NAME):
        gold: dict[str, GoldItem] = {it.id: it for it in BY_NAME[folder.name].load()}
        summary = json.loads((folder / "summary.json").read_text())["run"]
        model, collections[folder.name] = model or summary["llm"], summary["collection"]
        setup = setup or summary.get("setup") or setup_of(get_settings())  # a run older than the field: today's
        for line in (folder / "results.jsonl").read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            out.append((half(r["id"]), item_of(gold[r["id"]], r, folder.name)))
    return model, setup, out, collections


def _fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.calibrate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", type=Path, help="a suite run folder (one sub-folder per set)")
    parser.add_argument("--budget", type=float, default=0.05, help="share of right answers the fit may refuse")
    parser.add_argument("--cost", type=float, default=2.0, help="how much worse a wrong answer is than a refusal")
    parser.add_argument("--dry-run", action="store_true", help="print, do not write config/fits/")
    args = parser.parse_args(argv)
    if not args.run.is_dir():
        print(f"error: {args.run} is not a suite run folder", file=sys.stderr)
        return 2
    model, setup, rows, collections = load(args.run)
    dev = [it for h, it in rows if h == "dev"]
    if len({it.right for it in dev if it.passes_hard_rules()}) < 2:
        print("error: the dev halves need both right and wrong drafts to fit", file=sys.stderr)
        return 2
    chosen = fit(dev, NEUTRAL, source="model", model=model, setup=setup, budget=args.budget, cost=args.cost)
    print(f"fit for {model} on {len(dev)} dev items: probe floor {chosen.probe_floor:.2f}, threshold "
          f"{chosen.threshold:.2f}, supported from {chosen.supported_at:.2f}, bias {chosen.bias:.3f}, "
          f"weights {chosen.weights}")
    print("\n| set | half | n | accuracy (every draft) | accuracy | false refusal | answered but wrong "
          "| refusal of unanswerables |\n|---|---|---|---|---|---|---|---|")
    for key in sorted({(it.group, h) for h, it in rows}):
        group = [it for h, it in rows if (it.group, h) == key]
        every, got = outcomes(group, NEUTRAL), outcomes(group, chosen)
        print(f"| {key[0]} | {key[1]} | {got['n']} | {_fmt(every['accuracy'])} | {_fmt(got['accuracy'])} | "
              f"{_fmt(got['false_refusal'])} | {_fmt(got['answered_wrong'])} | {_fmt(got['refusal'])} |")
    if not args.dry_run:
        path = model_fit_path(model)
        chosen.save(path)
        print(f"\nwrote {path}")
    if any(h == "test" for h, _ in rows):
        compare_fits(rows, collections, chosen, get_settings(), refit=not args.dry_run)
        leave_one_out(rows, model, setup, args.budget, args.cost)
    return 0


def compare_fits(rows: list[tuple[str, Item]], collections: dict[str, str], model: Fit, settings: Settings,
                 refit: bool) -> None:
    """Each set's collection refitted from its self-calibration log on the new global fit (as the app would
    calibrate it now), then every fit scored on the set's test half."""
    table = []
    for name, collection in collections.items():
        mine = library.for_collection(settings.with_collection(collection))
        own = (fit_collection(mine) if refit else None) or Fits(mine).current()
        group = [(h, it) for h, it in rows if it.group == name]
        table += compare(name, [h for h, _ in group], [it for _, it in group], own, model, settings)
    print("\n" + comparison_table(table))


def leave_one_out(rows: list[tuple[str, Item]], model: str, setup: str, budget: float, cost: float) -> None:
    """Each set's test half under a fit made without that set: with every stage and signal, and without each."""
    sets = sorted({it.group for _, it in rows})
    variants: dict[str, Callable[[Fit], Fit]] = {"all": lambda f: f, "no stage 1 (probe floor 0)":
                                                 lambda f: replace(f, probe_floor=0.0)}
    print("\nLeave one corpus out (fit on the other sets' dev halves, scored on this set's test half): "
          "utility = right − cost × wrong per item.\n")
    print("| variant | " + " | ".join(sets) + " | mean |\n|---|" + "---|" * (len(sets) + 1))
    for label in ["all", "no stage 1 (probe floor 0)", *(f"without {f}" for f in FEATURES)]:
        cells = []
        for s in sets:
            train = [it for h, it in rows if h == "dev" and it.group != s]
            test = [it for h, it in rows if h == "test" and it.group == s]
            made = fit(_without(train, label), NEUTRAL, source="model", model=model, setup=setup, budget=budget,
                       cost=cost)
            made = variants[label](made) if label in variants else made
            cells.append(utility(_without(test, label), made, cost))
        print(f"| {label} | " + " | ".join(f"{c:.2f}" for c in cells) + f" | {sum(cells) / len(cells):.2f} |")


def _without(items: list[Item], label: str) -> list[Item]:
    """The items with one signal removed (the fit then cannot weigh it)."""
    if not label.startswith("without "):
        return items
    name = label.removeprefix("without ")
    return [replace(it, signals={k: v for k, v in it.signals.items() if k != name}) for it in items]


if __name__ == "__main__":
    sys.exit(main())
