"""Issue 12, "no silent failures": a wrong number must never pass quietly.

Sections follow the issue's items 1-7; each test failed before the fix.
"""
import os
import pickle
import stat
import subprocess
import sys
import tempfile

import filelock
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from fake_datasets import cifar_batch, md5, write_fake_cifar, write_fake_cifar_tarball, write_fake_mnist  # noqa: E402
from test_download import good_remote, listing, no_proxy, server  # noqa: E402, F401  (fixtures)

import helpers.download as download  # noqa: E402
import helpers.functional as F  # noqa: E402
from helpers.data import MNIST_FILES, Standardizer, load_cifar10, load_mnist
from helpers.download import DATASETS, DataError, Remote, ensure, fetch, missing_files
from helpers.gradcheck import (gradient_test, jacobian_test, layer_jacobian_tests,
                               network_gradient_test, numerical_gradient, rel_error, taylor_verdict)
from helpers.layers import Linear, ReLU, Sequential, Tanh
from helpers.losses import CourseSoftmaxCrossEntropy, L2Loss, SoftmaxCrossEntropy
from helpers.networks import two_layer_net
from helpers.plotting import (plot_confusion, plot_decision_regions, plot_gradient_test, plot_history,
                              show_images, show_templates)
from helpers.train import SGD, fit


# ------------------------------------------------------------ 1. gradient checks and non-finite values
def f_square(x):
    return float(np.sum(x**2))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_gradient_test_calls_a_non_finite_gradient_wrong(bad, rng):
    x = rng.standard_normal(6)
    verdict = taylor_verdict(*gradient_test(f_square, lambda z: np.full(z.shape, bad), x))
    assert verdict.startswith("WRONG") and verdict not in ("O(eps^2)", "exact")


def test_gradient_test_calls_a_single_nan_entry_wrong(rng):
    x = rng.standard_normal(6)

    def grad(z):
        g = 2 * z
        g[3] = np.nan
        return g

    assert taylor_verdict(*gradient_test(f_square, grad, x)).startswith("WRONG")


def test_gradient_test_calls_a_non_finite_loss_wrong(rng):
    x = rng.standard_normal(4)
    verdict = taylor_verdict(*gradient_test(lambda z: float("nan"), lambda z: 2 * z, x))
    assert verdict.startswith("WRONG")


def test_jacobian_test_calls_a_nan_backward_wrong(rng):
    x = rng.standard_normal((3, 4))
    verdict = taylor_verdict(*jacobian_test(np.tanh, lambda u: np.full(u.shape, np.nan), x))
    assert verdict.startswith("WRONG")


class NanBackward(Linear):
    def backward(self, dout):
        super().backward(dout)
        self.grads["W"] = np.full_like(self.grads["W"], np.nan)
        return np.full((dout.shape[0], self.params["W"].shape[0]), np.inf)


def test_layer_jacobian_tests_call_a_non_finite_backward_wrong(rng):
    layer = NanBackward(4, 3, rng)
    results = layer_jacobian_tests(layer, rng.standard_normal((5, 4)), rng=rng)
    assert taylor_verdict(*results["x"]).startswith("WRONG")
    assert taylor_verdict(*results["W"]).startswith("WRONG")


def test_network_gradient_test_calls_a_nan_gradient_wrong(rng):
    model = Sequential(NanBackward(4, 5, rng), Tanh(), Linear(5, 3, rng))
    X, T = rng.standard_normal((6, 4)), np.eye(3)[rng.integers(0, 3, 6)]
    verdict = taylor_verdict(*network_gradient_test(model, SoftmaxCrossEntropy(guard=0), X, T, rng=rng))
    assert verdict.startswith("WRONG")


def test_rel_error_of_a_nan_gradient_is_not_small():
    err = rel_error(np.array([1.0, np.nan]), np.array([1.0, 2.0]))
    assert err > 1e-3  # notebook 04's test; a NaN error compared False with every threshold


def test_taylor_verdict_refuses_mismatched_arrays():
    with pytest.raises(ValueError, match="one shape"):
        taylor_verdict(np.ones(4), np.ones(3), np.ones(4))


# ------------------------------------------------------------ 2. one NaN must not vanish
def blobs(rng, n=90):
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    y = np.arange(n) % 3
    return centres[y] + 0.3 * rng.standard_normal((n, 2)), y


