"""Peaks / GMM / SwissRoll: the generators, the committed .mat files, their regeneration, the
loader (on the original course files too, when NPDL_COURSE_ORIGINALS points at them) and how
hard the generated sets are compared with the originals."""
import functools
import os
from pathlib import Path

import numpy as np
import pytest
import scipy.io
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

import helpers.course_data as cd
from helpers.course_data import (
    COURSE_SETS,
    SIZES,
    ensure_course_data,
    generate_course_set,
    load_course_data,
    make_gmm,
    make_peaks,
    make_swiss_roll,
    peaks,
    save_course_mat,
)

REPO_DATA = Path(__file__).resolve().parent.parent / "data"
SHAPES = {"Peaks": (2, 5), "GMM": (5, 5), "SwissRoll": (2, 2)}  # (features, classes)


def originals():
    folder = os.environ.get("NPDL_COURSE_ORIGINALS")
    if not folder:
        pytest.skip("NPDL_COURSE_ORIGINALS is not set (it names the folder of the original course .mat files)")
    return Path(folder)


# ---------------------------------------------------------------- generators
def test_peaks_matches_matlab_values():
    # MATLAB: peaks(0, 0) = 3e^-1 - e^-1/3 ; peaks(1, -1) = 0 - 10 (1/5 - 1 + 1) e^-2 - e^-5/3
    assert peaks(np.array(0.0), np.array(0.0)) == pytest.approx(3 * np.exp(-1) - np.exp(-1) / 3)
    assert peaks(np.array(1.0), np.array(-1.0)) == pytest.approx(-2 * np.exp(-2) - np.exp(-5) / 3)


def test_peaks_labels_are_the_level_sets(rng):
    levels = (-3.25, -0.5, 2.0, 4.75)
    X, y = make_peaks(500, rng, levels=levels, jitter=0.0, outliers=0.0)
    assert X.shape == (500, 2) and y.dtype == np.int64 and np.abs(X).max() <= 3
    np.testing.assert_array_equal(y, np.digitize(peaks(X[:, 0], X[:, 1]), levels))
    assert np.bincount(y).tolist() == [100] * 5


def test_swiss_roll_points_lie_on_their_arm(rng):
    X, y = make_swiss_roll(400, rng, turns=2.0, noise=0.0, outliers=0.0)
    r = np.hypot(X[:, 0], X[:, 1])  # r = t and angle = 2 pi turns t + pi c, modulo 2 pi
    gap = np.angle(np.exp(1j * (np.arctan2(X[:, 1], X[:, 0]) - 4 * np.pi * r - np.pi * y)))
    np.testing.assert_allclose(gap, 0, atol=1e-9)
    assert np.bincount(y).tolist() == [200, 200]


def test_gmm_classes_are_mixtures_of_blobs(rng):
    X, y = make_gmm(1000, rng, n_blobs=3, scales=(0.01, 0.02), outliers=0.0)
    assert X.shape == (1000, 5) and np.bincount(y).tolist() == [200] * 5
    # With tiny blobs, each class's points sit within a few sd of one of 3 centres.
    for k in range(5):
        Xk = X[y == k]
        d = np.linalg.norm(Xk[:, None, :] - Xk[None, :, :], axis=2)
        assert len(np.unique((d < 0.2).argmax(axis=1))) == 3


@pytest.mark.parametrize("make", [make_peaks, make_gmm, make_swiss_roll])
def test_generators_are_deterministic_given_rng_and_check_n(make):
    X1, y1 = make(1000, np.random.default_rng(5))
    X2, y2 = make(1000, np.random.default_rng(5))
    X3, _ = make(1000, np.random.default_rng(6))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)
    with pytest.raises(ValueError, match="multiple of the .* classes"):
        make(1001, np.random.default_rng(5))


def test_generate_course_set_sizes_and_balance():
    X_tr, y_tr, X_val, y_val = generate_course_set("SwissRoll", np.random.default_rng(0))
    assert X_tr.shape == (20000, 2) and X_val.shape == (5000, 2)
    assert np.bincount(y_tr).tolist() == [10000, 10000] and np.bincount(y_val).tolist() == [2500, 2500]
    with pytest.raises(ValueError, match="one of .*'Peaks'.* got 'Moons'"):
        generate_course_set("Moons", np.random.default_rng(0))


