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
