"""helpers.data: the loaders on tiny fake datasets written from the published formats, damaged and
planted files refused by name, and smoke tests on the real data in data/."""
import gzip
import os
import pickle
from pathlib import Path

import numpy as np
import pytest
from fake_datasets import cifar_batch, idx_gz_bytes, write_fake_cifar, write_fake_mnist

import helpers.download as download
from helpers.data import (
    MNIST_FILES,
    load_cifar10,
    load_cifar10_subset,
    load_mnist,
    load_mnist_split,
)
from helpers.download import DataError, missing_files

REPO_DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(autouse=True)
def sizes_of_the_fakes(request):
    """Tests on fake files (in tmp_path) expect the fakes' sizes; those on data/ the official ones."""
    if "tmp_path" in request.fixturenames:
        request.getfixturevalue("fake_official_sizes")


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """These tests never download: a loader reaching for the network is a failure."""

    def refuse(*args, **kwargs):
        raise AssertionError("a loader tried to download")

    monkeypatch.setattr(download.pooch, "retrieve", refuse)


# ---------------------------------------------------------------- MNIST, fake files
def test_load_mnist_reads_idx_files(tmp_path, rng):
    written = write_fake_mnist(tmp_path / "mnist", rng)
    for split in ("train", "test"):
        images, labels = load_mnist(split, root=tmp_path)
        assert images.dtype == np.uint8 and images.shape == written[split][0].shape
        assert labels.dtype == np.int64 and labels.shape == (len(images),)
        np.testing.assert_array_equal(images, written[split][0])
        np.testing.assert_array_equal(labels, written[split][1])
    images[0, 0, 0] = 7  # the arrays are the caller's to modify


def test_load_mnist_bad_split_is_an_error():
    with pytest.raises(ValueError, match="'train' or 'test', got 'val'"):
        load_mnist("val")


def test_load_mnist_inconsistent_files_is_an_error(tmp_path, rng):
    write_fake_mnist(tmp_path / "mnist", rng, n_train=7)
    labels_file = tmp_path / "mnist" / MNIST_FILES["train"][1]
    labels_file.write_bytes(idx_gz_bytes(np.zeros(5, dtype=np.uint8)))
    with pytest.raises(ValueError, match=r"inconsistent: images \(7, 28, 28\), labels \(5,\)"):
        load_mnist("train", root=tmp_path)


@pytest.mark.parametrize("content", [b"not gzip at all", gzip.compress(b"\x00\x00\x08"), b""])
def test_load_mnist_damaged_file_names_it(tmp_path, rng, content):
    write_fake_mnist(tmp_path / "mnist", rng)
    damaged = tmp_path / "mnist" / MNIST_FILES["test"][0]
    damaged.write_bytes(content)
    with pytest.raises(DataError, match="make data") as err:
        load_mnist("test", root=tmp_path)
    assert str(damaged) in str(err.value)


# ---------------------------------------------------------------- CIFAR-10, fake files
def test_load_cifar10_layout_labels_and_classes(tmp_path, rng):
    batches = write_fake_cifar(tmp_path / "cifar-10-batches-py", rng, n=5)
    images, labels, classes = load_cifar10(2, root=tmp_path)
    assert images.dtype == np.uint8 and images.shape == (5, 3, 32, 32)
    assert labels.dtype == np.int64 and labels.tolist() == batches["data_batch_2"][b"labels"]
    assert len(classes) == 10 and classes[3] == "cat"
    # Official layout: each row is 1024 red, then 1024 green, then 1024 blue values, row-major.
    row = batches["data_batch_2"][b"data"][4]
    assert images[4, 1, 2, 3] == row[1 * 1024 + 2 * 32 + 3]
    assert images[4, 2, 31, 0] == row[2 * 1024 + 31 * 32 + 0]


@pytest.mark.parametrize("batch, file", [(1, "data_batch_1"), (5, "data_batch_5"), (np.int64(4), "data_batch_4"),
                                         ("test", "test_batch"), ("test_batch", "test_batch"),
                                         ("data_batch_3", "data_batch_3")])  # fmt: skip
def test_load_cifar10_batch_names(tmp_path, rng, batch, file):
    batches = write_fake_cifar(tmp_path / "cifar-10-batches-py", rng)
    _, labels, _ = load_cifar10(batch, root=tmp_path)
    assert labels.tolist() == batches[file][b"labels"]


@pytest.mark.parametrize("batch", [0, 6, "train", "data_batch_6", None])
def test_load_cifar10_bad_batch_is_an_error(tmp_path, rng, batch):
    write_fake_cifar(tmp_path / "cifar-10-batches-py", rng)
    with pytest.raises(ValueError, match="CIFAR-10 batch must be 1..5"):
        load_cifar10(batch, root=tmp_path)


