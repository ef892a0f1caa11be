# The two commands of the contract: `make demo` (Ember's main job) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-8)

.PHONY: test demo lint bench clean fashion-mnist

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[test,examples]'
	touch $(STAMP)

DEMO_STAMP := $(VENV)/.demo-$(shell cat pyproject.toml | md5sum | cut -c1-8)
$(DEMO_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[examples]'
	touch $(DEMO_STAMP)

FASHION := /usr/share/datasets/fashion-mnist
fashion-mnist:
	@if [ ! -d $(FASHION) ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's dataset-fashion-mnist..."; \
	  (apt-get install -y -qq dataset-fashion-mnist || \
	   (apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist)) >/dev/null 2>&1 \
	  || echo "could not install dataset-fashion-mnist: the demo falls back to sklearn digits"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples

# two pytest workers on two cores: one BLAS thread each, or they oversubscribe the machine
test: $(STAMP) lint
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 tests

demo: $(DEMO_STAMP) fashion-mnist
	$(BIN)/python examples/demo.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