def test_relu_propagates_nan():
    y = ReLU().forward(np.array([[-1.0, np.nan, 2.0]]))
    assert np.isnan(y[0, 1]) and y[0, 0] == 0 and y[0, 2] == 2


def test_a_nan_input_reaches_the_loss_of_a_relu_network(rng):
    net = two_layer_net(3, 8, 2, rng)
    X = rng.standard_normal((4, 3))
    X[1, 2] = np.nan
    assert np.isnan(SoftmaxCrossEntropy().forward(net.forward(X), np.eye(2)[[0, 1, 0, 1]]))


def test_fit_refuses_nan_inputs_from_a_standardizer_without_eps(rng):
    X, y = blobs(rng)
    X = np.column_stack([X, np.ones(len(X))])  # a constant feature, as MNIST's border pixels
    with np.errstate(all="ignore"):
        Xs = (X - X.mean(axis=0)) / X.std(axis=0)  # what Standardizer(eps=0) returned
    with pytest.raises(ValueError, match=r"NaN or infinite.*eps"):
        fit(two_layer_net(3, 8, 3, rng), SoftmaxCrossEntropy(), Xs, y, epochs=1, batch_size=10,
            optimizer=SGD(0.1), rng=rng, verbose=False)


def test_standardizer_without_eps_refuses_constant_features(rng):
    X = np.column_stack([rng.standard_normal(10), np.ones(10)])
    with pytest.raises(ValueError, match="constant"):
        Standardizer(eps=0).fit_transform(X)


class NanAfter(Linear):
    """A Linear layer whose output turns NaN from its `after`-th forward on (a numeric fault)."""

    def __init__(self, *args, after=5, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls, self.after = 0, after

    def forward(self, x):
        self.calls += 1
        y = super().forward(x)
        return y * np.nan if self.calls > self.after else y


def test_fit_stops_at_the_first_non_finite_loss_and_says_where(rng):
    X, y = blobs(rng)
    net = Sequential(Linear(2, 8, rng), ReLU(), NanAfter(8, 3, rng, after=4))  # forward 1 is fit's probe
    with pytest.raises(FloatingPointError, match=r"nan at epoch 1, batch 4 \(lr=0\.1"):
        fit(net, SoftmaxCrossEntropy(), X, y, epochs=2, batch_size=10, optimizer=SGD(0.1), rng=rng,
            verbose=False)


def test_fit_refuses_a_model_with_nan_weights(rng):
    X, y = blobs(rng)
    net = two_layer_net(2, 8, 3, rng)
    net[0].params["W"][0, 0] = np.nan
    with pytest.raises(FloatingPointError, match="NaN"):
        fit(net, SoftmaxCrossEntropy(), X, y, epochs=1, batch_size=10, optimizer=SGD(0.1), rng=rng,
            verbose=False)


# ------------------------------------------------------------ 3. divergence and hyper-parameters
@pytest.mark.parametrize("loss_fn", [CourseSoftmaxCrossEntropy(), SoftmaxCrossEntropy()], ids=["guarded", "exact"])
def test_fit_warns_or_stops_when_training_diverges(loss_fn, rng):
    X, y = rng.standard_normal((300, 20)), rng.integers(0, 10, 300)  # the lr=1e3
    with pytest.warns(RuntimeWarning, match="diverging"):
        try:
            fit(two_layer_net(20, 32, 10, rng), loss_fn, X, y, epochs=3, batch_size=30, optimizer=SGD(1e3),
                rng=rng, verbose=False)
        except FloatingPointError:  # stopping at an infinite loss is fine too, after the warning
            pass


@pytest.mark.parametrize("lr", [float("nan"), float("inf"), -1.0, 0.0, "0.1", True])
def test_sgd_refuses_a_learning_rate_that_is_not_a_positive_number(lr):
    with pytest.raises(ValueError, match="finite lr > 0"):
        SGD(lr)


@pytest.mark.parametrize(
    "kwargs,message",
    [({"reg": -1}, "reg"), ({"reg": float("nan")}, "reg"), ({"lr_decay": -1}, "lr_decay"),
     ({"lr_decay": 0}, "lr_decay"), ({"epochs": -1}, "epochs"), ({"epochs": 0}, "epochs"),
     ({"epochs": 2.5}, "epochs")],
)
def test_fit_refuses_bad_hyperparameters_before_training(kwargs, message, rng):
    X, y = blobs(rng)
    net = two_layer_net(2, 8, 3, rng)
    before = net[0].params["W"].copy()
    args = dict(epochs=1, batch_size=10, optimizer=SGD(0.1), rng=rng, verbose=False) | kwargs
    with pytest.raises(ValueError, match=message):
        fit(net, SoftmaxCrossEntropy(), X, y, **args)
    np.testing.assert_array_equal(net[0].params["W"], before)  # refused before any step


def test_one_sgd_passed_to_two_fits_trains_the_same_way_twice():
    X, y = blobs(np.random.default_rng(0))
    opt = SGD(0.1, momentum=0.9)
    runs = []
    for _ in range(2):
        net = two_layer_net(2, 8, 3, np.random.default_rng(1))
        runs.append(fit(net, SoftmaxCrossEntropy(), X, y, epochs=3, batch_size=10, optimizer=opt,
                        rng=np.random.default_rng(2), lr_decay=0.5, verbose=False)["loss"])
    assert runs[0] == runs[1]


def test_fit_resume_carries_the_optimiser_on():
    X, y = blobs(np.random.default_rng(0))
    opt = SGD(0.1, momentum=0.9)
    net = two_layer_net(2, 8, 3, np.random.default_rng(1))
    fit(net, SoftmaxCrossEntropy(), X, y, epochs=2, batch_size=10, optimizer=opt,
        rng=np.random.default_rng(2), lr_decay=0.5, verbose=False)
    fit(net, SoftmaxCrossEntropy(), X, y, epochs=1, batch_size=10, optimizer=opt,
        rng=np.random.default_rng(2), lr_decay=0.5, verbose=False, resume=True)
    assert opt.lr == pytest.approx(0.1 * 0.5**3) and opt.velocity


# ------------------------------------------------------------ 5. integers are promoted before arithmetic
def test_l2_loss_of_uint8_images_does_not_wrap():
    y, t = np.zeros((1, 1, 1, 1), dtype=np.uint8), np.full((1, 1, 1, 1), 255, dtype=np.uint8)
    loss = L2Loss()
    assert loss.forward(y, t) == 0.5 * 255**2
    assert loss.backward()[0, 0, 0, 0] == -255.0


def test_softmax_of_int8_scores():
    np.testing.assert_allclose(F.softmax(np.array([[127, -128]], dtype=np.int8)), [[1.0, 0.0]], atol=1e-100)


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax, lambda s: F.softmax_cross_entropy(s, np.eye(3)[[0, 2]])[1]])
def test_uint8_scores_give_the_float_answer(fn):
    scores = np.array([[0, 200, 255], [3, 1, 250]], dtype=np.uint8)
    np.testing.assert_allclose(fn(scores), fn(scores.astype(np.float64)), rtol=1e-12)


