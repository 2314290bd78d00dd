"""helpers.prepare: one_hot, train_val_split, Standardizer, minibatches, flatten (no file I/O)."""
import numpy as np
import pytest
from scipy import ndimage

from helpers.conv import Conv2d, im2col
from helpers.prepare import Standardizer, flatten, minibatches, one_hot, train_val_split, zca_filter


def test_standardizer_without_eps_refuses_constant_features(rng):
    X = np.column_stack([rng.standard_normal(10), np.ones(10)])
    with pytest.raises(ValueError, match="constant"):
        Standardizer(eps=0).fit_transform(X)


def test_one_hot():
    out = one_hot(np.array([2, 0, 1, 2]), 4)
    expected = np.array([[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], dtype=float)
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == np.float64
    assert one_hot(np.array([1, 3], dtype=np.uint8)).shape == (2, 4)  # K inferred from the labels
    assert one_hot(np.array([], dtype=int), 3).shape == (0, 3)


@pytest.mark.parametrize("labels, k, message", [
    (np.array([0.0, 1.0]), 2, "integer labels of shape"),
    (np.array([[0, 1]]), 2, r"shape \(N,\), got int64 \(1, 2\)"),
    (np.array([0, 3]), 3, r"0\.\.2, got 0\.\.3"),
    (np.array([-1, 1]), 3, r"got -1\.\.1"),
    (np.array([], dtype=int), None, "needs n_classes"),
])  # fmt: skip
def test_one_hot_bad_input(labels, k, message):
    with pytest.raises(ValueError, match=message):
        one_hot(labels, k)


def test_train_val_split_partitions_the_rows(rng):
    X, y = np.arange(40).reshape(20, 2), np.arange(20)
    X_tr, y_tr, X_val, y_val = train_val_split(X, y, 0.25, rng)
    assert len(X_val) == 5 and len(X_tr) == 15
    np.testing.assert_array_equal(X_tr[:, 0] // 2, y_tr)  # rows stay paired with their labels
    np.testing.assert_array_equal(X_val[:, 0] // 2, y_val)
    assert sorted(np.concatenate([y_tr, y_val]).tolist()) == list(range(20))  # a partition
    assert y_val.tolist() != list(range(15, 20))  # shuffled, not the tail
    again = train_val_split(X, y, 0.25, np.random.default_rng(1234))
    np.testing.assert_array_equal(again[3], y_val)  # same seed, same split (conftest's rng seed)


@pytest.mark.parametrize("X, y, fraction, rng, error, message", [
    (np.zeros((5, 2)), np.zeros(4), 0.2, np.random.default_rng(0), ValueError, "same number of rows, got 5 and 4"),
    (np.zeros((5, 2)), np.zeros(5), 1.0, np.random.default_rng(0), ValueError, "strictly between 0 and 1"),
    (np.zeros((5, 2)), np.zeros(5), 0.05, np.random.default_rng(0), ValueError, "empty training or validation"),
    (np.zeros((5, 2)), np.zeros(5), 0.2, 0, TypeError, "numpy.random.Generator"),
])  # fmt: skip
def test_train_val_split_bad_input(X, y, fraction, rng, error, message):
    with pytest.raises(error, match=message):
        train_val_split(X, y, fraction, rng)


def test_standardizer_uses_training_statistics_only(rng):
    X_train = rng.normal(loc=[3.0, -2.0, 100.0], scale=[0.5, 4.0, 10.0], size=(500, 3))
    st = Standardizer().fit(X_train)
    Z = st.transform(X_train)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1, atol=1e-6)
    X_test = np.array([[3.0, -2.0, 100.0]])  # transformed with the training mean and std
    np.testing.assert_allclose(st.transform(X_test), (X_test - X_train.mean(0)) / X_train.std(0), atol=1e-6)
    assert st.transform(X_test, dtype=np.float32).dtype == np.float32
    const = Standardizer().fit_transform(np.ones((4, 2)))  # a constant feature maps to 0, not nan
    assert np.isfinite(const).all() and not const.any()


def test_standardizer_bad_input():
    with pytest.raises(RuntimeError, match="before fit"):
        Standardizer().transform(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"fitted on features \(3,\), got rows of \(4,\)"):
        Standardizer().fit(np.zeros((2, 3))).transform(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="N >= 1"):
        Standardizer().fit(np.zeros((0, 3)))


def test_minibatches_cover_the_data_once_in_a_new_order_each_pass(rng):
    X, y = np.arange(22).reshape(11, 2), np.arange(11)
    passes = []
    for _ in range(3):
        batches = list(minibatches(X, y, 4, rng))
        assert [len(b[1]) for b in batches] == [4, 4, 3]
        for Xb, yb in batches:
            np.testing.assert_array_equal(Xb[:, 0] // 2, yb)
        order = np.concatenate([yb for _, yb in batches])
        assert sorted(order.tolist()) == list(range(11))
        passes.append(order.tolist())
    assert passes[0] != passes[1] and passes[1] != passes[2]
    in_order = np.concatenate([yb for _, yb in minibatches(X, y, 4, None, shuffle=False)])
    assert in_order.tolist() == list(range(11))


@pytest.mark.parametrize("y, batch_size, rng, error, message", [
    (np.arange(4), 2, np.random.default_rng(0), ValueError, "same number of rows, got 5 and 4"),
    (np.arange(5), 0, np.random.default_rng(0), ValueError, "positive integer, got 0"),
    (np.arange(5), 2.5, np.random.default_rng(0), ValueError, "positive integer, got 2.5"),
    (np.arange(5), 2, 42, TypeError, "numpy.random.Generator"),
])  # fmt: skip
def test_minibatches_bad_input(y, batch_size, rng, error, message):
    with pytest.raises(error, match=message):
        list(minibatches(np.zeros((5, 2)), y, batch_size, rng))


def test_flatten_scales_to_unit_interval():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    np.testing.assert_allclose(flatten(images), [[0.0, 1.0, 0.2, 0.4]])
    with pytest.raises(ValueError, match="batch of images"):
        flatten(np.zeros(3))


def test_zca_filter_whitens_correlated_images(rng):
    # smooth (strongly correlated) random images: a badly conditioned patch covariance
    x = ndimage.gaussian_filter(rng.standard_normal((20, 2, 16, 16)), sigma=(0, 0, 1.5, 1.5))

    def patch_condition(images):
        cols = im2col(images - images.mean(axis=(0, 2, 3), keepdims=True), (3, 3), (1, 1), (1, 1),
                           (images.shape[2] - 2, images.shape[3] - 2))
        ev = np.linalg.eigvalsh(cols @ cols.T)
        return ev[-1] / ev[0]

    W = zca_filter(x, 3, eps=1e-6)
    white = Conv2d(2, 2, 3, padding=1, bias=False).set_weights(W).forward(x - x.mean(axis=(0, 2, 3), keepdims=True))
    # a 3x3 filter cannot fully whiten 3x3 patches (they see 5x5 inputs), but most of the spread goes
    assert patch_condition(x) > 1e3
    assert patch_condition(white[:, :, 1:-1, 1:-1]) < patch_condition(x) / 30
    with pytest.raises(ValueError, match="odd"):
        zca_filter(x, 4, eps=1e-6)


def test_zca_filter_of_white_noise_is_a_scaled_delta(rng):
    x = 2.0 * rng.standard_normal((200, 1, 16, 16))  # already white, variance 4
    W = zca_filter(x, 3, eps=1e-9)
    delta = np.zeros((1, 1, 3, 3))
    delta[0, 0, 1, 1] = 0.5  # 1 / std
    np.testing.assert_allclose(W, delta, atol=0.03)
