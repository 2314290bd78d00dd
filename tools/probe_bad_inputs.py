"""Bad-input probes of the public API: every call below gets something wrong on
purpose (shapes, dtypes, NaN/inf, integers, hyper-parameters, damaged files). Each must either
return a correct, finite answer or raise an error that says what was expected and what came.

    python -m tools.probe_bad_inputs                # prints a summary and the unclear cases

A probe "ends in a clear error" if it raises and the message names what was expected
(expect/must/need/should/refus...) and what came (got/found/holds/...); "answered" if it returns
a value that passes the probe's own check; anything else is a failure.
"""
import os
import pickle
import re
import sys
import tempfile
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from fake_datasets import cifar_batch, idx_gz_bytes, write_fake_cifar, write_fake_mnist

import helpers.data as data
import helpers.functional as F
from helpers.conv import Conv2d
from helpers.gradcheck import (gradient_test, jacobian_test, layer_jacobian_tests,
                               network_gradient_test, numerical_gradient, rel_error, taylor_verdict)
from helpers.layers import Linear, ReLU, Residual, Sequential, Sigmoid, Tanh
from helpers.losses import L2Loss, SoftmaxCrossEntropy
from helpers.networks import build_network, two_layer_net
from helpers.plotting import (plot_confusion, plot_gradient_test, plot_history, show_images,
                              show_templates)
from helpers.train import SGD, accuracy, confusion_matrix, evaluate, fit

EXPECTED = re.compile(r"expect|must|need|should|refus|only|cannot|not a|is not|unknown|before|but the|official|asked for", re.I)
CAME = re.compile(r"got|found|holds|gave|became|is in the way|came|\d|NaN|nan|inf", re.I)
rng = np.random.default_rng(0)
PROBES = []


def probe(name, check=None):
    """Register a probe: the decorated function makes the bad call; `check(result)` says
    whether a returned value is correct (None: any return is a silent failure)."""

    def register(fn):
        PROBES.append((name, fn, check))
        return fn

    return register


finite = lambda r: np.all(np.isfinite(np.asarray(r, dtype=np.float64)))  # noqa: E731
wrong = lambda r: isinstance(r, str) and r.startswith("WRONG")  # noqa: E731


# ---- functional: shapes, dtypes, extremes, integers
for label, value in [("1-D", np.ones(3)), ("3-D", np.ones((2, 2, 2))), ("strings", np.array([["a", "b"]])),
                     ("complex", np.ones((2, 2), dtype=complex)), ("objects", np.array([[None, 1]], dtype=object))]:
    for fname in ("softmax", "log_softmax"):
        probe(f"F.{fname}({label})")(lambda v=value, f=fname: getattr(F, f)(v))
    probe(f"F.cross_entropy({label})")(lambda v=value: F.cross_entropy(v, np.ones_like(v, dtype=float)))
    probe(f"F.softmax_cross_entropy({label})")(lambda v=value: F.softmax_cross_entropy(v, np.ones((2, 2))))
for dtype in (np.int8, np.uint8, np.int64, bool):
    s = np.array([[127, 0, 1], [1, 0, 0]]).astype(dtype)
    probe(f"F.softmax({np.dtype(dtype).name})", lambda r, s=s: np.allclose(r, F.softmax(s.astype(float))))(lambda s=s: F.softmax(s))
    probe(f"F.log_softmax({np.dtype(dtype).name})", lambda r, s=s: np.allclose(r, F.log_softmax(s.astype(float))))(lambda s=s: F.log_softmax(s))
for big in (1e4, -1e4, 1e308, -1e308):
    probe(f"F.softmax(+-{big:g})", finite)(lambda b=big: F.softmax(np.array([[b, 0.0, -b]])))
    probe(f"F.softmax_cross_entropy({big:g})", lambda r: finite(r[0]) and finite(r[1]))(
        lambda b=big: F.softmax_cross_entropy(np.array([[b, 0.0]]), np.array([[0.0, 1.0]])))
