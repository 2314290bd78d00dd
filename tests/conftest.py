"""Shared test fixtures, and the split of the tests into two targets.

`make unit` runs the unit tests of the package (helpers, tools, benchmarks): seconds. The files
named in INTEGRATION build a student release, run the exercise checker or papermill, or read the
notebooks' stored outputs; they carry the marker `integration` (given here, by file name) and run
with `make integration`. `make test` runs both, and nbval over every notebook.
"""
import matplotlib
import numpy as np
import pytest

INTEGRATION = {
    "test_corpus": "plants every solution of the corpus in a student release and runs the checker",
    "test_student_release": "builds the student release and runs its checker",
    "test_parameters": "executes notebooks' parameters cells with papermill",
    "test_readme": "reads the figures in the notebooks' stored outputs",
    "test_nb01_lesson": "reads and reruns parts of notebook 01",
    "test_claims": "reads the prose and the stored outputs of every notebook and the README",
    "test_lesson_budget": "reads every notebook",
    "test_grade": "grades planted submissions, each in its own student release",
    "test_colab": "simulates the notebooks' Colab set-up cell through two sessions",
    "test_site": "builds the course website and loads every page in headless Chromium",
}


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def pytest_configure(config):
    matplotlib.use("Agg")  # figures are drawn off-screen, before any test module imports pyplot
    # `make check` (tools/check_exercises.py) reports tests per exercise; a test may name its
    # exercise explicitly when its own name does not: @pytest.mark.exercise("Linear.backward").
    config.addinivalue_line("markers", "exercise(*names): the exercises this test checks")
    config.addinivalue_line("markers", "integration: release, checker, papermill and notebook tests (make integration)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.stem in INTEGRATION:
            item.add_marker(pytest.mark.integration)


@pytest.fixture
def fake_official_sizes(monkeypatch):
    """The loaders check MNIST's official counts (60000 / 10000); the fake files of
    fake_datasets.write_fake_mnist hold 7 / 3 images, so tests on them expect those."""
    import helpers.data

    monkeypatch.setitem(helpers.data.OFFICIAL_SIZES, "mnist train", 7)
    monkeypatch.setitem(helpers.data.OFFICIAL_SIZES, "mnist test", 3)
