"""`python -m eval --suite`: every gold set of the project in one process, one table.

Each set is run exactly as `python -m eval --gold … --docs …` would run it (its own eval collection, a fresh
Engine on it, the usual outputs under OUT/<set>/); the models are loaded once and shared. Every item belongs
to the dev or the test half by a hash of its id (eval/split.py), and the table has one row per set and half.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calibration.fitting import Item, fit, outcomes
from config.settings import ROOT, Settings
from eval.gold import GoldItem, load, read_docs, validate
from eval.metrics import aggregate, score_item
from eval.replay import decided, item_of
from eval.split import HALVES, half, hash_order
from qa.fit import NEUTRAL, Fit, Fits, applicable, model_fit_path, model_id, setup_of

DATASETS = "eval/datasets"


@dataclass(frozen=True)
class SuiteSet:
    name: str
    gold: tuple[str, ...]  # gold files (relative to the project), concatenated
    docs: str  # the corpus folder the questions are about
    note: str = ""

    @property
    def docs_path(self) -> Path:
        return ROOT / self.docs

    def load(self) -> list[GoldItem]:
        return [it for g in self.gold for it in load(ROOT / g)]


SETS: tuple[SuiteSet, ...] = (
    SuiteSet("gold", ("eval/gold.jsonl",), "corpus", "the team's gold file, written alongside the code"),
    SuiteSet("news-heldout", ("eval/heldout/news_dev.jsonl", "eval/heldout/news_test.jsonl"), "corpus",
             "held-out questions on the shipped corpus, re-split by the id hash"),
    SuiteSet("spf-heldout", ("eval/heldout/spf_dev.jsonl", "eval/heldout/spf_test.jsonl"),
             f"{DATASETS}/service-public-fr/corpus",
             "held-out questions on service-public-fr, re-split by the id hash"),
    SuiteSet("spf-titles", (f"{DATASETS}/service-public-fr/gold.jsonl",), f"{DATASETS}/service-public-fr/corpus",
             "fiche titles as questions; keys are whole sentences, so its accuracy is a lower bound"),
    SuiteSet("squad2-en", (f"{DATASETS}/squad2-en/gold.jsonl",), f"{DATASETS}/squad2-en/corpus",
             "SQuAD 2.0 dev, English Wikipedia; crowd-written unanswerable questions"),
    *(SuiteSet(f"xquad-{lang}", (f"{DATASETS}/xquad/{lang}/gold.jsonl",), f"{DATASETS}/xquad/{lang}/corpus",
               f"XQuAD, {name}: answerable questions only")
      for lang, name in (("zh", "Chinese"), ("ru", "Russian"), ("ar", "Arabic"), ("es", "Spanish"))),
)
BY_NAME = {s.name: s for s in SETS}
QUICK_N = 3  # items per half and set in --quick: 6 per set, 54 in all (~10 min at ~10 s a question)

# (key in the row, column header) of the suite table, after set, half and n.
COLUMNS = [("accuracy", "answer accuracy"), ("first_draft_accuracy", "first-draft accuracy"),
           ("false_refusal", "false refusal"), ("answered_wrong", "answered but wrong"),
           ("refusal", "refusal of unanswerables"), ("citation_precision", "citation precision"),
           ("invalid_citations", "invalid citations"), ("first_token_p50_s", "first token p50"),
           ("total_p50_s", "total p50")]


def select(items: list[GoldItem], halves: Sequence[str], quick_n: int | None = None) -> list[GoldItem]:
    """The items of the wanted halves; with quick_n, the first quick_n of each half in hash order (a fixed
    sample). The file order is kept."""
    keep: set[str] = set()
    for h in halves:
        ids = [it.id for it in items if half(it.id) == h]
        keep |= set(sorted(ids, key=hash_order)[:quick_n] if quick_n is not None else ids)
    return [it for it in items if it.id in keep]


def rows(name: str, items: list[GoldItem], results: list[dict[str, Any]], texts: dict[str, str],
         halves: Sequence[str]) -> list[dict[str, Any]]:
    """One table row per half: the counts and the suite's metrics over that half's items."""
    out = []
    for h in halves:
        idx = [i for i, it in enumerate(items) if half(it.id) == h]
        part = [items[i] for i in idx]
        agg = aggregate([score_item(items[i], results[i], texts) for i in idx], [results[i] for i in idx])
        row: dict[str, Any] = {"set": name, "half": h, "n": len(part),
                               "answerable": sum(it.answerable for it in part),
                               "unanswerable": sum(not it.answerable for it in part)}
        row.update({k: agg.get(k) for k, _ in COLUMNS if k in agg})
        row["invalid_citations"] = agg.get("invalid_citations", 0) if part else None
        for key, col in (("first_token_ms", "first_token_p50_s"), ("total_ms", "total_p50_s")):
            p50 = (agg.get(key) or {}).get("p50")
            row[col] = round(p50 / 1000, 2) if p50 is not None else None
        out.append(row)
    return out


def _cell(v: Any, key: str) -> str:
    if v is None:
        return "–"
    if key.endswith("_s"):
        return f"{v:.2f} s"
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def table(rows: list[dict[str, Any]], notes: dict[str, str] | None = None) -> str:
    """The suite's markdown table: one row per set and half, then the notes on the sets shown."""
    lines = ["| set | half | n (answerable/unanswerable) | " + " | ".join(h for _, h in COLUMNS) + " |",
             "|---|---|---|" + "---|" * len(COLUMNS)]
    for r in rows:
        if r.get("error"):
            lines.append(f"| {r['set']} | {r['half']} | – | error: {r['error']} |" + " |" * (len(COLUMNS) - 1))
            continue
        lines.append(f"| {r['set']} | {r['half']} | {r['n']} ({r['answerable']}/{r['unanswerable']}) | "
                     + " | ".join(_cell(r.get(k), k) for k, _ in COLUMNS) + " |")
    lines += ["", "Answer accuracy, first-draft accuracy (the model's first draft taken as the answer, before the "
              "engine's checks), false refusal and answered-but-wrong are over answerable items "
              "(accuracy + false refusal + answered-but-wrong = 1 less the items whose run failed); refusal is "
              "over unanswerable items; – where no item applies. Latencies in seconds. dev items may be read to "
              "find what to fix, test items are only ever scored (half: sha256 of the item id, even = dev)."]
    shown = dict.fromkeys(r["set"] for r in rows)
    for name in shown:
        if (notes or {}).get(name):
            lines.append(f"- {name}: {notes[name]}")
    return "\n".join(lines) + "\n"


