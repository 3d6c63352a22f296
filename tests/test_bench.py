"""The benchmark suite's own logic: synthetic index growth and the target table (speed itself is not tested)."""

from bench import report, scale
from bench.ingest import isolated


def test_scale_grows_the_index_and_times_real_questions(indexed, tmp_path):
    grown = isolated(indexed, tmp_path, "bench-scale")
    out = scale.run(grown, indexed, ["Combien Nvidia a-t-elle perdu ?", "Who launched DeepSeek?"], [300, 700])
    assert [row["chunks"] for row in out["sizes"]] == [300, 700]
    for row in out["sizes"]:
        assert row["search_ms"]["n"] == 2 and 0 < row["search_ms"]["p50"] <= row["with_embedding_ms"]["p50"]
    assert out["query_embedding_ms"]["p50"] > 0


def test_the_table_checks_each_figure_against_its_target():
    results = {"generation": {"app_tokens_per_s": 18.0, "raw_tokens_per_s": 19.0, "ratio": 0.947},
               "latency": {"first_token_ms": {"p50": 3200.0, "p95": 4800.0}},
               "scale": {"sizes": [{"chunks": 100_000, "search_ms": {"p50": 20.0, "p95": 60.0},
                                    "with_embedding_ms": {"p50": 90.0, "p95": 120.0}}]}}
    lines = report.table(results).splitlines()
    row = {line.split("|")[1].strip(): line for line in lines[2:]}
    assert "✅" in row["generation ratio"] and "19 tok/s" in row["generation tokens/s (app vs raw llama-cpp)"]
    assert "❌" in row["first token p50"] and "✅" in row["first token p95"]
    assert "❌" in row["retrieval at 100,000 chunks, p50/p95 without query embedding"]
    assert "✅" in row["retrieval at 100,000 chunks, p50/p95 with query embedding"]
    assert not any("peak RSS" in line for line in lines)  # figures not measured are left out