probe("F.softmax(nan) propagates", lambda r: np.isnan(r).all())(lambda: F.softmax(np.array([[np.nan, 0.0]])))
probe("F.cross_entropy(scores)")(lambda: F.cross_entropy(np.array([[2.0, -1.0]]), np.array([[1.0, 0.0]])))
probe("F.cross_entropy(probs > 1)")(lambda: F.cross_entropy(np.array([[3.0, 0.5]]), np.array([[1.0, 0.0]])))
probe("F.cross_entropy(nan probs)")(lambda: F.cross_entropy(np.array([[np.nan, 0.5]]), np.array([[1.0, 0.0]])))
probe("F.cross_entropy(guard=-1)")(lambda: F.cross_entropy(np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]]), guard=-1))
probe("F.cross_entropy(label targets)")(lambda: F.cross_entropy(np.full((2, 3), 1 / 3), np.array([0, 2])))
probe("F.cross_entropy(targets (2,4))")(lambda: F.cross_entropy(np.full((2, 3), 1 / 3), np.eye(4)[:2]))
probe("F.sigmoid(int8)", lambda r: np.allclose(r, [1.0, 0.0]))(lambda: F.sigmoid(np.array([127, -128], dtype=np.int8)))
probe("F.sigmoid(+-1e308)", finite)(lambda: F.sigmoid(np.array([1e308, -1e308])))
probe("F.log_sigmoid(-1e308)", lambda r: r[0] == -1e308)(lambda: F.log_sigmoid(np.array([-1e308])))

# ---- layers
lin = Linear(4, 3, rng)
for label, x in [("(2, 5)", np.ones((2, 5))), ("1-D", np.ones(4)), ("strings", np.array([["a"] * 4])),
                 ("(2, 4, 1)", np.ones((2, 4, 1)))]:
    probe(f"Linear.forward {label}")(lambda x=x: Linear(4, 3, rng).forward(x))
probe("Linear.forward uint8", lambda r: np.allclose(r, lin.forward(np.full((1, 4), 255.0))))(
    lambda: lin.forward(np.full((1, 4), 255, dtype=np.uint8)))
probe("Linear(0, 3)")(lambda: Linear(0, 3))
probe("Linear.backward before forward")(lambda: Linear(4, 3).backward(np.ones((2, 3))))
probe("Linear.backward bad dout")(lambda: (lin.forward(np.ones((2, 4))), lin.backward(np.ones((3, 3)))))
for Layer in (ReLU, Sigmoid, Tanh):
    probe(f"{Layer.__name__}.backward before forward")(lambda L=Layer: L().backward(np.ones(3)))
    probe(f"{Layer.__name__}.backward broadcasting dout")(lambda L=Layer: (lambda layer: (layer.forward(np.ones((2, 3))), layer.backward(np.ones(3))))(L()))
    probe(f"{Layer.__name__}(nan) propagates", lambda r: np.isnan(r[0, 1]))(
        lambda L=Layer: L().forward(np.array([[1.0, np.nan]])))
    probe(f"{Layer.__name__}(+-1e308)", finite)(lambda L=Layer: L().forward(np.array([[1e308, -1e308]])))
probe("SoftmaxCrossEntropy(guard=-1)")(lambda: SoftmaxCrossEntropy(guard=-1))
probe("SoftmaxCrossEntropy(guard='x')")(lambda: SoftmaxCrossEntropy(guard="x"))
probe("SoftmaxCrossEntropy labels not one-hot")(lambda: SoftmaxCrossEntropy().forward(np.ones((2, 3)), np.array([0, 1])))
probe("SoftmaxCrossEntropy backward(array)")(
    lambda: (lambda loss: (loss.forward(np.ones((2, 3)), np.eye(3)[:2]), loss.backward(np.ones(2))))(SoftmaxCrossEntropy()))
probe("SoftmaxCrossEntropy uint8 scores", finite)(
    lambda: SoftmaxCrossEntropy().forward(np.array([[0, 200, 255]], dtype=np.uint8), np.eye(3)[[0]]))
probe("SoftmaxCrossEntropy default = exact", lambda r: abs(r - 60.0) < 1e-9)(
    lambda: SoftmaxCrossEntropy().forward(np.array([[30.0, -30.0]]), np.array([[0.0, 1.0]])))
probe("Sequential wrong width")(lambda: Sequential(Linear(4, 3), ReLU(), Linear(5, 2)).forward(np.ones((2, 4))))
probe("L2Loss uint8 0 vs 255", lambda r: r == 32512.5)(
    lambda: L2Loss().forward(np.zeros((1, 1), dtype=np.uint8), np.full((1, 1), 255, dtype=np.uint8)))
