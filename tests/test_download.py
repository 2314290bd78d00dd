"""The download path for real, against an HTTP server on 127.0.0.1: verified files, checksum
failures that leave nothing behind, 404s, a server that is down, mirror fallback, `ensure`
skipping data in place, the CIFAR-10 tarball extracted, and the errors a student sees offline."""
import hashlib
import http.server
import os
import socket
import stat
import subprocess
import sys
import tempfile
import threading
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import filelock
import numpy as np
import pytest
from fake_datasets import md5, write_fake_cifar, write_fake_cifar_tarball, write_fake_mnist

import helpers.download as download
from helpers.data import MNIST_FILES, load_cifar10, load_mnist
from helpers.download import DATASETS, DataError, Remote, data_dir, ensure, fetch, missing_files, user_cache

REPO = Path(__file__).resolve().parent.parent
GOOD = b"the quick brown fox jumps over the lazy dog\n" * 1000


@pytest.fixture(autouse=True)
def sizes_of_the_fakes(request):
    """Tests on fake files (in tmp_path) expect the fakes' sizes; those on data/ the official ones."""
    if "tmp_path" in request.fixturenames:
        request.getfixturevalue("fake_official_sizes")


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """A proxy from the environment must not intercept requests to 127.0.0.1."""
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """http.server on a free port of 127.0.0.1 in a thread, serving a temporary folder.

    `log` records every path requested, so a test can tell which URLs were really tried.
    """
    root = tmp_path_factory.mktemp("served")
    (root / "good.bin").write_bytes(GOOD)
    log = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):
            log.append(self.path)
            super().do_GET()

        def log_message(self, *args):  # keep the test output clean
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(root=root, url=f"http://127.0.0.1:{httpd.server_address[1]}/", log=log)
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def closed_url():
    """A URL on a port nothing listens on (bound, then released): connection refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def listing(folder):
    """Names in `folder`, without the lock files `ensure` keeps there (see download.lock_path)."""
    return sorted(p.name for p in folder.iterdir() if not (p.name.startswith(".npdl-") and p.name.endswith(".lock")))


def good_remote(*bases):
    return Remote("good.bin", hashlib.md5(GOOD).hexdigest(), tuple(b + "good.bin" for b in bases))


def test_good_file_is_downloaded_verified_and_alone_in_its_folder(server, tmp_path, capsys):
    path = fetch(good_remote(server.url), tmp_path / "dl")
    assert path == tmp_path / "dl" / "good.bin"
    assert path.read_bytes() == GOOD
    assert [p.name for p in (tmp_path / "dl").iterdir()] == ["good.bin"]  # no temporary file left
    assert "100%" in capsys.readouterr().err  # the tqdm progress bar was shown


def test_file_in_place_with_right_checksum_is_not_downloaded_again(server, tmp_path):
    (tmp_path / "good.bin").write_bytes(GOOD)
    n_requests = len(server.log)
    fetch(good_remote(server.url), tmp_path, progressbar=False)
    assert len(server.log) == n_requests


def test_wrong_checksum_is_an_error_and_leaves_no_file_at_all(server, tmp_path):
    remote = Remote("good.bin", "0" * 32, (server.url + "good.bin",))
    folder = tmp_path / "dl"
    folder.mkdir()
    with pytest.raises(DataError) as err:
        fetch(remote, folder, progressbar=False)
    assert list(folder.iterdir()) == []  # neither good.bin nor pooch's temporary file
    msg = str(err.value)
    assert "good.bin" in msg and server.url + "good.bin" in msg and "md5" in msg.lower()


def test_failed_download_does_not_leave_the_folder_it_created(server, tmp_path):
    with pytest.raises(DataError):
        fetch(Remote("good.bin", "0" * 32, (server.url + "good.bin",)), tmp_path / "new", progressbar=False)
    assert not (tmp_path / "new").exists()


def test_missing_file_404_is_an_error_naming_the_url(server, tmp_path):
    remote = Remote("absent.bin", "0" * 32, (server.url + "absent.bin",))
    with pytest.raises(DataError, match="404") as err:
        fetch(remote, tmp_path, progressbar=False)
    assert server.url + "absent.bin" in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_server_down_lists_every_url_tried_and_what_to_do(closed_url, tmp_path):
    remote = good_remote(closed_url + "a/", closed_url + "b/")
    with pytest.raises(DataError) as err:
        fetch(remote, tmp_path, progressbar=False)
    msg = str(err.value)
    assert "good.bin" in msg and remote.md5 in msg
    for url in remote.urls:
        assert url in msg
    assert "What to do" in msg and "download the file by hand" in msg
    assert list(tmp_path.iterdir()) == []


def test_mirror_fallback_first_404_then_good(server, tmp_path):
    remote = good_remote(server.url + "no-such-mirror/", server.url)
    n_requests = len(server.log)
    path = fetch(remote, tmp_path, progressbar=False)
    assert path.read_bytes() == GOOD
    assert server.log[n_requests:] == ["/no-such-mirror/good.bin", "/good.bin"]


def fake_registry(monkeypatch, name, remotes):
    """Point DATASETS[name] at other remotes (the files required stay the official ones)."""
    required, _ = DATASETS[name]
    monkeypatch.setitem(DATASETS, name, (required, tuple(remotes)))


def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the network was used although the data is in place")

    monkeypatch.setattr(download.pooch, "retrieve", refuse)


def test_ensure_skips_a_dataset_in_place_without_touching_the_network(monkeypatch, tmp_path, rng):
    no_network(monkeypatch)
    write_fake_mnist(tmp_path / "mnist", rng)
    write_fake_cifar(tmp_path / "cifar-10-batches-py", rng)
    assert ensure("mnist", tmp_path) == tmp_path
    assert ensure("cifar10", tmp_path) == tmp_path
    assert load_mnist("test", root=tmp_path)[0].shape == (3, 28, 28)


def test_make_data_offline_with_everything_in_place(monkeypatch, tmp_path, rng, capsys):
    no_network(monkeypatch)
    write_fake_mnist(tmp_path / "mnist", rng)
    write_fake_cifar(tmp_path / "cifar-10-batches-py", rng)
    for name in ("Peaks", "GMM", "SwissRoll"):  # the committed course sets, copied as they are
        (tmp_path / f"{name}Data.mat").write_bytes((REPO / "data" / f"{name}Data.mat").read_bytes())
    monkeypatch.setenv("NPDL_DATA_DIR", str(tmp_path))
    from helpers.data import fetch_all

    fetch_all()
    out = capsys.readouterr().out
    assert out.count("in place") == 5 and "generated" not in out


def test_ensure_fetches_only_the_missing_mnist_files(monkeypatch, server, tmp_path, rng):
    served = write_fake_mnist(server.root / "mnist-mirror", rng)
    folder = tmp_path / "mnist"
    folder.mkdir()
    keep = MNIST_FILES["test"]
    for f in keep:  # the test split is in place already (any content: it is trusted as is)
        (folder / f).write_bytes((server.root / "mnist-mirror" / f).read_bytes())
    remotes = [
        Remote(f, md5(server.root / "mnist-mirror" / f), (server.url + "mnist-mirror/" + f,))
        for f in MNIST_FILES["train"] + MNIST_FILES["test"]
    ]
    fake_registry(monkeypatch, "mnist", remotes)
    n_requests = len(server.log)
    ensure("mnist", tmp_path, progressbar=False)
    assert sorted(server.log[n_requests:]) == sorted(f"/mnist-mirror/{f}" for f in MNIST_FILES["train"])
    images, labels = load_mnist("train", root=tmp_path)
    np.testing.assert_array_equal(images, served["train"][0])
    np.testing.assert_array_equal(labels, served["train"][1])


def test_ensure_extracts_the_cifar_tarball_and_removes_it(monkeypatch, server, tmp_path, rng):
    tarball = server.root / "cifar-10-python.tar.gz"
    batches = write_fake_cifar_tarball(tarball, tmp_path / "staging", rng, n=4)
    fake_registry(monkeypatch, "cifar10", [Remote(tarball.name, md5(tarball), (server.url + tarball.name,))])
    root = tmp_path / "data"
    assert missing_files("cifar10", root)
    ensure("cifar10", root, progressbar=False)
    assert listing(root) == ["cifar-10-batches-py"]  # no tarball, no temp folder
    assert missing_files("cifar10", root) == []
    images, labels, classes = load_cifar10(3, root=root)
    assert images.shape == (4, 3, 32, 32) and classes[0] == "airplane" and classes[9] == "truck"
    np.testing.assert_array_equal(images.reshape(4, -1), batches["data_batch_3"][b"data"])
    np.testing.assert_array_equal(labels, batches["data_batch_3"][b"labels"])


def test_cifar_tarball_put_there_by_hand_is_used_offline(monkeypatch, closed_url, tmp_path, rng):
    root = tmp_path / "data"
    root.mkdir()
    tarball = root / "cifar-10-python.tar.gz"  # as the error message suggests
    write_fake_cifar_tarball(tarball, tmp_path / "staging", rng, n=3)
    fake_registry(monkeypatch, "cifar10", [Remote(tarball.name, md5(tarball), (closed_url + tarball.name,))])
    ensure("cifar10", root, progressbar=False)
    assert listing(root) == ["cifar-10-batches-py", "cifar-10-python.tar.gz"]  # the user's tarball stays
    assert load_cifar10("test", root=root)[0].shape == (3, 3, 32, 32)


def test_cifar_tarball_with_wrong_checksum_leaves_nothing(monkeypatch, server, tmp_path, rng):
    tarball = server.root / "cifar-10-python.tar.gz"
    write_fake_cifar_tarball(tarball, tmp_path / "staging", rng)
    fake_registry(monkeypatch, "cifar10", [Remote(tarball.name, "f" * 32, (server.url + tarball.name,))])
    root = tmp_path / "data"
    root.mkdir()
    with pytest.raises(DataError, match="cifar-10-python.tar.gz"):
        ensure("cifar10", root, progressbar=False)
    assert listing(root) == []


@pytest.mark.parametrize("name, load", [("mnist", lambda r: load_mnist("train", root=r)),
                                        ("cifar10", lambda r: load_cifar10(1, root=r))])  # fmt: skip
def test_offline_loader_error_names_path_files_and_what_to_do(monkeypatch, closed_url, tmp_path, name, load):
    required, remotes = DATASETS[name]
    fake_registry(monkeypatch, name, [Remote(r.name, r.md5, (closed_url + r.name,)) for r in remotes])
    with pytest.raises(DataError) as err:
        load(tmp_path)
    msg = str(err.value)
    assert str(tmp_path) in msg and closed_url in msg
    for f in required:
        assert str(tmp_path / f) in msg
    assert "make data" in msg and "NPDL_DATA_DIR" in msg


def test_unknown_dataset_is_an_error():
    with pytest.raises(ValueError, match="unknown dataset 'imagenet'"):
        ensure("imagenet")


def test_data_dir_env_var_clone_and_user_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("NPDL_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path
    monkeypatch.delenv("NPDL_DATA_DIR")
    assert data_dir() == REPO / "data"  # this clone
    monkeypatch.setattr(download, "_REPO_ROOT", tmp_path)  # as if pip-installed: no clone around
    assert data_dir() == user_cache()
    assert "numpy-dl-notebooks" in str(user_cache())


def test_registry_lists_the_official_files():
    mnist_required, mnist_remotes = DATASETS["mnist"]
    assert {Path(f).name for f in mnist_required} == {r.name for r in mnist_remotes}
    assert all(len(r.urls) >= 2 for r in mnist_remotes)  # mirrors to fall back on
    (tar,) = DATASETS["cifar10"][1]
    assert tar.name == "cifar-10-python.tar.gz" and tar.md5 == "c58f30108f718f92721af3b95e74349a"


@pytest.fixture
def served_tarball(server, tmp_path, rng, monkeypatch):
    """The local server holds a fake CIFAR-10 tarball; the registry points at it."""
    tarball = server.root / "cifar-10-python.tar.gz"
    batches = write_fake_cifar_tarball(tarball, tmp_path / "staging", rng, n=4)
    required, _ = DATASETS["cifar10"]
    remote = Remote(tarball.name, md5(tarball), (server.url + tarball.name,))
    monkeypatch.setitem(DATASETS, "cifar10", (required, (remote,)))
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


def test_two_fetches_of_cifar_at_once_both_succeed(served_tarball, tmp_path):
    import threading

    root, errors = tmp_path / "data", []

    def run():
        try:
            ensure("cifar10", root, progressbar=False)
        except Exception as err:
            errors.append(err)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert listing(root) == ["cifar-10-batches-py"]
    assert load_cifar10("test", root=root)[0].shape == (4, 3, 32, 32)
