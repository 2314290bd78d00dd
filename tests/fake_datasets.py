"""Tiny stand-ins for the official MNIST and CIFAR-10 files, written byte by byte from the
published formats (not with the code under test), for loader and download tests."""
import gzip
import hashlib
import io
import pickle
import struct
import tarfile

import numpy as np

from helpers.data import MNIST_FILES

CIFAR_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def md5(path):
    return hashlib.md5(path.read_bytes()).hexdigest()


def idx_gz_bytes(array):
    """IDX format of a uint8 array: magic 0x0000 08 <ndim>, big-endian uint32 sizes, raw bytes."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return gzip.compress(header + array.tobytes())


def write_fake_mnist(folder, rng, n_train=7, n_test=3):
    """data/mnist/ with the four official file names; returns {split: (images, labels)}."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for split, n in (("train", n_train), ("test", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        images_file, labels_file = MNIST_FILES[split]
        (folder / images_file).write_bytes(idx_gz_bytes(images))
        (folder / labels_file).write_bytes(idx_gz_bytes(labels))
        written[split] = (images, labels)
    return written


def cifar_batch(rng, n, label="training batch"):
    """A batch dict as in the official pickles: data (n, 3072) uint8, rows R|G|B planes 32x32."""
    return {
        b"batch_label": label.encode(),
        b"labels": [int(v) for v in rng.integers(0, 10, size=n)],
        b"data": rng.integers(0, 256, size=(n, 3072), dtype=np.uint8),
        b"filenames": [f"img_{i}.png".encode() for i in range(n)],
    }


def write_fake_cifar(folder, rng, n=4):
    """cifar-10-batches-py/ in the official layout, n images a batch; returns {file: batch}."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = {b"num_cases_per_batch": n, b"label_names": [c.encode() for c in CIFAR_CLASSES], b"num_vis": 3072}
    (folder / "batches.meta").write_bytes(pickle.dumps(meta, protocol=2))
    batches = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batches[name] = cifar_batch(rng, n)
        (folder / name).write_bytes(pickle.dumps(batches[name], protocol=2))
    (folder / "readme.html").write_text("<html>fake</html>")
    return batches


def write_fake_cifar_tarball(path, staging, rng, n=4):
    """cifar-10-python.tar.gz holding cifar-10-batches-py/ (the official tarball's layout),
    built in the folder `staging`."""
    batches = write_fake_cifar(staging / "cifar-10-batches-py", rng, n)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(staging / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    path.write_bytes(buf.getvalue())
    return batches
