"""Datasets as NumPy arrays (rows are samples): the loaders of MNIST, CIFAR-10 and the course
sets, and the reference filters of lesson 06.

Loaders fetch missing files on first use (see `helpers.download`), so a student who only
pip-installed `helpers` gets the data too. The preparation of the data (one-hot labels, splits,
standardisation, flattening, mini-batches, ZCA whitening) lives in `helpers.prepare`, which
does no file I/O; its names are re-exported here, where the lessons import them from.
"""
import gzip
import pickle
from pathlib import Path

import idx2numpy
import numpy as np

from .checks import is_int
from .course_data import load_course_data
from .download import CIFAR10_BATCHES, FOLDERS, MNIST_FILES, DataError, data_dir, ensure
from .prepare import Standardizer, flatten, minibatches, one_hot, train_val_split, zca_filter

# The official sizes the loaders check. MNIST's files are used whole, so their counts must be
# exact; a CIFAR-10 batch may be a trimmed copy (the lessons use its first 900 or 800 images),
# but never more than the official 10000 images of 3 x 32 x 32 bytes.
OFFICIAL_SIZES = {"mnist train": 60000, "mnist test": 10000, "cifar10 batch": 10000}
N_CLASSES = 10
C0_SHAPE, C0_SEED = (20, 3, 5, 5), 6


def load_mnist(split="train", root=None):
    """MNIST images (N, 28, 28) uint8 and labels (N,) int64; split is 'train' (60k) or 'test' (10k).

    The labels are int64 like load_cifar10's, so both index arrays and count with np.bincount alike.
    """
    if split not in MNIST_FILES:
        raise ValueError(f"MNIST split must be 'train' or 'test', got {split!r}")
    folder = ensure("mnist", root) / FOLDERS["mnist"]
    images_file, labels_file = MNIST_FILES[split]
    images, labels = _read_idx_gz(folder / images_file), _read_idx_gz(folder / labels_file)
    if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0] or images.shape[1:] != (28, 28):
        raise ValueError(
            f"MNIST files in {folder} are inconsistent: images {images.shape}, labels {labels.shape} "
            f"(expected images (N, 28, 28) and N labels); delete them and run `make data` again"
        )
    official = OFFICIAL_SIZES[f"mnist {split}"]
    if official is not None and len(labels) != official:
        raise DataError(
            f"{folder / images_file} holds {len(labels)} images, but the official MNIST {split} split "
            f"has {official} (files of the other split copied in its place?); delete the {split} "
            f"files and run `make data` again"
        )
    if labels.size and labels.max() >= N_CLASSES:
        raise DataError(f"{folder / labels_file} holds labels up to {labels.max()}, expected digits 0..9; "
                        f"delete it and run `make data` again")
    return images, labels.astype(np.int64)


def load_mnist_split(val_fraction=1 / 6, seed=0, root=None):
    """MNIST's official training set split into train and validation, and its test set.

    val_fraction of the 60 000 training images (1/6: 50 000 / 10 000; DLCV's 70/30 split: 0.3) go
    to validation, drawn with np.random.default_rng(seed). Returns
    (X_train, y_train, X_val, y_val, X_test, y_test): uint8 images (N, 28, 28), int64 labels (N,).
    """
    images, labels = load_mnist("train", root)
    X_tr, y_tr, X_val, y_val = train_val_split(images, labels, val_fraction, np.random.default_rng(seed))
    return (X_tr, y_tr, X_val, y_val, *load_mnist("test", root))


def _read_idx_gz(path):
    """A gzipped IDX file -> a (writable) array; a damaged file gets an error that says so."""
    try:
        with gzip.open(path, "rb") as f:
            return np.array(idx2numpy.convert_from_file(f))  # a copy: frombuffer's is read-only
    except (OSError, EOFError, idx2numpy.FormatError) as err:
        raise DataError(
            f"{path} is not a valid gzipped IDX file ({type(err).__name__}: {err}); "
            f"delete it and run `make data` again"
        ) from err


