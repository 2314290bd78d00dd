"""Where the data lives, what the official files are, and how to fetch them safely.

`pooch` does the downloading: it writes to a temporary file, checks the hash, and only then
moves the file into place, so an interrupted or corrupt download never leaves a file behind.
We add mirrors tried in turn and an error that says what to do when all of them fail.
"""
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pooch

ENV_VAR = "NPDL_DATA_DIR"
_REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Remote:
    """One official file: its name, MD5 checksum and the URLs that serve it, in order of preference."""

    name: str
    md5: str
    urls: tuple


_MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",  # PyTorch's mirror
    "https://storage.googleapis.com/cvdf-datasets/mnist/",  # TensorFlow's mirror
    "http://yann.lecun.com/exdb/mnist/",  # the original host, often refusing downloads
)


def _mnist(name, md5):
    return Remote(name, md5, tuple(m + name for m in _MNIST_MIRRORS))


# dataset -> (files that must be present in the data folder, official files to download)
DATASETS = {
    "mnist": (
        (
            "mnist/train-images-idx3-ubyte.gz",
            "mnist/train-labels-idx1-ubyte.gz",
            "mnist/t10k-images-idx3-ubyte.gz",
            "mnist/t10k-labels-idx1-ubyte.gz",
        ),
        (
            _mnist("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
            _mnist("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
            _mnist("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
            _mnist("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
        ),
    ),
    "cifar10": (
        tuple(
            f"cifar-10-batches-py/{f}"
            for f in ("batches.meta", *(f"data_batch_{i}" for i in range(1, 6)), "test_batch")
        ),
        (
            Remote(
                "cifar-10-python.tar.gz",
                "c58f30108f718f92721af3b95e74349a",
                ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",),
            ),
        ),
    ),
}


class DataError(RuntimeError):
    """A dataset is missing and could not be fetched; the message says what to do."""


def user_cache():
    """The per-user cache folder used outside a clone (e.g. ~/.cache/numpy-dl-notebooks)."""
    return Path(pooch.os_cache("numpy-dl-notebooks"))


def _in_clone():
    """True when helpers runs from a clone of the repository (not from an installed copy)."""
    pyproject = _REPO_ROOT / "pyproject.toml"
    return (
        pyproject.is_file()
        and (_REPO_ROOT / "data").is_dir()
        and 'name = "numpy-dl-notebooks"' in pyproject.read_text(encoding="utf-8")
    )


def data_dir():
    """The data folder: $NPDL_DATA_DIR if set, the repository's data/ in a clone, else a user cache."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    if _in_clone():
        return _REPO_ROOT / "data"
    return user_cache()


def missing_files(name, root=None):
    """The files of dataset `name` that are not in the data folder (empty when it is in place)."""
    root = Path(root) if root is not None else data_dir()
    required, _ = _dataset(name)
    return [f for f in required if not (root / f).is_file()]


def _dataset(name):
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known: {sorted(DATASETS)}")
    return DATASETS[name]


def fetch(remote, folder, progressbar=True):
    """Download `remote` into `folder`, verifying its MD5; try each URL in turn.

    pooch streams into a temporary file in `folder` and moves it into place only once the
    checksum matches; on any failure the temporary file is deleted, so no half file is left.
    Returns the file's path. Raises DataError naming the file, every URL tried and its error.
    """
    folder = Path(folder)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    # Big chunks keep the progress bar cheap; the timeout stops a silent server from hanging us.
    downloader = pooch.HTTPDownloader(progressbar=progressbar, chunk_size=1 << 16, timeout=60)
    failures = []
    for url in remote.urls:
        try:
            path = pooch.retrieve(
                url, known_hash=f"md5:{remote.md5}", fname=remote.name, path=folder,
                downloader=downloader,
            )
            return Path(path)
        except Exception as err:  # network errors, HTTP errors and checksum mismatches alike
            first_line = (str(err).splitlines() or [""])[0][:200]
            failures.append(f"  {url}\n    -> {type(err).__name__}: {first_line}")
    if created and not any(folder.iterdir()):
        folder.rmdir()  # leave no trace of a failed download, not even an empty folder
    raise DataError(
        f"could not download {remote.name} (md5 {remote.md5}); tried {len(remote.urls)} URL(s):\n"
        + "\n".join(failures)
        + f"\nWhat to do: check your internet connection and run again, or download the file by "
        f"hand from one of these URLs into {folder} (its md5 must be {remote.md5})."
    )


def ensure(name, root=None, progressbar=True):
    """Make sure dataset `name` ('mnist' or 'cifar10') is in the data folder; return the folder.

    Files already in place are used as they are (a local copy is trusted, and the network is
    not touched); missing ones are downloaded and verified. A downloaded .tar.gz is extracted,
    then removed.
    """
    root = Path(root) if root is not None else data_dir()
    required, remotes = _dataset(name)
    if not missing_files(name, root):
        return root
    try:
        for remote in remotes:
            if remote.name.endswith(".tar.gz"):
                tarball = fetch(remote, root, progressbar)
                _extract(tarball, root)
                if missing_files(name, root):
                    raise DataError(f"{tarball} does not hold the expected files")
                tarball.unlink()
            else:  # a single file: it goes where the registry expects a file of that name
                (target,) = [root / f for f in required if Path(f).name == remote.name]
                if not target.is_file():
                    fetch(remote, target.parent, progressbar)
    except DataError as err:
        still = "\n".join(f"  {root / f}" for f in missing_files(name, root))
        raise DataError(
            f"{err}\n\nThe {name} data is missing from {root}; expected:\n{still}\n"
            f"Fetch it with `make data` (needs internet), copy a local copy of the data into "
            f"{root} with that layout, or point ${ENV_VAR} at a folder that holds it."
        ) from None
    return root


def _extract(tarball, root):
    """Extract into a temporary folder beside the target, then move into place (no half folder)."""
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        try:
            with tarfile.open(tarball) as tar:
                # The "data" filter refuses absolute paths and links out of the folder.
                kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                tar.extractall(tmp, **kwargs)
        except (tarfile.TarError, OSError) as err:
            raise DataError(f"could not extract {tarball}: {err}; delete it and run again") from err
        for entry in Path(tmp).iterdir():
            target = root / entry.name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            entry.rename(target)
