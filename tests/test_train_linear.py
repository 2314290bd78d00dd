"""The pieces notebook 01 trains with: split, standardise, mini-batches, fit of a linear softmax."""
import numpy as np
import pytest

from helpers.data import Standardizer, minibatches, train_val_split
from helpers.layers import Linear
from helpers.losses import SoftmaxCrossEntropy, l2_penalty
from helpers.train import SGD, accuracy, fit


def blobs(rng, n_per_class=200, k=3, d=2, spread=0.5):
    """k Gaussian blobs around the corners of a simplex: linearly separable up to ~1% overlap."""
    centers = 3 * np.eye(k, d)
    X = np.concatenate([c + spread * rng.standard_normal((n_per_class, d)) for c in centers])
    y = np.repeat(np.arange(k), n_per_class)
    return X, y


def test_train_val_split_is_a_reproducible_partition():
    X, y = np.arange(60).reshape(30, 2), np.arange(30)
    X_tr, y_tr, X_val, y_val = train_val_split(X, y, 1 / 6, np.random.default_rng(0))
    assert (len(X_tr), len(X_val)) == (25, 5)
    assert sorted(np.concatenate([y_tr, y_val]).tolist()) == list(range(30))
    np.testing.assert_array_equal(X_tr[:, 0], 2 * y_tr)  # rows stay paired with their labels
    again = train_val_split(X, y, 1 / 6, np.random.default_rng(0))
    np.testing.assert_array_equal(again[3], y_val)
    assert not np.array_equal(y_tr, np.sort(y_tr))  # shuffled, not the first 25 rows


def test_standardizer_uses_training_statistics_only(rng):
    X_train = rng.normal(5.0, 2.0, size=(1000, 3))
    X_test = X_train[:10] + 100.0
    st = Standardizer().fit(X_train)
    Z = st.transform(X_train)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1, rtol=1e-6)
    # a shifted test set is mapped with the training mean, so the shift stays visible
    np.testing.assert_allclose(st.transform(X_test) - Z[:10],
                               np.tile(100.0 / (X_train.std(axis=0) + st.eps), (10, 1)))


def test_standardizer_floor_tames_constant_features():
    X_train = np.zeros((10000, 2))
    X_train[0, 1] = 1.0  # a border pixel lit in one training image only: std 0.01
    X_test = np.array([[0.0, 1.0]])
    assert abs(Standardizer().fit(X_train).transform(X_test)).max() > 90
    assert abs(Standardizer(eps=0.1).fit(X_train).transform(X_test)).max() < 10


def test_minibatches_cover_every_row_once_in_a_new_order_each_epoch(rng):
    X, y = np.arange(23)[:, None], np.arange(23)
    epochs = [[yb for _, yb in minibatches(X, y, 5, rng)] for _ in range(2)]
    for batches in epochs:
        assert [len(b) for b in batches] == [5, 5, 5, 5, 3]
        assert sorted(np.concatenate(batches).tolist()) == list(range(23))
    assert not np.array_equal(np.concatenate(epochs[0]), np.concatenate(epochs[1]))
    for Xb, yb in minibatches(X, y, 5, rng):
        np.testing.assert_array_equal(Xb[:, 0], yb)


def test_l2_penalty_value_and_gradient(rng):
    layer = Linear(4, 3, rng)
    layer.grads["W"][...] = 0.0
    layer.grads["b"][...] = 0.0
    layer.params["b"][...] = 1.0
    penalty = l2_penalty(layer, 0.3)
    assert penalty == pytest.approx(0.3 * np.sum(layer.params["W"] ** 2))
    np.testing.assert_allclose(layer.grads["W"], 0.6 * layer.params["W"])
    np.testing.assert_array_equal(layer.grads["b"], 0.0)  # biases are not penalised


def test_fit_learns_separable_blobs(rng):
    X, y = blobs(rng)
    X_tr, y_tr, X_val, y_val = train_val_split(X, y, 0.25, rng)
    model = Linear(2, 3, rng, weight_scale=0.01)
    history = fit(model, SoftmaxCrossEntropy(), X_tr, y_tr, epochs=8, batch_size=32, optimizer=SGD(0.5), rng=rng,
                  reg=1e-4, X_val=X_val, y_val=y_val, verbose=False)
    assert set(history) == {"loss", "train_loss", "train_cost", "train_acc", "val_loss", "val_cost", "val_acc", "time"}
    assert all(len(v) == 8 for v in history.values())
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["val_acc"][-1] >= 0.97
    assert accuracy(model, X_val, y_val) == history["val_acc"][-1]


def test_fit_in_float32_stays_float32(rng):
    X, y = blobs(rng, n_per_class=50)
    model = Linear(2, 3, rng, weight_scale=0.01, dtype=np.float32)
    fit(model, SoftmaxCrossEntropy(), X.astype(np.float32), y, epochs=2, batch_size=25, optimizer=SGD(0.5),
        rng=rng, reg=1e-3, verbose=False)
    assert model.params["W"].dtype == np.float32 and model.params["b"].dtype == np.float32


def test_fit_rejects_labels_the_model_cannot_output(rng):
    X, y = blobs(rng, n_per_class=5)
    with pytest.raises(ValueError, match=r"0\.\.1"):
        fit(Linear(2, 2, rng), SoftmaxCrossEntropy(), X, y, epochs=1, batch_size=4, optimizer=SGD(0.1), rng=rng)