def test_load_cifar10_first_n_and_too_many(tmp_path, rng):
    batches = write_fake_cifar(tmp_path / "cifar-10-batches-py", rng, n=6)
    images, labels, _ = load_cifar10("test", n=4, root=tmp_path)
    assert images.shape == (4, 3, 32, 32) and labels.tolist() == batches["test_batch"][b"labels"][:4]
    assert len(load_cifar10("test", n=6, root=tmp_path)[1]) == 6  # all of it is fine
    with pytest.raises(ValueError, match="first 7 images of test_batch, but .* holds 6"):
        load_cifar10("test", n=7, root=tmp_path)
    with pytest.raises(ValueError, match="first 0 images"):
        load_cifar10("test", n=0, root=tmp_path)
    with pytest.raises(TypeError, match="whole number"):
        load_cifar10("test", n=2.5, root=tmp_path)


def test_load_cifar10_damaged_pickle_names_it(tmp_path, rng):
    write_fake_cifar(tmp_path / "cifar-10-batches-py", rng)
    damaged = tmp_path / "cifar-10-batches-py" / "data_batch_1"
    damaged.write_bytes(b"\x80\x04 truncated")
    with pytest.raises(DataError, match="make data") as err:
        load_cifar10(1, root=tmp_path)
    assert str(damaged) in str(err.value)
    damaged.write_bytes(pickle.dumps({b"labels": [1, 2]}))
    with pytest.raises(DataError, match=r"keys \[b'data', b'labels'\]"):
        load_cifar10(1, root=tmp_path)


def test_load_cifar10_subset_concatenates_the_batches(tmp_path, rng):
    batches = write_fake_cifar(tmp_path / "cifar-10-batches-py", rng, n=5)
    X_tr, y_tr, X_te, y_te, classes = load_cifar10_subset(3, 2, root=tmp_path)
    assert X_tr.shape == (15, 3, 32, 32) and X_te.shape == (2, 3, 32, 32)
    expected = sum((batches[f"data_batch_{i}"][b"labels"][:3] for i in range(1, 6)), [])
    assert y_tr.tolist() == expected and y_te.tolist() == batches["test_batch"][b"labels"][:2]


# ---------------------------------------------------------------- the real data in data/
def need(name):
    if missing_files(name, REPO_DATA):
        pytest.skip(f"{name} is not in data/ (run `make data`)")


def test_real_mnist():
    need("mnist")
    images, labels = load_mnist("train", root=REPO_DATA)
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8 and labels.shape == (60000,)
    assert labels[:5].tolist() == [5, 0, 4, 1, 9]  # the well-known first training labels
    assert np.bincount(labels).min() > 5000 and images.max() == 255
    test_images, test_labels = load_mnist("test", root=REPO_DATA)
    assert test_images.shape == (10000, 28, 28) and test_labels[:3].tolist() == [7, 2, 1]


def test_real_cifar10():
    need("cifar10")
    images, labels, classes = load_cifar10(1, root=REPO_DATA)
    n = len(labels)  # 10000 in the official files; a local copy may hold only the first images
    assert images.shape == (n, 3, 32, 32) and images.dtype == np.uint8 and n >= 900
    assert classes == ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    assert labels[:10].tolist() == [6, 9, 9, 4, 1, 1, 2, 7, 8, 3]  # the official first labels
    with pytest.raises(ValueError, match=f"holds {n}"):
        load_cifar10(1, n=n + 1, root=REPO_DATA)
    X_tr, y_tr, X_te, y_te, _ = load_cifar10_subset(900, 800, root=REPO_DATA)
    assert X_tr.shape == (4500, 3, 32, 32) and X_te.shape == (800, 3, 32, 32)
    assert y_tr.shape == (4500,) and y_te.shape == (800,) and set(np.unique(y_tr)) == set(range(10))


# ---------------------------------------------------------------- one_hot


# ---------------------------------------------------------------- train_val_split


# ---------------------------------------------------------------- Standardizer


# ---------------------------------------------------------------- minibatches


def test_load_mnist_split_sizes_and_dtypes(tmp_path, rng):
    written = write_fake_mnist(tmp_path / "mnist", rng)
    X_tr, y_tr, X_val, y_val, X_te, y_te = load_mnist_split(0.3, seed=0, root=tmp_path)
    n = len(written["train"][1])
    assert len(X_val) == round(0.3 * n) and len(X_tr) + len(X_val) == n and len(X_te) == len(written["test"][1])
    assert y_tr.dtype == y_val.dtype == y_te.dtype == np.int64 and X_tr.dtype == np.uint8
    assert sorted(np.concatenate([y_tr, y_val]).tolist()) == sorted(written["train"][1].tolist())


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