class _CifarUnpickler(pickle.Unpickler):
    """Unpickles only what the official CIFAR-10 files hold: dicts, lists, bytes, numbers and
    uint8 NumPy arrays. Plain `pickle.load` would import and call anything the file names (a
    planted file runs code); here any other global is refused."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),  # bytes in a protocol-2 pickle written by Python 3
    }

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name}: a CIFAR-10 file holds only dicts, lists, bytes and "
                f"NumPy arrays"
            )
        return super().find_class(module, name)


def _read_pickle(path, keys):
    """A CIFAR-10 pickle -> its dict; a damaged file or one lacking `keys` gets a clear error."""
    try:
        with open(path, "rb") as f:
            d = _CifarUnpickler(f, encoding="bytes").load()
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, IndexError,
            KeyError) as err:
        raise DataError(
            f"{path} is not a readable CIFAR-10 pickle ({type(err).__name__}: {err}); "
            f"delete it and run `make data` again"
        ) from err
    if not isinstance(d, dict) or any(k not in d for k in keys):
        found = sorted(d) if isinstance(d, dict) else type(d).__name__
        raise DataError(f"{path} should hold a dict with keys {list(keys)}, found {found}")
    return d


def load_cifar10(batch, n=None, root=None):
    """One CIFAR-10 batch: images (N, 3, 32, 32) uint8, labels (N,) int64, the 10 class names.

    batch: 1..5 or 'data_batch_1'..'data_batch_5' for training, 'test' or 'test_batch'.
    n: the first n images only; asking for more than the batch holds is an error.
    """
    name = _cifar_batch_name(batch)
    folder = ensure("cifar10", root) / FOLDERS["cifar10"]
    if n is not None and not is_int(n):
        raise TypeError(f"n must be a whole number of images, got {n!r}")
    d = _read_pickle(folder / name, (b"data", b"labels"))
    meta = _read_pickle(folder / "batches.meta", (b"label_names",))
    names = meta[b"label_names"]
    if not (isinstance(names, list) and len(names) == N_CLASSES and all(isinstance(c, bytes) for c in names)):
        raise DataError(f"{folder / 'batches.meta'} should name the {N_CLASSES} classes, found {names!r:.200}")
    classes = [c.decode() for c in names]
    images, labels = _check_cifar_batch(folder / name, d[b"data"], d[b"labels"])
    if n is not None:
        if not 0 < n <= len(labels):
            raise ValueError(
                f"asked for the first {n} images of {name}, but {folder / name} holds "
                f"{len(labels)}"
            )
        images, labels = images[:n], labels[:n]
    return images, labels, classes


def _check_cifar_batch(path, data, labels):
    """A batch's data (N, 3072) uint8 and labels (N,) in 0..9 -> images (N, 3, 32, 32), labels int64."""
    data = np.asarray(data)
    official = OFFICIAL_SIZES["cifar10 batch"]
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise DataError(
            f"{path} should hold data of shape (N, 3072) uint8 (the official 3 x 32 x 32 bytes an "
            f"image), got {data.shape} {data.dtype}; delete it and run `make data` again"
        )
    try:
        labels = np.asarray(labels, dtype=np.int64)
    except (TypeError, ValueError, OverflowError) as err:
        raise DataError(f"{path} should hold integer labels, got {type(labels).__name__}: {err}") from None
    if labels.shape != (len(data),):
        raise DataError(
            f"{path} holds {len(data)} images but labels of shape {labels.shape}: expected one label "
            f"an image; delete it and run `make data` again"
        )
    if official is not None and len(data) > official:
        raise DataError(f"{path} holds {len(data)} images, more than an official batch's {official}")
    if labels.size and (labels.min() < 0 or labels.max() >= N_CLASSES):
        raise DataError(f"{path} holds labels {labels.min()}..{labels.max()}, expected 0..{N_CLASSES - 1}")
    return data.reshape(-1, 3, 32, 32), labels


def _cifar_batch_name(batch):
    if is_int(batch) and 1 <= batch <= 5:
        return f"data_batch_{batch}"
    if batch == "test":
        return "test_batch"
    if batch in CIFAR10_BATCHES:
        return batch
    raise ValueError(f"CIFAR-10 batch must be 1..5, 'test' or one of {CIFAR10_BATCHES}, got {batch!r}")


def load_cifar10_subset(n_per_batch=900, n_test=800, root=None):
    """The lessons' CIFAR-10: the first n_per_batch images of each of the 5 training batches
    and the first n_test of test_batch. Returns (X_train, y_train, X_test, y_test, classes)."""
    parts = [load_cifar10(b, n_per_batch, root) for b in range(1, 6)]
    X_test, y_test, classes = load_cifar10("test", n_test, root)
    X_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    return X_train, y_train, X_test, y_test, classes


def load_c0_weights(root=None):
    """The reference filters C0 of the filter-learning exercise: (20, 3, 5, 5) float64.

    Read from C0_weights.npy in the data folder. The repository commits that file, made once by
    np.random.default_rng(6).uniform(-1, 1, size=(20, 3, 5, 5)); where it is missing (a pip
    install) the same recipe writes it first. An instructor's own file of that shape works too.
    """
    path = Path(root if root is not None else data_dir()) / "C0_weights.npy"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, np.random.default_rng(C0_SEED).uniform(-1.0, 1.0, size=C0_SHAPE))
    W0 = np.load(path)
    if W0.shape != C0_SHAPE:
        raise ValueError(f"{path.name} should hold weights of shape {C0_SHAPE}, got {W0.shape}")
    return W0.astype(np.float64)


__all__ = [
    "data_dir",
    "ensure",
    "load_mnist",
    "load_mnist_split",
    "flatten",
    "load_cifar10",
    "load_cifar10_subset",
    "load_course_data",
    "one_hot",
    "train_val_split",
    "Standardizer",
    "minibatches",
    "zca_filter",
    "load_c0_weights",
]


def fetch_all():
    """`make data`: put every dataset the lessons use into the data folder."""
    from .course_data import ensure_course_data

    for name in ("mnist", "cifar10"):
        print(f"{name:8s} in place in {ensure(name)}")
    ensure_course_data()


if __name__ == "__main__":
    fetch_all()