def compare(name: str, halves: list[str], labelled: list[Item], own: Fit, model: Fit,
            settings: Settings) -> list[dict[str, Any]]:
    """On the set's test half: every draft shown, the model's global fit, a fit on this set's dev half, and
    the collection's own fit (its self-calibration) — the comparison that decides whether the last stays."""
    test = [it for h, it in zip(halves, labelled, strict=True) if h == "test"]
    dev = [it for h, it in zip(halves, labelled, strict=True) if h == "dev"]
    fits = {"every draft": NEUTRAL, "model's global fit": model,
            "fitted on the dev half": fit(dev, model, source="dev-half", model=model_id(settings.llm),
                                          setup=setup_of(settings), budget=settings.checks.budget),
            "collection's own fit": own}
    return [{"set": name, "fit": label, **outcomes(test, f)} for label, f in fits.items()]


def comparison_table(comparison: list[dict[str, Any]]) -> str:
    lines = ["Fits compared on each set's test half (the same answers, each fit's decision replayed): the "
             "collection's own fit comes from questions the app wrote about the collection; the dev-half fit "
             "from the set's own dev items.", "",
             "| set | fit | n | accuracy | false refusal | answered but wrong | refusal of unanswerables |",
             "|---|---|---|---|---|---|---|"]
    for r in comparison:
        lines.append(f"| {r['set']} | {r['fit']} | {r['n']} | " + " | ".join(
            _cell(r[k], "") for k in ("accuracy", "false_refusal", "answered_wrong", "refusal")) + " |")
    return "\n".join(lines) + "\n"


def check(sets: Sequence[SuiteSet]) -> tuple[dict[str, tuple[list[GoldItem], dict[str, str]]], list[str]]:
    """Every set's items and documents, and the problems found (each set's gold file must validate)."""
    loaded, problems = {}, []
    for s in sets:
        try:
            items, texts = s.load(), read_docs(s.docs_path)
        except (ValueError, OSError) as e:
            problems.append(f"{s.name}: {e}")
            continue
        if not texts:
            problems.append(f"{s.name}: no documents in {s.docs}")
        problems += [f"{s.name}: {p}" for p in validate(items, texts)[:10]]
        loaded[s.name] = (items, texts)
    return loaded, problems