def test_softmax_cross_entropy_layer_of_uint8_scores_is_finite():
    scores = np.array([[0, 200, 255]], dtype=np.uint8)
    assert SoftmaxCrossEntropy().forward(scores, np.eye(3)[[0]]) == pytest.approx(255 + np.log1p(np.exp(-55) + np.exp(-255)))


# ------------------------------------------------------------ 6. the default loss is the exact loss
def test_default_softmax_cross_entropy_is_what_its_backward_differentiates():
    scores, targets = np.array([[30.0, -30.0, 0.0]]), np.array([[0.0, 1.0, 0.0]])
    loss_fn = SoftmaxCrossEntropy()
    loss_fn.forward(scores, targets)
    analytic = loss_fn.backward()
    numeric = numerical_gradient(lambda s: loss_fn.forward(s, targets), scores.copy())
    np.testing.assert_allclose(numeric, analytic, rtol=1e-6, atol=1e-9)  # guarded: off by 1.0


def test_default_loss_equals_the_exact_log_softmax_loss(rng):
    scores, targets = 5 * rng.standard_normal((6, 4)), np.eye(4)[rng.integers(0, 4, 6)]
    exact, _ = F.softmax_cross_entropy(scores, targets)
    assert SoftmaxCrossEntropy().forward(scores, targets) == pytest.approx(exact, rel=1e-14)
    assert SoftmaxCrossEntropy(guard=0).forward(scores, targets) == pytest.approx(exact, rel=1e-14)


