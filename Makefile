# NumPy Deep Learning Notebooks. The two commands a newcomer needs:
#   make run    set up, fetch the data, execute every notebook in order (outputs regenerated)
#   make test   set up, fetch the data, unit tests + nbval over every notebook
# make run NB=03 executes one notebook (NB="02 03": several); P="-p NAME VALUE ..." overrides the
# values of its cell tagged `parameters` (papermill) and writes the executed copy to build/runs/,
# so that the notebooks keep the stored default run.
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

# BLAS threads: 2 unless set (here or in the environment). The stored notebook outputs do not
# depend on it, nor on the BLAS kernel: CI checks them under several (see .ci/run).
export OMP_NUM_THREADS ?= 2
export OPENBLAS_NUM_THREADS ?= 2
export MKL_NUM_THREADS ?= 2
export JUPYTER_PREFER_ENV_PATH := 1

# Core lessons NN_name and their companions NNb_name, NNc_... (sorted: 01_ comes before 01b_)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]*_*.ipynb))
# make run: which notebooks (NB, by number), papermill parameters (P) and where overridden runs go.
NB ?=
P ?=
RUN_OUT ?= build/runs
# NB=01: lesson 01 and its companions; NB=01b: that companion alone
RUN_NOTEBOOKS := $(if $(strip $(NB)),$(sort $(foreach n,$(NB),$(wildcard notebooks/$(n)_*.ipynb notebooks/$(n)[b-z]_*.ipynb))),$(NOTEBOOKS))
ifeq ($(strip $(P)),)
  # the default run: in place, the outputs the repository stores
  RUN_ONE = echo "== executing $$nb"; $(PY) -m jupyter nbconvert --to notebook --execute --inplace \
    --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=900 "$$nb"
else
  # parameters overridden: papermill injects them after the cell tagged `parameters`
  RUN_ONE = out="$(RUN_OUT)/$$(basename "$$nb")"; echo "== executing $$nb with parameters -> $$out"; \
    $(PY) -m papermill --cwd notebooks --kernel python3 --execution-timeout 900 --no-progress-bar \
    $(P) "$$nb" "$$out"
endif
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg --nbval-cell-timeout 900

.PHONY: help setup data run test unit unit-newest integration lint nbval nbval-oldest bench clean check student
.PHONY: grade colab-cell lab site site-serve site-check site-instructor

help:
	@echo "make run    - set up, get the data, execute all notebooks in place"
	@echo "             NB=03: one notebook; P=\"-p N_IMAGES 50\": parameters overridden, output in build/runs/"
	@echo "make test   - set up, get the data, unit tests and nbval over all notebooks"
	@echo "make data   - download the datasets (verified checksums) into data/"
	@echo "make nbval  - nbval only (OPENBLAS_CORETYPE=... OPENBLAS_NUM_THREADS=1 make nbval: another BLAS)"
	@echo "make nbval-oldest - nbval with every runtime dependency at its oldest declared version (.venv-oldest)"
	@echo "make unit   - the package's unit tests only (under a minute)"
	@echo "make integration - the release, checker, papermill and notebook-reading tests"
	@echo "make lint   - ruff over the Python files (configured in pyproject.toml)"
	@echo "make unit-newest - the unit tests on the newest Python (PYTHON_NEWEST=python3.13, .venv-newest)"
	@echo "make bench  - speed benchmarks (NumPy vs an optional PyTorch reference)"
	@echo "make check  - check the exercises: passed / not yet implemented / wrong, per exercise"
	@echo "make lab    - open the notebooks in JupyterLab, from this environment"
	@echo "make student - (instructors) write the student release, solutions stubbed, to build/student"
	@echo "make site   - the course website from the stored notebooks, as students see them, into build/site"
	@echo "make site-serve - preview it on http://localhost:8000 (PORT=...)"
	@echo "make site-check - check every page in headless Chromium; screenshots into build/site-shots"
	@echo "make site-instructor - (instructors) a private build WITH the solutions, into build/site-instructor"
	@echo "             COLAB_URL=<its repository> COLAB_REF=<tag or commit its notebooks clone in Colab>"
	@echo "make grade SUBMISSIONS=<folder> - (instructors) grade each submission with the hidden tests:"
	@echo "             build/grades/grades.csv and a Gradescope results.json per student (TIMEOUT=30 per test)"
	@echo "make colab-cell - (instructors) rewrite every notebook's Colab install block (COLAB_REF=<tag>)"
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
	@if [ -z "$(RUN_NOTEBOOKS)" ]; then echo "make run: no notebook numbered NB=$(NB) (e.g. NB=03)"; exit 1; fi
ifneq ($(strip $(P)),)
	@if [ "$$(realpath -m "$(RUN_OUT)")" = "$$(realpath notebooks)" ]; then \
	  echo "make run: RUN_OUT must not be notebooks/ (it keeps the default run)"; exit 1; fi
	@mkdir -p "$(RUN_OUT)"
endif
	@for nb in $(RUN_NOTEBOOKS); do \
	  $(RUN_ONE) || exit 1; \
	done

test: setup data
	$(PY) -m pytest tests $(NBVAL) $(NOTEBOOKS)

# The tests of tests/conftest.py's INTEGRATION files carry the marker `integration`.
unit: setup
	$(PY) -m pytest tests -m "not integration"

integration: setup data
	$(PY) -m pytest tests -m integration