probe("L2Loss shapes")(lambda: L2Loss().forward(np.ones((2, 3)), np.ones((3, 2))))
probe("L2Loss strings")(lambda: L2Loss().forward(np.array([["a"]]), np.array([["b"]])))
probe("Conv2d bad channels")(lambda: Conv2d(3, 4, 3).forward(np.ones((1, 2, 8, 8))))
probe("Conv2d kernel > input")(lambda: Conv2d(1, 1, 5).forward(np.ones((1, 1, 3, 3))))
probe("Conv2d stride 0")(lambda: Conv2d(1, 1, 3, stride=0))
probe("Conv2d uint8", finite)(lambda: Conv2d(1, 1, 3).forward(np.full((1, 1, 4, 4), 255, dtype=np.uint8)))
probe("Residual bad width")(lambda: Residual(4).forward(np.ones((2, 5))))
probe("Residual bad activation")(lambda: Residual(4, activation="gelu"))
probe("build_network depth 0")(lambda: build_network(2, 3, 0, 8))

# ---- gradient checks
x0 = rng.standard_normal(5)
sq = lambda z: float(np.sum(z**2))  # noqa: E731
for label, g in [("nan", np.nan), ("inf", np.inf), ("-inf", -np.inf)]:
    probe(f"gradient_test {label} gradient", wrong)(lambda g=g: taylor_verdict(*gradient_test(sq, lambda z: np.full(z.shape, g), x0)))
    probe(f"jacobian_test {label} backward", wrong)(
        lambda g=g: taylor_verdict(*jacobian_test(np.tanh, lambda u: np.full(u.shape, g), rng.standard_normal((2, 3)))))
probe("gradient_test nan loss", wrong)(lambda: taylor_verdict(*gradient_test(lambda z: np.nan, lambda z: 2 * z, x0)))
probe("gradient_test inf loss", wrong)(lambda: taylor_verdict(*gradient_test(lambda z: np.inf, lambda z: 2 * z, x0)))
probe("gradient_test float32 x")(lambda: gradient_test(sq, lambda z: 2 * z, x0.astype(np.float32)))
probe("gradient_test gradient of wrong shape")(lambda: gradient_test(sq, lambda z: np.ones(3), x0))
probe("gradient_test vector f")(lambda: gradient_test(lambda z: z, lambda z: z, x0))
probe("gradient_test eps=[0, 1]")(lambda: gradient_test(sq, lambda z: 2 * z, x0, eps=[0.0, 1.0]))
probe("gradient_test eps=[nan, 1]")(lambda: gradient_test(sq, lambda z: 2 * z, x0, eps=[np.nan, 1.0]))
probe("taylor_verdict mismatched")(lambda: taylor_verdict(np.ones(4), np.ones(3), np.ones(4)))
probe("rel_error nan", lambda r: r > 1)(lambda: rel_error(np.array([np.nan]), np.array([1.0])))
probe("rel_error shapes")(lambda: rel_error(np.ones(3), np.ones(4)))
probe("numerical_gradient float32")(lambda: numerical_gradient(sq, np.ones(3, dtype=np.float32)))
probe("numerical_gradient vector f")(lambda: numerical_gradient(lambda z: z, np.ones(3)))


class NanLinear(Linear):
    def backward(self, dout):
        out = super().backward(dout)
        self.grads["W"] = self.grads["W"] * np.nan
        return None if out is None else out * np.nan


probe("layer_jacobian_tests nan backward", lambda r: all(wrong(taylor_verdict(*v)) for k, v in r.items() if k in ("x", "W")))(
    lambda: layer_jacobian_tests(NanLinear(3, 2, rng), rng.standard_normal((4, 3))))
probe("network_gradient_test nan backward", wrong)(
    lambda: taylor_verdict(*network_gradient_test(Sequential(NanLinear(3, 2, rng)), SoftmaxCrossEntropy(),
                                                  rng.standard_normal((4, 3)), np.eye(2)[[0, 1, 0, 1]])))
probe("layer_param_jacobian_test unknown name")(lambda: layer_jacobian_tests.__globals__["layer_param_jacobian_test"](Linear(2, 2), np.ones((1, 2)), "Q"))