def test_the_course_guarded_loss_is_available_by_name(rng):
    scores, targets = rng.standard_normal((6, 4)), np.eye(4)[rng.integers(0, 4, 6)]
    course = F.cross_entropy(F.softmax(scores), targets, guard=F.COURSE_GUARD)
    assert CourseSoftmaxCrossEntropy().forward(scores, targets) == pytest.approx(course, rel=1e-14)
    assert SoftmaxCrossEntropy(guard=1e-9).forward(scores, targets) == pytest.approx(course, rel=1e-14)


# ------------------------------------------------------------ 7. smaller ones (numerics)
@pytest.mark.parametrize("probs", [[[2.0, -1.0, 0.5]], [[0.2, np.nan, 0.8]], [[3.0, 1.0, 0.5]]])
def test_cross_entropy_refuses_scores_in_place_of_probabilities(probs):
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*softmax"):
        F.cross_entropy(np.array(probs), np.array([[0.0, 0.0, 1.0]]))


def test_linear_backward_does_not_see_changes_to_x_after_forward(rng):
    layer = Linear(3, 2, rng)
    x = rng.standard_normal((4, 3))
    dout = rng.standard_normal((4, 2))
    layer.forward(x)
    expected = x.T @ dout
    x[...] = 0  # the caller reuses its buffer
    layer.backward(dout)
    np.testing.assert_allclose(layer.grads["W"], expected, rtol=1e-14)


def test_loss_caches_do_not_follow_the_callers_arrays(rng):
    y, t = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    for loss, targets in ((L2Loss(), t), (SoftmaxCrossEntropy(), np.eye(2)[[0, 1, 1]])):
        loss.forward(y, targets)
        expected = loss.backward()
        targets[...] = 7
        np.testing.assert_allclose(loss.backward(), expected, rtol=1e-14)


# ------------------------------------------------------------ 4 and 7. the data layer
@pytest.fixture
def served_tarball(server, tmp_path, rng, monkeypatch):
    """The local server holds a fake CIFAR-10 tarball; the registry points at it."""
    tarball = server.root / "cifar-10-python.tar.gz"
    batches = write_fake_cifar_tarball(tarball, tmp_path / "staging", rng, n=4)
    required, _ = DATASETS["cifar10"]
    monkeypatch.setitem(DATASETS, "cifar10", (required, (Remote(tarball.name, md5(tarball), (server.url + tarball.name,)),)))
    return batches


def test_a_missing_cifar_file_does_not_delete_the_users_files(served_tarball, tmp_path):
    root = tmp_path / "data"
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    (folder / "my_notes.txt").write_text("my own work")
    (folder / "data_batch_1").write_bytes(b"the user's own copy")  # in place: never overwritten
    ensure("cifar10", root, progressbar=False)
    assert (folder / "my_notes.txt").read_text() == "my own work"
    assert (folder / "data_batch_1").read_bytes() == b"the user's own copy"
    assert missing_files("cifar10", root) == []
    assert load_cifar10(2, root=root)[0].shape == (4, 3, 32, 32)


def test_downloaded_files_get_normal_permissions(server, tmp_path):
    old = os.umask(0o022)
    try:
        path = fetch(good_remote(server.url), tmp_path / "dl", progressbar=False)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # pooch's temporary file was 0600


KILLED_DOWNLOAD = """
import os, sys
from pathlib import Path
import helpers.download as download

def killed(url, known_hash, fname, path, downloader):
    (Path(path) / "tmpk1ll3d").write_bytes(b"half a file")  # what pooch has written so far
    os._exit(9)  # killed: no finally block runs

download.pooch.retrieve = killed
download.fetch(download.Remote("good.bin", "0" * 32, ("http://127.0.0.1:9/good.bin",)), sys.argv[1], progressbar=False)
"""


def test_a_killed_download_leaves_no_temporary_file_behind(server, tmp_path):
    folder = tmp_path / "dl"
    folder.mkdir()
    assert subprocess.run([sys.executable, "-c", KILLED_DOWNLOAD, str(folder)]).returncode == 9
    fetch(good_remote(server.url), folder, progressbar=False)  # the next run cleans up
    assert listing(folder) == ["good.bin"]


