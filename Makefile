# `make run` serves the dashboard; `make test` runs every check. Both set themselves up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
SCALE ?= default

.PHONY: run test lint format demo migrate bench clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(PY) -m data_access prepare
	$(PY) -m streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

test: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest $(PYTEST_ARGS)

format: $(VENV)/.dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

demo: $(VENV)/.runtime
	$(PY) -m data_access demo --scale $(SCALE)

migrate: $(VENV)/.runtime
	$(PY) -m data_access migrate

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache

# `make bench` measures the national scale; `make bench SCALE=default` another one. The data
# benchmark builds the SQLite file the browser benchmark then reuses; the browser benchmark on
# PostgreSQL builds its own throwaway cluster.
bench: BENCH_SCALE = $(if $(filter command line,$(origin SCALE)),$(SCALE),national)
bench: $(VENV)/.dev
	$(PY) scripts/bench.py --scale $(BENCH_SCALE) && \
		$(PY) scripts/bench_browser.py --scale $(BENCH_SCALE) \
		--database-url sqlite:///$(CURDIR)/bench-results/bench-$(BENCH_SCALE).sqlite3 && \
		$(PY) scripts/bench_browser.py --scale $(BENCH_SCALE) --backend postgresql
