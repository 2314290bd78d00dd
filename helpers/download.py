"""Where the data lives, what the official files are, and how to fetch them safely.

`pooch` does the downloading into a private temporary folder; a verified file is moved into
place atomically with normal permissions, and never over a file that is already there. A file
lock serialises concurrent fetches; temporary folders of killed runs are cleaned up. We add
mirrors tried in turn and errors that say what to do (offline, read-only folder, a file in the way).
"""
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pooch
from filelock import FileLock

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


# The dataset registry: every file the loaders read, and the official files that provide them.
MNIST_FILES = {  # split -> (images, labels), in the folder "mnist"
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
CIFAR10_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch",)
FOLDERS = {"mnist": "mnist", "cifar10": "cifar-10-batches-py"}  # dataset -> its folder in the data folder

# dataset -> (files that must be present in the data folder, official files to download)
DATASETS = {
    "mnist": (
        tuple(f"{FOLDERS['mnist']}/{f}" for split in MNIST_FILES.values() for f in split),
        tuple(_mnist(f, MNIST_MD5[f]) for split in MNIST_FILES.values() for f in split),
    ),
    "cifar10": (
        tuple(f"{FOLDERS['cifar10']}/{f}" for f in ("batches.meta", *CIFAR10_BATCHES)),
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


def lock_path(root, name):
    """The lock file that serialises fetching dataset `name` into `root` across processes."""
    return Path(root) / f".npdl-{name}.lock"


_PARTIAL = ".npdl-partial-"  # our temporary folders: .npdl-partial-<pid>-<random>


def _umask_mode(mode=0o666):
    """`mode` as the user's umask lets it be: what open() gives a new file (usually 0o644)."""
    umask = os.umask(0)
    os.umask(umask)
    return mode & ~umask


def _not_writable(folder, err):
    return DataError(
        f"cannot write into the data folder {folder} ({type(err).__name__}: {err}); expected a "
        f"writable folder to download into. What to do: fix its permissions, or point ${ENV_VAR} at "
        f"a writable folder, or copy the data there by hand."
    )


def _clean_stale_partials(folder):
    """Remove temporary folders of ours whose process has died (a killed download)."""
    for entry in Path(folder).glob(_PARTIAL + "*"):
        try:
            pid = int(entry.name[len(_PARTIAL):].split("-")[0])
            os.kill(pid, 0)  # raises if no such process
        except ProcessLookupError:
            shutil.rmtree(entry, ignore_errors=True)
        except (ValueError, OSError):
            pass  # not ours after all, or a live process of another user: leave it


def _private_tmpdir(folder):
    """A temporary folder of ours inside `folder` (same file system: moving out of it is atomic)."""
    _clean_stale_partials(folder)
    return Path(tempfile.mkdtemp(prefix=f"{_PARTIAL}{os.getpid()}-", dir=folder))


def _publish(src, target):
    """Move the finished file `src` to `target` atomically, with normal permissions; never
    replace a file that is there already."""
    os.chmod(src, _umask_mode())  # pooch's temporary file is 0600: unreadable by other users
    try:
        os.link(src, target)  # fails if target exists: no overwrite, even in a race
    except FileExistsError:
        raise DataError(f"{target} appeared while it was being downloaded; it was left as it is") from None
    except OSError:  # a file system without hard links
        if target.exists():
            raise DataError(f"{target} appeared while it was being downloaded; it was left as it is") from None
        os.replace(src, target)
    else:
        os.unlink(src)
    return target


def fetch(remote, folder, progressbar=True):
    """Download `remote` into `folder`, verifying its MD5; try each URL in turn.

    The file is downloaded into a private temporary folder inside `folder` (pooch streams it
    into a temporary file there and checks the checksum), then moved into place atomically with
    normal permissions (0644 under the usual umask); the temporary folder is removed on success
    and on any failure, and those of killed runs are removed next time. A file already at the
    target is never overwritten: with the right MD5 it is returned, otherwise an error says so.
    Returns the file's path. Raises DataError naming the file, every URL tried and its error.
    """
    folder = Path(folder)
    target = folder / remote.name
    if target.exists():
        found = pooch.file_hash(str(target), alg="md5")
        if found == remote.md5:
            return target
        raise DataError(
            f"{target} is in the way: its md5 is {found}, the official {remote.name} has {remote.md5}. "
            f"What to do: delete or move that file (it is left as it is) and run again."
        )
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = _private_tmpdir(folder)
    except OSError as err:
        raise _not_writable(folder, err) from err
    # Big chunks keep the progress bar cheap; the timeout stops a silent server from hanging us.
    downloader = pooch.HTTPDownloader(progressbar=progressbar, chunk_size=1 << 16, timeout=60)
    failures = []
    try:
        for url in remote.urls:
            try:
                path = pooch.retrieve(
                    url, known_hash=f"md5:{remote.md5}", fname=remote.name, path=tmp,
                    downloader=downloader,
                )
            except PermissionError as err:
                raise _not_writable(folder, err) from err
            except Exception as err:  # network errors, HTTP errors and checksum mismatches alike
                first_line = (str(err).splitlines() or [""])[0][:200]
                failures.append(f"  {url}\n    -> {type(err).__name__}: {first_line}")
            else:
                return _publish(Path(path), target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
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

    Files already in place are used as they are (the network is not touched; the loaders check
    their contents); missing ones are downloaded and verified. Concurrent calls, from several
    processes, are serialised by a file lock (`lock_path`), so a second process waits and then
    finds the data in place. A .tar.gz is extracted beside its target and only the missing files
    are moved in: a file already there, e.g. the user's own, is never deleted or overwritten.
    A tarball put into the data folder by hand is used (and left there); a downloaded one is
    deleted with our temporary folder.
    """
    root = Path(root) if root is not None else data_dir()
    required, remotes = _dataset(name)
    if not missing_files(name, root):
        return root
    try:
        root.mkdir(parents=True, exist_ok=True)
        # 0o666: in a data folder shared by several users each of them must be able to take it
        lock = FileLock(str(lock_path(root, name)), mode=0o666)
        lock.acquire()
    except OSError as err:
        raise _not_writable(root, err) from err
    try:
        if missing_files(name, root):  # another process may have fetched it while we waited
            _fetch_missing(name, root, required, remotes, progressbar)
    finally:
        lock.release()
    return root


def _fetch_missing(name, root, required, remotes, progressbar):
    try:
        for remote in remotes:
            if remote.name.endswith(".tar.gz"):
                by_hand = root / remote.name
                if by_hand.exists():  # put there by the user: verify it, use it, keep it
                    _extract(fetch(remote, root, progressbar), root)
                else:
                    tmp = _private_tmpdir(root)
                    try:
                        _extract(fetch(remote, tmp, progressbar), root)
                    finally:
                        shutil.rmtree(tmp, ignore_errors=True)
                if missing_files(name, root):
                    raise DataError(f"{remote.name} does not hold the expected files")
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


def _extract(tarball, root):
    """Extract into a temporary folder of ours beside the target, then move in only the files
    that are missing: nothing already in `root` is deleted or overwritten."""
    try:
        tmp = _private_tmpdir(root)
    except OSError as err:
        raise _not_writable(root, err) from err
    try:
        try:
            with tarfile.open(tarball) as tar:
                # The "data" filter refuses absolute paths and links out of the folder.
                kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                tar.extractall(tmp, **kwargs)
        except (tarfile.TarError, OSError) as err:
            raise DataError(f"could not extract {tarball}: {err}; delete it and run again") from err
        for src in sorted(tmp.rglob("*")):
            if src.is_dir():
                continue
            target = root / src.relative_to(tmp)
            if target.exists() or target.is_symlink():
                continue  # the user's file (or one already in place): left as it is
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