def test_concurrent_fetches_are_serialised_by_a_file_lock(server, tmp_path, monkeypatch, rng, fake_official_sizes):
    served = write_fake_mnist(server.root / "mnist-mirror", rng)
    remotes = [Remote(f, md5(server.root / "mnist-mirror" / f), (server.url + "mnist-mirror/" + f,))
               for f in MNIST_FILES["train"] + MNIST_FILES["test"]]
    required, _ = DATASETS["mnist"]
    monkeypatch.setitem(DATASETS, "mnist", (required, tuple(remotes)))
    real_retrieve, held = download.pooch.retrieve, []

    def retrieve(*args, **kwargs):
        other = filelock.FileLock(str(download.lock_path(tmp_path, "mnist")))  # as another process would
        try:
            other.acquire(timeout=0)
            other.release()
            held.append(False)
        except filelock.Timeout:
            held.append(True)
        return real_retrieve(*args, **kwargs)

    monkeypatch.setattr(download.pooch, "retrieve", retrieve)
    ensure("mnist", tmp_path, progressbar=False)
    assert held == [True] * 4
    np.testing.assert_array_equal(load_mnist("test", root=tmp_path)[0], served["test"][0])


def test_a_read_only_data_folder_is_not_called_a_network_problem(server, tmp_path, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path))

    # what a read-only folder does to every temporary file (also as root, who ignores chmod)
    monkeypatch.setattr(tempfile, "mkdtemp", denied)
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", denied)
    with pytest.raises(DataError) as err:
        fetch(good_remote(server.url), tmp_path / "ro", progressbar=False)
    assert "cannot write" in str(err.value) and "internet" not in str(err.value)


def test_mnist_test_files_replaced_by_train_files_are_refused(tmp_path, rng, fake_official_sizes):
    write_fake_mnist(tmp_path / "mnist", rng)  # 7 train, 3 test images: the fakes' "official" sizes
    for train_file, test_file in zip(MNIST_FILES["train"], MNIST_FILES["test"]):
        (tmp_path / "mnist" / test_file).write_bytes((tmp_path / "mnist" / train_file).read_bytes())
    with pytest.raises(DataError, match=r"holds 7 images, but the official MNIST test split has 3"):
        load_mnist("test", root=tmp_path)


def test_cifar_batch_with_fewer_labels_than_images_is_refused(tmp_path, rng):
    folder = tmp_path / "cifar-10-batches-py"
    write_fake_cifar(folder, rng, n=9)
    batch = cifar_batch(rng, 9)
    batch[b"labels"] = batch[b"labels"][:8]  # 900 images with 800 labels, in small
    (folder / "data_batch_1").write_bytes(pickle.dumps(batch, protocol=2))
    with pytest.raises(DataError, match="9 images but labels of shape"):
        load_cifar10(1, root=tmp_path)


class Planted:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (self.marker,)  # any callable: this one leaves a trace


def test_cifar_pickle_cannot_run_planted_code(tmp_path, rng):
    folder = tmp_path / "cifar-10-batches-py"
    write_fake_cifar(folder, rng)
    marker = tmp_path / "code-ran"
    (folder / "data_batch_1").write_bytes(pickle.dumps({b"data": Planted(str(marker)), b"labels": []}, protocol=2))
    with pytest.raises(DataError, match="refusing to load"):
        load_cifar10(1, root=tmp_path)
    assert not marker.exists()


@pytest.mark.parametrize(
    "call",
    [lambda: plot_history({"loss": [1.0, 0.5]}),
     lambda: show_images(np.zeros((3, 8, 8)), titles=["a", "b"]),
     lambda: plot_confusion(np.eye(3, dtype=int), ["a", "b"]),
     lambda: plot_gradient_test(np.ones(4), np.ones(3), np.ones(4)),
     lambda: show_templates(np.zeros((10, 3)), (28, 28), ["a", "b", "c"]),
     lambda: plot_decision_regions(lambda G: np.zeros(len(G), dtype=int), np.zeros((5, 3)), np.zeros(5, dtype=int))],
    ids=["history", "images", "confusion", "gradient_test", "templates", "decision_regions"],
)
def test_plotting_helpers_say_what_they_expected(call):
    with pytest.raises(ValueError, match="expects .*, got"):
        call()
    plt.close("all")


def test_two_fetches_of_cifar_at_once_both_succeed(served_tarball, tmp_path):
    import threading

    root, errors = tmp_path / "data", []

    def run():
        try:
            ensure("cifar10", root, progressbar=False)
        except Exception as err:  # noqa: BLE001  (collected, reported below)
            errors.append(err)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert listing(root) == ["cifar-10-batches-py"]
    assert load_cifar10("test", root=root)[0].shape == (4, 3, 32, 32)
