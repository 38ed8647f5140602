# Two commands for a fresh machine: `make demo` (build everything, run the demo) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench slides lab clean

demo: $(STAMP)
	$(BIN)/sferum demo --out out/demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/bench.py

# JupyterLab in Russian on the project's notebooks (the language is preset once in the user's settings)
LAB_LOCALE := $(HOME)/.jupyter/lab/user-settings/@jupyterlab/translation-extension/plugin.jupyterlab-settings
lab: $(STAMP)
	@mkdir -p $(dir $(LAB_LOCALE))
	@[ -f $(LAB_LOCALE) ] || echo '{"locale": "ru_RU"}' > $(LAB_LOCALE)
	$(BIN)/jupyter lab notebooks

# The seminar deck for a room without internet: out/seminar/seminar.slides.html with reveal.js beside it
slides: $(STAMP)
	$(BIN)/sferum seminar slides --out out/seminar

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