# ---- training
Xb = np.concatenate([c + 0.3 * rng.standard_normal((30, 2)) for c in ([0, 3], [3, -2], [-3, -2])])
yb = np.repeat(np.arange(3), 30)


def run_fit(X=Xb, y=yb, model=None, loss=None, **kw):
    args = dict(epochs=2, batch_size=10, optimizer=SGD(0.1), rng=np.random.default_rng(0), verbose=False) | kw
    return fit(model or two_layer_net(X.shape[1], 8, 3, np.random.default_rng(1)), loss or SoftmaxCrossEntropy(), X, y, **args)


for label, lr in [("nan", np.nan), ("inf", np.inf), ("0", 0.0), ("-1", -1.0), ("'0.1'", "0.1"), ("None", None), ("True", True)]:
    probe(f"SGD(lr={label})")(lambda lr=lr: SGD(lr))
for m in (1.0, -0.1, np.nan, 2):
    probe(f"SGD(momentum={m})")(lambda m=m: SGD(0.1, momentum=m))
for key, value in [("epochs", -1), ("epochs", 0), ("epochs", 1.5), ("epochs", "3"), ("batch_size", 0), ("batch_size", 2.5),
                   ("reg", -1), ("reg", np.nan), ("reg", np.inf), ("lr_decay", -1), ("lr_decay", 0), ("lr_decay", np.nan),
                   ("rng", 0), ("rng", None), ("optimizer", 0.1)]:
    probe(f"fit({key}={value!r})")(lambda k=key, v=value: run_fit(**{k: v}))
Xnan = Xb.copy()
Xnan[3, 1] = np.nan
probe("fit X with NaN")(lambda: run_fit(X=Xnan))
probe("fit X with inf")(lambda: run_fit(X=np.where(Xb > 2, np.inf, Xb)))
probe("fit X strings")(lambda: run_fit(X=Xb.astype(str)))
probe("fit float labels")(lambda: run_fit(y=yb.astype(float)))
probe("fit labels out of range")(lambda: run_fit(y=yb + 1))
probe("fit labels (N, 1)")(lambda: run_fit(y=yb[:, None]))
probe("fit X/y length mismatch")(lambda: run_fit(y=yb[:-1]))
probe("fit uint8 X", lambda h: finite(h["loss"]))(lambda: run_fit(X=(Xb * 10 + 100).astype(np.uint8)))
probe("fit lr=1e3 (diverges)")(lambda: run_fit(X=rng.standard_normal((300, 20)), y=rng.integers(0, 3, 300),
                                               model=two_layer_net(20, 32, 3, np.random.default_rng(1)), optimizer=SGD(1e3),
                                               batch_size=30, epochs=3, loss=SoftmaxCrossEntropy(guard=1e-9)))
nan_model = two_layer_net(2, 8, 3, np.random.default_rng(1))
nan_model[0].params["W"][0, 0] = np.nan
probe("fit model with NaN weights")(lambda: run_fit(model=nan_model))
probe("fit validation without labels")(lambda: run_fit(X_val=Xb))
probe("accuracy (N, 1) labels")(lambda: accuracy(two_layer_net(2, 4, 3, rng), Xb, yb[:, None]))
probe("evaluate float labels")(lambda: evaluate(two_layer_net(2, 4, 3, rng), SoftmaxCrossEntropy(), Xb, yb.astype(float), 3))
probe("confusion_matrix negative label")(lambda: confusion_matrix(np.array([-1, 0]), np.array([0, 0]), 2))
probe("confusion_matrix shapes")(lambda: confusion_matrix(np.array([0, 1]), np.array([0]), 2))
probe("confusion_matrix float labels")(lambda: confusion_matrix(np.array([0.0, 1.0]), np.array([0, 1]), 2))

