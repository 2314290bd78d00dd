# NumPy Deep Learning Notebooks. The two commands a newcomer needs:
#   make run    set up, fetch the data, execute every notebook in order (outputs regenerated)
#   make test   set up, fetch the data, unit tests + nbval over every notebook
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Reuse an active virtual environment or conda environment; otherwise make one in .venv.
ifneq ($(strip $(VIRTUAL_ENV)$(CONDA_PREFIX)),)
  PY := python
  STAMP := build/.installed-active-env
else
  PY := .venv/bin/python
  STAMP := .venv/.installed
endif

# Fixed BLAS thread count: multithreaded reductions can sum in a different order with a
# different thread count, and the stored notebook outputs must repeat on any machine.
export OMP_NUM_THREADS := 2
export OPENBLAS_NUM_THREADS := 2
export MKL_NUM_THREADS := 2
export JUPYTER_PREFER_ENV_PATH := 1

NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg --nbval-cell-timeout 900

.PHONY: help setup data run test unit nbval bench clean check student
.PHONY: lab

help:
	@echo "make run    - set up, get the data, execute all notebooks in place"
	@echo "make test   - set up, get the data, unit tests and nbval over all notebooks"
	@echo "make data   - download the datasets (verified checksums) into data/"
	@echo "make bench  - speed benchmarks (NumPy vs an optional PyTorch reference)"
	@echo "make check  - check the exercises: passed / not yet implemented / wrong, per exercise"
	@echo "make lab    - open the notebooks in JupyterLab, from this environment"
	@echo "make student - (instructors) write the student release, solutions stubbed, to build/student"
	@echo "make clean  - remove caches and build output (keeps .venv and data)"

setup: $(STAMP)

$(STAMP): pyproject.toml
	@if [ "$(PY)" = ".venv/bin/python" ] && [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@mkdir -p $(dir $@) && touch $@

data: setup
	$(PY) -m helpers.data

run: setup data
	@for nb in $(NOTEBOOKS); do \
	  echo "== executing $$nb"; \
	  $(PY) -m jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=900 "$$nb" || exit 1; \
	done

test: setup data
	$(PY) -m pytest tests $(NBVAL) $(NOTEBOOKS)

unit: setup
	$(PY) -m pytest tests

nbval: setup data
	$(PY) -m pytest $(NBVAL) $(NOTEBOOKS)

# Students: which exercises pass, which are not written yet, which are wrong (and where).
check: setup data
	@$(PY) -m tools.check_exercises $(if $(K),-k "$(K)")

lab: setup data
	$(PY) -m jupyter lab notebooks

student: setup
	@if [ ! -f tools/student_release.py ]; then echo "make student is for instructors; this is the student release"; exit 1; fi
	$(PY) -m tools.student_release build/student $(if $(COLAB_URL),--colab-url "$(COLAB_URL)")

bench: setup data
	$(PY) -m benchmarks

clean:
	rm -rf build .pytest_cache *.egg-info
	find . -path ./.venv -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -print0 | xargs -0 rm -rf
