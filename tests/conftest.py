"""Shared test fixtures."""
import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def pytest_configure(config):
    # `make check` (tools/check_exercises.py) reports tests per exercise; a test may name its
    # exercise explicitly when its own name does not: @pytest.mark.exercise("Linear.backward").
    config.addinivalue_line("markers", "exercise(*names): the exercises this test checks")


@pytest.fixture
def fake_official_sizes(monkeypatch):
    """The loaders check MNIST's official counts (60000 / 10000); the fake files of
    fake_datasets.write_fake_mnist hold 7 / 3 images, so tests on them expect those."""
    import helpers.data

    monkeypatch.setitem(helpers.data.OFFICIAL_SIZES, "mnist train", 7)
    monkeypatch.setitem(helpers.data.OFFICIAL_SIZES, "mnist test", 3)
