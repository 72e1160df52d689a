# Everything runs inside .venv; `make demo` and `make test` create it when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup demo test lint typecheck model eval-nlp eval-matching bench clean

$(BIN)/claimbot: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, pinned to the CPU build, so nothing later can pull the CUDA build
	$(BIN)/pip install -q -c constraints.txt torch==2.13.0
	$(BIN)/pip install -q -c constraints.txt -e '.[postgres,discord,slack,digest,dev]'
	touch $(BIN)/claimbot

setup: $(BIN)/claimbot

# A fresh store each time: the first article is all new, the follow-up shows repeats and changes.
demo: $(BIN)/claimbot
	rm -rf .demo && mkdir -p .demo
	CLAIMBOT_DATA_DIR=.demo $(BIN)/claimbot check examples/article-harbour-bridge.txt
	CLAIMBOT_DATA_DIR=.demo $(BIN)/claimbot check examples/article-harbour-bridge-followup.txt

test: $(BIN)/claimbot
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot storage adapters
	$(BIN)/python -m pytest -q

lint: $(BIN)/claimbot
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/claimbot
	$(BIN)/mypy bot storage adapters

model: $(BIN)/claimbot
	$(BIN)/python -m scripts.train_pipeline --data $(SHARED)/data --out models/claimbot_en
	$(BIN)/python -m scripts.train_attribution --data $(SHARED)/data
	$(BIN)/python -m scripts.train_attribution_tagger --data $(SHARED)/data --out models/attribution_tagger.npz
	$(BIN)/python -m scripts.train_statement_confidence --data $(SHARED)/data
	$(BIN)/python -m scripts.train_judge --data $(SHARED)/data --cv

eval-nlp: $(BIN)/claimbot
	$(BIN)/python -m scripts.eval_attribution --data $(SHARED)/data

eval-matching: $(BIN)/claimbot
	$(BIN)/python -m scripts.eval_matching --data $(SHARED)/data

bench: $(BIN)/claimbot
	$(BIN)/python -m bench --data $(SHARED)/data

clean:
	rm -rf $(VENV) .demo build *.egg-info
