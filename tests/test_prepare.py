"""helpers.prepare: data preparation without file I/O."""
import numpy as np
import pytest

from helpers.prepare import Standardizer


def test_standardizer_without_eps_refuses_constant_features(rng):
    X = np.column_stack([rng.standard_normal(10), np.ones(10)])
    with pytest.raises(ValueError, match="constant"):
        Standardizer(eps=0).fit_transform(X)