# ---- data tools
probe("one_hot float labels")(lambda: data.one_hot(np.array([0.0, 1.0])))
probe("one_hot label >= K")(lambda: data.one_hot(np.array([0, 3]), 3))
probe("one_hot negative")(lambda: data.one_hot(np.array([-1, 0]), 3))
probe("one_hot empty, no K")(lambda: data.one_hot(np.array([], dtype=int)))
probe("train_val_split fraction 0")(lambda: data.train_val_split(Xb, yb, 0.0, rng))
probe("train_val_split fraction 1.5")(lambda: data.train_val_split(Xb, yb, 1.5, rng))
probe("train_val_split no rng")(lambda: data.train_val_split(Xb, yb, 0.2, 0))
probe("train_val_split lengths")(lambda: data.train_val_split(Xb, yb[:-1], 0.2, rng))
probe("Standardizer(eps=-1)")(lambda: data.Standardizer(eps=-1))
probe("Standardizer(eps=nan)")(lambda: data.Standardizer(eps=np.nan))
probe("Standardizer(eps=0) constant feature")(lambda: data.Standardizer(eps=0).fit_transform(np.column_stack([Xb[:, 0], np.ones(len(Xb))])))
probe("Standardizer transform before fit")(lambda: data.Standardizer().transform(Xb))
probe("Standardizer other width")(lambda: data.Standardizer().fit(Xb).transform(np.ones((2, 3))))
probe("Standardizer empty")(lambda: data.Standardizer().fit(np.ones((0, 2))))
probe("minibatches batch_size 0")(lambda: list(data.minibatches(Xb, yb, 0, rng)))
probe("minibatches no rng")(lambda: list(data.minibatches(Xb, yb, 10, None)))
probe("minibatches lengths")(lambda: list(data.minibatches(Xb, yb[:-1], 10, rng)))

# ---- loaders on damaged folders (fake official files, written from the published formats)
TMP = Path(tempfile.mkdtemp(prefix="npdl-probes-"))
data.OFFICIAL_SIZES.update({"mnist train": 7, "mnist test": 3})  # the fakes' sizes


def fresh(kind):
    root = Path(tempfile.mkdtemp(dir=TMP))
    if kind == "mnist":
        write_fake_mnist(root / "mnist", np.random.default_rng(0))
    else:
        write_fake_cifar(root / "cifar-10-batches-py", np.random.default_rng(0), n=5)
    return root


def damaged_mnist(edit):
    def call():
        root = fresh("mnist")
        edit(root / "mnist")
        return data.load_mnist("train", root=root), data.load_mnist("test", root=root)
    return call


def damaged_cifar(edit, batch=1):
    def call():
        root = fresh("cifar")
        edit(root / "cifar-10-batches-py")
        return data.load_cifar10(batch, root=root)
    return call


def put(name, content):
    return lambda folder: (folder / name).write_bytes(content)


img, lab = data.MNIST_FILES["train"]
timg, tlab = data.MNIST_FILES["test"]
probe("mnist not gzip")(damaged_mnist(put(img, b"not gzip")))
probe("mnist empty file")(damaged_mnist(put(img, b"")))
probe("mnist truncated header")(damaged_mnist(put(img, __import__("gzip").compress(b"\x00\x00\x08"))))
probe("mnist fewer labels")(damaged_mnist(put(lab, idx_gz_bytes(np.zeros(5, np.uint8)))))
probe("mnist 27x27 images")(damaged_mnist(put(img, idx_gz_bytes(np.zeros((7, 27, 27), np.uint8)))))
probe("mnist labels 2-D")(damaged_mnist(put(lab, idx_gz_bytes(np.zeros((7, 1), np.uint8)))))
probe("mnist label 12")(damaged_mnist(put(lab, idx_gz_bytes(np.full(7, 12, np.uint8)))))
probe("mnist test files = train files")(damaged_mnist(lambda f: [(f / t).write_bytes((f / s).read_bytes()) for s, t in ((img, timg), (lab, tlab))]))
probe("mnist split 'val'")(lambda: data.load_mnist("val"))
probe("cifar not a pickle")(damaged_cifar(put("data_batch_1", b"junk")))
probe("cifar empty file")(damaged_cifar(put("data_batch_1", b"")))
probe("cifar a list")(damaged_cifar(put("data_batch_1", pickle.dumps([1, 2]))))
probe("cifar no labels key")(damaged_cifar(put("data_batch_1", pickle.dumps({b"data": np.zeros((5, 3072), np.uint8)}, protocol=2))))
b9 = cifar_batch(np.random.default_rng(1), 9)
b9[b"labels"] = b9[b"labels"][:8]
probe("cifar 9 images, 8 labels")(damaged_cifar(put("data_batch_1", pickle.dumps(b9, protocol=2))))
b_wide = cifar_batch(np.random.default_rng(1), 5)
b_wide[b"data"] = np.zeros((5, 3000), np.uint8)
probe("cifar rows of 3000 bytes")(damaged_cifar(put("data_batch_1", pickle.dumps(b_wide, protocol=2))))
b_float = cifar_batch(np.random.default_rng(1), 5)
b_float[b"data"] = b_float[b"data"].astype(np.float64)
probe("cifar float data")(damaged_cifar(put("data_batch_1", pickle.dumps(b_float, protocol=2))))
b_lab = cifar_batch(np.random.default_rng(1), 5)
b_lab[b"labels"] = [0, 1, 2, 3, 10]
probe("cifar label 10")(damaged_cifar(put("data_batch_1", pickle.dumps(b_lab, protocol=2))))
b_str = cifar_batch(np.random.default_rng(1), 5)
b_str[b"labels"] = ["a"] * 5
probe("cifar string labels")(damaged_cifar(put("data_batch_1", pickle.dumps(b_str, protocol=2))))
probe("cifar meta with 9 classes")(damaged_cifar(put("batches.meta", pickle.dumps({b"label_names": [b"x"] * 9}, protocol=2))))