def run_suite(settings: Settings, sets: Sequence[SuiteSet], halves: Sequence[str], out: Path,
              quick_n: int | None = None, self_calibrate: bool = True) -> tuple[list[dict[str, Any]], int]:
    """Run the sets one after another (one Engine each, the models shared) and write OUT/<set>/… and
    OUT/suite.md, OUT/suite.json. Returns the rows and an exit code (2: a gold file is unsound, 1: a set
    failed to run, 0: all ran)."""
    from eval.run import RunOptions, evaluate
    from index.store import IndexUnavailable
    from llm import BackendUnavailable

    loaded, problems = check(sets)
    if problems:
        print("error: a gold file does not match its documents:\n  " + "\n  ".join(problems[:30]))
        return [], 2
    out.mkdir(parents=True, exist_ok=True)
    all_rows: list[dict[str, Any]] = []
    comparison: list[dict[str, Any]] = []
    meta: dict[str, Any] = {}
    status = 0
    name = model_id(settings.llm)
    model = applicable(model_fit_path(name), name, setup_of(settings)) or NEUTRAL  # the global fit, as applied
    for s in sets:
        items, texts = loaded[s.name]
        items = select(items, halves, quick_n)
        print(f"\n== {s.name}: {len(items)} items on {s.docs} ==", flush=True)
        # Every draft answered, every signal recorded: each fit's decisions are replayed on the same answers.
        opts = RunOptions(docs=s.docs_path, out=out / s.name, open_fit=True, self_calibrate=self_calibrate)
        t0 = time.perf_counter()
        try:
            summary, recorded = evaluate(settings, items, texts, opts, dev_failures_only=True)
        except (IndexUnavailable, BackendUnavailable, ValueError) as e:
            print(f"error: {s.name}: {e}")
            all_rows += [{"set": s.name, "half": h, "error": str(e)} for h in halves]
            status = 1
            continue
        labelled = [item_of(g, r, s.name) for g, r in zip(items, recorded, strict=True)]
        own = Fits(settings.with_collection(summary["run"]["collection"])).current()  # what a user gets
        results = [decided(r, it, own, g.lang) for g, r, it in zip(items, recorded, labelled, strict=True)]
        comparison += compare(s.name, [half(g.id) for g in items], labelled, own, model, settings)
        set_rows = rows(s.name, items, results, texts, halves)
        all_rows += set_rows
        meta[s.name] = {"gold": list(s.gold), "docs": s.docs, "note": s.note, "items": len(items),
                        "collection": summary["run"]["collection"], "corpus_sha256": summary["run"]["corpus_sha256"],
                        "seconds": round(time.perf_counter() - t0, 1)}
        print(f"{s.name}: " + " · ".join(f"{r['half']} accuracy {_cell(r.get('accuracy'), '')}"
                                         for r in set_rows) + f" ({meta[s.name]['seconds']:.0f} s)", flush=True)
    notes = {s.name: s.note for s in sets}
    text = table(all_rows, notes) + "\n" + comparison_table(comparison)
    header = (f"# Eval suite — {time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n\n"
              f"LLM `{settings.llm.backend}:{settings.llm.model_name}` · embeddings `{Path(settings.embed.model).name}`"
              f" · halves {', '.join(halves)}"
              + (f" · **quick**: {quick_n} items per half and set (the first by id hash)" if quick_n else "")
              + "\n\n")
    (out / "suite.md").write_text(header + text, encoding="utf-8")
    (out / "suite.json").write_text(json.dumps(
        {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "halves": list(halves), "quick_n": quick_n,
         "llm": f"{settings.llm.backend}:{settings.llm.model_name}", "embed": settings.embed.model,
         "rows": all_rows, "fits": comparison, "sets": meta}, ensure_ascii=False, indent=2), encoding="utf-8")
    print("\n" + text)
    print(f"wrote {out}/suite.md, suite.json and one folder per set")
    return all_rows, status


def parse_sets(spec: str | None) -> list[SuiteSet]:
    """"a,b" -> those sets in the suite's order; None -> all. Raises ValueError on an unknown name."""
    if not spec:
        return list(SETS)
    wanted = {n.strip() for n in spec.split(",") if n.strip()}
    if unknown := wanted - BY_NAME.keys():
        raise ValueError(f"unknown sets {', '.join(sorted(unknown))} (sets: {', '.join(BY_NAME)})")
    return [s for s in SETS if s.name in wanted]


def halves_of(spec: str) -> tuple[str, ...]:
    return HALVES if spec == "both" else (spec,)