lint: setup
	$(PY) -m ruff check .

nbval: setup data
	$(PY) -m pytest $(NBVAL) $(NOTEBOOKS)

# nbval once more, in .venv-oldest, with every runtime dependency at the lower bound pyproject.toml
# declares. The oldest versions have wheels for Python 3.9 to 3.12 only, and the constraints tool
# needs 3.11+: PYTHON_OLDEST=python3.11 (or 3.12) where python3 is newer.
PYTHON_OLDEST ?= python3
OLDEST := .venv-oldest/bin/python
.venv-oldest/.installed: pyproject.toml tools/oldest_constraints.py
	$(PYTHON_OLDEST) -m venv .venv-oldest
	$(OLDEST) -m pip install --quiet --upgrade pip
	$(OLDEST) tools/oldest_constraints.py > .venv-oldest/constraints.txt
	$(OLDEST) -m pip install --quiet -c .venv-oldest/constraints.txt -e ".[dev]"
	@touch $@

nbval-oldest: .venv-oldest/.installed data
	@$(OLDEST) -c "import numpy, scipy, matplotlib, sklearn; print('oldest declared versions: numpy', numpy.__version__, 'scipy', scipy.__version__, 'matplotlib', matplotlib.__version__, 'scikit-learn', sklearn.__version__)"
	$(OLDEST) -m pytest $(NBVAL) $(NOTEBOOKS)

# The unit tests once more, in .venv-newest, on the newest Python this machine has (Colab runs 3.13)
# with the newest dependencies: PYTHON_NEWEST=python3.13 (CI finds it on PATH or in pyenv).
PYTHON_NEWEST ?= python3.13
NEWEST := .venv-newest/bin/python
.venv-newest/.installed: pyproject.toml
	$(PYTHON_NEWEST) -m venv .venv-newest
	$(NEWEST) -m pip install --quiet --upgrade pip
	$(NEWEST) -m pip install --quiet -e ".[dev]"
	@touch $@

unit-newest: .venv-newest/.installed data
	@$(NEWEST) -c "import sys, numpy; print('Python', sys.version.split()[0], 'numpy', numpy.__version__)"
	$(NEWEST) -m pytest tests -m "not integration"

# Students: which exercises pass, which are not written yet, which are wrong (and where).
check: setup data
	@$(PY) -m tools.check_exercises $(if $(K),-k "$(K)")

lab: setup data
	$(PY) -m jupyter lab notebooks

student: setup
	@if [ ! -f tools/student_release.py ]; then echo "make student is for instructors; this is the student release"; exit 1; fi
	$(PY) -m tools.student_release build/student $(if $(COLAB_URL),--colab-url "$(COLAB_URL)") $(if $(COLAB_REF),--colab-ref "$(COLAB_REF)")

# Instructors: grade a folder of submissions (one folder or archive per student) with the hidden tests.
grade: setup data
	@if [ -z "$(SUBMISSIONS)" ]; then echo "make grade SUBMISSIONS=<folder with one folder or .zip per student>"; exit 1; fi
	$(PY) -m tools.grade "$(SUBMISSIONS)" $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(if $(GRADES),--out "$(GRADES)")

# Instructors: the Colab block of every notebook's set-up cell, from tools/colab_cell.py (pinned to
# COLAB_REF, by default v<the version in pyproject.toml>).
colab-cell:
	$(PY) -m tools.colab_cell --write $(if $(COLAB_REF),--ref "$(COLAB_REF)") $(NOTEBOOKS)

# The course website: Sphinx + myst-nb over the stored notebooks (nothing executed), solutions
# stubbed as in the student release; MathJax is served from the site (npm, installed once into
# build/site-deps). Its dependencies are the `site` extra; Chromium for site-check:
# tools/install_browser.sh.
SITE_STAMP := build/.installed-site
$(SITE_STAMP): pyproject.toml | setup
	$(PY) -m pip install --quiet -e ".[dev,site]"
	@mkdir -p $(dir $@) && touch $@

site: $(SITE_STAMP)
	$(PY) -m tools.build_site --out build/site $(if $(COLAB_URL),--colab-url "$(COLAB_URL)")

site-instructor: $(SITE_STAMP)
	$(PY) -m tools.build_site --out build/site-instructor --solutions

PORT ?= 8000
site-serve: site
	@echo "serving build/site on http://localhost:$(PORT) (Ctrl-C stops)"
	$(PY) -m http.server $(PORT) --bind 127.0.0.1 --directory build/site

site-check: site
	$(PY) -m tools.check_site build/site --shots build/site-shots

# Speed: NumPy (helpers, and the same MLP step in bare NumPy) against PyTorch on the CPU, an
# optional reference: `$(PY) -m pip install torch` adds it (CPU wheels: --index-url
# https://download.pytorch.org/whl/cpu), or BENCH_PY=<a python with torch and this package's
# dependencies>. Without it the NumPy parts run alone. ROUNDS=N: rounds of every timing (default 5).
# On a busy machine: CPU_TIME=1 with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1.
BENCH_PY ?= $(PY)
bench: setup
	$(BENCH_PY) -m benchmarks $(if $(ROUNDS),--rounds $(ROUNDS)) $(if $(CPU_TIME),--cpu-time)

clean:
	rm -rf build .pytest_cache *.egg-info
	find . -path ./.venv -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -print0 | xargs -0 rm -rf
