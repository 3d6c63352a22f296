# Two entry points for a fresh machine: `make run` and `make test` (see README).
# Every step is idempotent: a second run reuses the venv, the models and the index.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The default llama.cpp build crashes on CPUs with AMX (ggml's AMX path): build without it,
# and without pip's wheel cache, which keys wheels on the sdist and not on these flags.
LLAMA_CFLAGS := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels)

.PHONY: run test test-fast install models openvino browser lint eval eval-suite calibrate-model bench clean

run: install models
	$(BIN)/python app.py

test: install models browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The inner loop: the tests that load no model, start no server or browser (marked by tests/conftest.py), < 60 s.
test-fast: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not slow and not models" -q

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install $(FIND_LINKS) "torch==2.13.0"
	$(BIN)/python -c "import llama_cpp" 2>/dev/null || \
	  CMAKE_BUILD_PARALLEL_LEVEL=2 CFLAGS="$(LLAMA_CFLAGS)" CXXFLAGS="$(LLAMA_CFLAGS)" \
	  $(BIN)/pip install --no-cache-dir "llama-cpp-python==0.3.36"
	$(BIN)/pip install $(FIND_LINKS) -e ".[test]"
	touch $@

models: install
	$(BIN)/python scripts/fetch_models.py

# Optional: the embedding model converted for OpenVINO (RAG_EMBED__BACKEND=openvino converts it on first
# use otherwise). ~1-2 min and ~8 GB of memory, once.
openvino: install models
	$(BIN)/python -m index.ov_embed

# Debian's Chromium for the browser tests (Playwright cannot download its own browser offline).
browser:
	@test -x /usr/bin/chromium || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; }

lint: install
	$(BIN)/ruff check .

eval: install models
	$(BIN)/python -m eval

# Every gold set (shipped corpus, held-out, service-public-fr, SQuAD 2.0, XQuAD zh/ru/ar/es), one table.
eval-suite: install models
	$(BIN)/python -m eval --suite

# The global fit of the configured model (RAG_LLM__* or settings.toml), from the suite's dev halves, written to
# config/fits/: what every collection uses until it has calibrated itself. ~40 min with the bundled model.
calibrate-model: install models
	$(BIN)/python -m eval --suite --half dev --quick-n 20 --no-self-calibration --out eval/runs/calibrate-model
	$(BIN)/python -m eval.calibrate eval/runs/calibrate-model

bench: install models browser
	$(BIN)/python -m bench

clean:
	rm -rf storage eval/runs