# ---------------------------------------------------------------- committed files and loader
@pytest.mark.parametrize("name", COURSE_SETS)
def test_committed_files_load_balanced(name):
    X_tr, y_tr, X_val, y_val = load_course_data(name, root=REPO_DATA)
    d, K = SHAPES[name]
    assert X_tr.shape == (SIZES[name][0], d) and X_val.shape == (SIZES[name][1], d)
    assert X_tr.dtype == np.float64 and y_tr.dtype == np.int64
    assert np.bincount(y_tr).tolist() == [SIZES[name][0] // K] * K
    assert np.bincount(y_val).tolist() == [SIZES[name][1] // K] * K
    m = scipy.io.loadmat(REPO_DATA / f"{name}Data.mat")  # the course's column-major format
    assert m["Yt"].shape == (d, SIZES[name][0]) and m["Ct"].shape == (K, SIZES[name][0])
    assert set(np.unique(m["Ct"])) == {0.0, 1.0} and (m["Ct"].sum(axis=0) == 1).all()
    np.testing.assert_array_equal(m["Yt"].T, X_tr)
    np.testing.assert_array_equal(m["Cv"].argmax(axis=0), y_val)


def test_ensure_regenerates_missing_files_with_the_committed_arrays(tmp_path, capsys):
    ensure_course_data(tmp_path)
    assert capsys.readouterr().out.count("generated (seed") == 3
    for name in COURSE_SETS:
        for new, committed in zip(load_course_data(name, tmp_path), load_course_data(name, REPO_DATA)):
            np.testing.assert_array_equal(new, committed)


def test_ensure_keeps_a_file_in_place(tmp_path, rng):
    X, y = rng.standard_normal((10, 2)), np.arange(10) % 2
    save_course_mat(tmp_path / "SwissRollData.mat", X, y, X[:4], y[:4])  # e.g. an original file
    before = (tmp_path / "SwissRollData.mat").read_bytes()
    ensure_course_data(tmp_path, names=("SwissRoll",), verbose=False)
    assert (tmp_path / "SwissRollData.mat").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["SwissRollData.mat"]  # no temporary file left


def test_load_generates_a_missing_file_in_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("NPDL_DATA_DIR", raising=False)
    monkeypatch.setattr(cd, "data_dir", lambda: tmp_path)
    X_tr, y_tr, X_val, y_val = load_course_data("SwissRoll")
    assert (tmp_path / "SwissRollData.mat").is_file() and X_tr.shape == (20000, 2)
    np.testing.assert_array_equal(X_val, load_course_data("SwissRoll", REPO_DATA)[2])


def test_load_bad_input(tmp_path, rng):
    with pytest.raises(ValueError, match="one of .* got 'peaks'"):
        load_course_data("peaks", tmp_path)
    with pytest.raises(FileNotFoundError, match="PeaksData.mat not found.*make data") as err:
        load_course_data("Peaks", tmp_path)  # not the user cache: no silent generation
    assert str(tmp_path) in str(err.value)
    scipy.io.savemat(tmp_path / "PeaksData.mat", {"X": np.zeros((2, 3))})
    with pytest.raises(ValueError, match=r"lacks the course keys \['Yt', 'Ct', 'Yv', 'Cv'\]"):
        load_course_data("Peaks", tmp_path)
    scipy.io.savemat(tmp_path / "PeaksData.mat", {"Yt": np.zeros((2, 3)), "Ct": np.zeros((5, 4)),
                                                  "Yv": np.zeros((2, 1)), "Cv": np.zeros((5, 1))})  # fmt: skip
    with pytest.raises(ValueError, match=r"got Yt \(2, 3\), Ct \(5, 4\)"):
        load_course_data("Peaks", tmp_path)


def test_load_refuses_labels_that_are_not_one_hot_columns(tmp_path, rng):
    # a 1 x n row of class indices: argmax over its one row made every label 0, silently
    X, y = rng.standard_normal((2, 10)), rng.integers(0, 5, 10)
    for Ct in (y[None, :].astype(float), np.zeros((5, 10))):  # a row of labels; all-zero columns
        scipy.io.savemat(tmp_path / "PeaksData.mat", {"Yt": X, "Ct": Ct, "Yv": X, "Cv": Ct})
        with pytest.raises(ValueError, match=r"PeaksData.mat: Ct should hold one-hot columns \(K, n\)"):
            load_course_data("Peaks", tmp_path)


def test_load_names_a_truncated_file(tmp_path):
    (tmp_path / "PeaksData.mat").write_bytes((REPO_DATA / "PeaksData.mat").read_bytes()[:3000])
    with pytest.raises(ValueError, match=r"PeaksData.mat is not a readable .mat file .*delete it") as err:
        load_course_data("Peaks", tmp_path)
    assert str(tmp_path) in str(err.value)


@pytest.mark.parametrize("name", COURSE_SETS)
def test_loader_reads_the_original_course_files(name):
    X_tr, y_tr, X_val, y_val = load_course_data(name, root=originals())
    d, K = SHAPES[name]
    assert X_tr.shape == (SIZES[name][0], d) and X_val.shape == (SIZES[name][1], d)
    assert set(np.unique(y_tr)) == set(range(K)) and np.isfinite(X_tr).all()
    assert np.bincount(y_tr).min() > 0.9 * SIZES[name][0] / K  # roughly balanced


# ---------------------------------------------------------------- difficulty
@functools.lru_cache(maxsize=None)  # each set is fitted once per session
def accuracies(name, root):
    """Validation accuracy of a linear softmax classifier and of 15-nearest-neighbours."""
    X_tr, y_tr, X_val, y_val = load_course_data(name, root)
    linear = LogisticRegression(max_iter=1000).fit(X_tr, y_tr).score(X_val, y_val)
    knn = KNeighborsClassifier(15).fit(X_tr, y_tr).score(X_val, y_val)
    return linear, knn


@pytest.mark.parametrize("name, linear_at_most", [("Peaks", 0.65), ("SwissRoll", 0.60), ("GMM", 0.60)])
def test_generated_sets_need_a_nonlinear_model(name, linear_at_most):
    linear, knn = accuracies(name, REPO_DATA)
    assert linear < linear_at_most  # no straight-line shortcut
    assert knn > 0.9  # yet the classes are learnable


@pytest.mark.parametrize("name", COURSE_SETS)
def test_generated_sets_are_as_hard_as_the_originals(name, capsys):
    root = originals()
    generated, original = accuracies(name, REPO_DATA), accuracies(name, root)
    with capsys.disabled():  # shown without -s: the figures this comparison is about
        print(f"\n{name:9s} val accuracy  linear softmax: generated {generated[0]:.1%} vs original "
              f"{original[0]:.1%};  15-NN: generated {generated[1]:.1%} vs original {original[1]:.1%}")
    assert abs(generated[0] - original[0]) < 0.03
    assert abs(generated[1] - original[1]) < 0.03
