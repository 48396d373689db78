# vanthu — everything a fresh Debian 12 machine needs is installed by these targets.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng poppler-utils qpdf \
	fonts-liberation2 fonts-dejavu-core hunspell-vi postgresql postgresql-contrib \
	chromium chromium-driver
DEMO_DB := demo.db

.PHONY: setup system-deps demo test lint bench models clean

setup: system-deps $(VENV)/.installed

# Installs only what is missing, so a second run costs a few dpkg look-ups.
system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:" $$missing; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@

demo: setup
	rm -f $(DEMO_DB)
	$(BIN)/vanthu ingest corpus/samples/*.pdf --db $(DEMO_DB)
	$(BIN)/vanthu tasks --db $(DEMO_DB)

lint: setup
	$(BIN)/ruff check pipeline tests corpus bench
	$(BIN)/ruff format --check pipeline tests corpus bench
	$(BIN)/mypy pipeline

test: lint
	$(BIN)/pytest -q

bench: setup
	$(BIN)/python -m bench.run

models: setup
	$(BIN)/python -m pipeline.training.build

clean:
	rm -rf $(VENV) $(DEMO_DB) .pytest_cache .mypy_cache .ruff_cache