class Planted:
    def __reduce__(self):
        return os.system, ("echo PLANTED CODE RAN",)


probe("cifar planted code")(damaged_cifar(put("data_batch_1", pickle.dumps({b"data": Planted(), b"labels": []}, protocol=2))))
probe("cifar n too large")(lambda: data.load_cifar10(1, n=6, root=fresh("cifar")))
probe("cifar n=0")(lambda: data.load_cifar10(1, n=0, root=fresh("cifar")))
probe("cifar n=2.5")(lambda: data.load_cifar10(1, n=2.5, root=fresh("cifar")))
probe("cifar batch 6")(lambda: data.load_cifar10(6, root=fresh("cifar")))
probe("cifar batch 'train'")(lambda: data.load_cifar10("train", root=fresh("cifar")))
probe("ensure unknown dataset")(lambda: data.ensure("imagenet"))

# ---- plotting
probe("plot_history not a dict")(lambda: plot_history([1, 2]))
probe("plot_history ragged")(lambda: plot_history({"loss": [1, 2], "train_acc": [0.5]}))
probe("show_images titles")(lambda: show_images(np.zeros((3, 8, 8)), titles=["a"]))
probe("show_images 1-D")(lambda: show_images(np.zeros(5)))
probe("show_images empty")(lambda: show_images(np.zeros((0, 8, 8))))
probe("show_images ncols 0")(lambda: show_images(np.zeros((2, 8, 8)), ncols=0))
probe("show_templates wrong shape")(lambda: show_templates(np.zeros((10, 3)), (28, 28), list("abc")))
probe("plot_confusion wrong K")(lambda: plot_confusion(np.eye(3, dtype=int), ["a", "b"]))
probe("plot_gradient_test lengths")(lambda: plot_gradient_test(np.ones(4), np.ones(3), np.ones(4)))


def classify(fn, check):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # a warning is a clear signal as well
            result = fn()
    except RuntimeWarning as w:
        return "clear error", f"RuntimeWarning: {w}"
    except Exception as err:
        msg = f"{type(err).__name__}: {err}"
        if isinstance(err, (AttributeError, IndexError, NameError, UnboundLocalError, ZeroDivisionError)):
            return "unclear error", msg
        return ("clear error" if EXPECTED.search(str(err)) and CAME.search(str(err)) else "unclear error"), msg
    finally:
        plt.close("all")
    if check is not None:
        try:
            ok = bool(check(result))
        except Exception:
            ok = False
        return ("answered" if ok else "WRONG ANSWER"), repr(result)[:120]
    return "SILENT", repr(result)[:120]


def main():
    counts = {}
    bad = []
    for name, fn, check in PROBES:
        outcome, detail = classify(fn, check)
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome not in ("clear error", "answered"):
            bad.append(f"  [{outcome}] {name}: {detail[:300]}")
        if "-v" in sys.argv:
            print(f"[{outcome}] {name}: {detail[:200]}")
    print(f"{len(PROBES)} probes: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print("\n".join(bad))
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
