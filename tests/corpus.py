"""The proof corpus: for every helpers exercise, alternative correct solutions in other styles than
the reference, and classic mistakes, as the code a student would put in place of the stub.

    CORPUS[exercise]["alt_<style>"] = code                  # must read "passed", nothing else
    CORPUS[exercise]["bug_<mistake>"] = (code, quantity)    # must read "wrong" on this exercise,
                                                            # with `quantity` in the message

Each snippet is the body of the exercise region at indentation 0, with the names the code above
the region defines (see the stub's function). The alternatives of one index (alt 1, alt 2) are
planted together, so a node's forward and backward alternatives of one index agree on their cache.
tests/test_corpus.py plants them in a student release and runs the checker. Not a test module.
"""
import textwrap


def _c(text):
    return textwrap.dedent(text).strip("\n")


# Scalar nodes: forward and backward of one alternative index share a cache layout.
SCALAR = {
    "Add.forward": {
        "alt_numpy": "return np.add(a, b)",
        "alt_caches_inputs": "self.cache = (a, b)\nreturn b + a",
        "bug_subtracts": ("return a - b", "Add.forward"),
        "bug_multiplies": ("return a * b", "Add.forward"),
    },
    "Add.backward": {
        "alt_tuple": "return (dout, dout)",
        "alt_times_one": "return (1.0 * dout, dout * 1.0)",
        "bug_one_gradient": ("return (dout,)", "tuple"),
        "bug_forgets_dout": ("return 1.0, 1.0", "da"),
    },
    "Mul.forward": {
        "alt_tuple": "self.cache = a, b\nreturn b * a",
        "alt_dict": 'self.cache = {"a": a, "b": b}\nreturn np.multiply(a, b)',
        "bug_adds": ("self.cache = (a, b)\nreturn a + b", "Mul.forward"),
        "bug_squares": ("self.cache = (a, b)\nreturn a * a", "Mul.forward"),
    },
    "Mul.backward": {
        "alt_tuple": "a, b = self.cache\nda, db = b * dout, a * dout\nreturn da, db",
        "alt_dict": 'return (self.cache["b"] * dout, self.cache["a"] * dout)',
        "bug_swapped": ("a, b = self.cache\nreturn dout * a, dout * b", "da"),
        "bug_forgets_dout": ("a, b = self.cache\nreturn b, a", "da"),
    },
    "Div.forward": {
        "alt_caches_inputs": "self.cache = (a, b)\nreturn a / b",
        "alt_caches_output": "self.cache = (b, a / b)\nreturn self.cache[1]",
        "bug_inverted": ("self.cache = (b, a / b)\nreturn b / a", "Div.forward"),
        "bug_multiplies": ("self.cache = (b, a / b)\nreturn a * b", "Div.forward"),
    },
    "Div.backward": {
        "alt_first_formula": "a, b = self.cache\nreturn dout / b, -dout * a / b**2",
        "alt_second_formula": "b, y = self.cache\nda = dout / b\nreturn da, -da * y",
        "bug_sign": ("b, y = self.cache\nda = dout / b\nreturn da, da * y", "db"),
        "bug_power": ("b, y = self.cache\nreturn dout / b, -dout * y / b**2", "db"),
    },
    "Square.forward": {
        "alt_product": "self.cache = a\nreturn float(a) * float(a)",
        "alt_power": 'self.cache = {"a": a}\nreturn a ** 2',
        "bug_doubles": ("self.cache = a\nreturn 2 * a", "Square.forward"),
        "bug_cube": ("self.cache = a\nreturn a ** 3", "Square.forward"),
    },
    "Square.backward": {
        "alt_product": "return (2 * self.cache * dout,)",
        "alt_power": 'a = self.cache["a"]\nreturn ((a + a) * dout,)',
        "bug_forgets_two": ("a = self.cache\nreturn (a * dout,)", "da"),
        "bug_forgets_dout": ("a = self.cache\nreturn (2 * a,)", "da"),
    },
    "Cos.forward": {
        "alt_caches_input": "import math\nself.cache = a\nreturn math.cos(a)",
        "alt_caches_sine": "self.cache = (a, np.sin(a))\nreturn float(np.cos(a))",
        "bug_sine": ("self.cache = a\nreturn np.sin(a)", "Cos.forward"),
        "bug_sign": ("self.cache = a\nreturn -np.cos(a)", "Cos.forward"),
    },
    "Cos.backward": {
        "alt_caches_input": "return (-np.sin(self.cache) * dout,)",
        "alt_caches_sine": "_, s = self.cache\nreturn (-s * dout,)",
        "bug_sign": ("return (np.sin(self.cache) * dout,)", "da"),
        "bug_cosine": ("return (-np.cos(self.cache) * dout,)", "da"),
    },
    "Sin.forward": {
        "alt_caches_input": "import math\nself.cache = a\nreturn math.sin(a)",
        "alt_caches_cosine": "self.cache = (a, np.cos(a))\nreturn float(np.sin(a))",
        "bug_cosine": ("self.cache = a\nreturn np.cos(a)", "Sin.forward"),
        "bug_double_angle": ("self.cache = a\nreturn np.sin(2 * a)", "Sin.forward"),
    },
    "Sin.backward": {
        "alt_caches_input": "return (np.cos(self.cache) * dout,)",
        "alt_caches_cosine": "_, c = self.cache\nreturn (c * dout,)",
        "bug_sign": ("return (-np.cos(self.cache) * dout,)", "da"),
        "bug_forgets_dout": ("return (np.cos(self.cache),)", "da"),
    },
    "scalar.Tanh.forward": {
        "alt_caches_output": "import math\nself.cache = math.tanh(a)\nreturn self.cache",
        "alt_caches_input": "self.cache = a\nreturn float(np.tanh(a))",
        "bug_tan": ("self.cache = np.tanh(a)\nreturn np.tan(a)", "Tanh.forward"),
        "bug_sign": ("y = np.tanh(a)\nself.cache = y\nreturn -y", "Tanh.forward"),
    },
    "scalar.Tanh.backward": {
        "alt_caches_output": "return (dout * (1 - self.cache**2),)",
        "alt_caches_input": "return ((1 - np.tanh(self.cache) ** 2) * dout,)",
        "bug_forgets_square": ("y = self.cache\nreturn ((1 - y) * dout,)", "da"),
        "bug_forgets_dout": ("y = self.cache\nreturn (1 - y**2,)", "da"),
    },
    "scalar.Sigmoid.forward": {
        "alt_caches_output": "import math\ny = 1 / (1 + math.exp(-a)) if a >= 0 else math.exp(a) / (1 + math.exp(a))\nself.cache = y\nreturn y",
        "alt_caches_input": "self.cache = a\nreturn float(sigmoid(a))",
        "bug_sign": ("y = 1 / (1 + np.exp(a))\nself.cache = y\nreturn y", "Sigmoid.forward"),
        "bug_tanh": ("y = float(np.tanh(a))\nself.cache = y\nreturn y", "Sigmoid.forward"),
    },
    "scalar.Sigmoid.backward": {
        "alt_caches_output": "return (dout * self.cache * (1 - self.cache),)",
        "alt_caches_input": "s = float(sigmoid(self.cache))\nreturn (dout * (s - s * s),)",
        "bug_forgets_one_minus": ("y = self.cache\nreturn (y * dout,)", "da"),
        "bug_one_minus_only": ("y = self.cache\nreturn ((1 - y) * dout,)", "da"),
    },
    "Log.forward": {
        "alt_caches_input": "import math\nself.cache = a\nreturn math.log(a) if a > 0 else -math.inf",
        "alt_dict": 'self.cache = {"a": a}\nreturn float(np.log(a))',
        "bug_log10": ("self.cache = a\nreturn np.log10(a)", "Log.forward"),
        "bug_log1p": ("self.cache = a\nreturn np.log1p(a)", "Log.forward"),
    },
    "Log.backward": {
        "alt_caches_input": "return (dout / self.cache,)",
        "alt_dict": 'return (dout * (1 / self.cache["a"]),)',
        "bug_multiplies": ("return (dout * self.cache,)", "da"),
        "bug_sign": ("return (-dout / self.cache,)", "da"),
    },
    "LogSigmoid.forward": {
        "alt_stable_formula": "self.cache = a\nreturn min(a, 0) - np.log1p(np.exp(-abs(a)))",
        "alt_logaddexp": "self.cache = a\nreturn float(-np.logaddexp(0, -a))",
        "bug_log_of_sigmoid": ("self.cache = a\nreturn float(np.log(sigmoid(a)))", "LogSigmoid.forward"),
        "bug_sign": ("self.cache = a\nreturn float(log_sigmoid(-a))", "LogSigmoid.forward"),
    },
    "LogSigmoid.backward": {
        "alt_sigma_of_minus_a": "return (float(sigmoid(-self.cache)) * dout,)",
        "alt_one_minus_sigma": "return (dout * (1 - float(sigmoid(self.cache))),)",
        "bug_sign": ("return (float(sigmoid(self.cache)) * dout,)", "da"),
        "bug_forgets_dout": ("return (float(sigmoid(-self.cache)),)", "da"),
    },
}

FUNCTIONAL = {
    "softmax": {
        "alt_loops": _c("""
            probs = np.empty(scores.shape, dtype=np.result_type(scores.dtype, np.float32))
            for i in range(scores.shape[0]):
                e = np.exp(scores[i] - np.max(scores[i]))
                probs[i] = e / np.sum(e)
            return probs
        """),
        "alt_vectorised": _c("""
            e = np.exp(scores - np.max(scores, axis=1)[:, None])
            return e / np.sum(e, axis=1)[:, None]
        """),
        "bug_shift_by_mean": (_c("""
            e = np.exp(scores - scores.mean(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        """), "probs"),
        "bug_overwrites_input": (_c("""
            scores -= scores.max(axis=1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=1, keepdims=True)
            return scores
        """), "scores was modified"),
        "bug_normalises_columns": (_c("""
            e = np.exp(scores - scores.max(axis=1, keepdims=True))
            return e / e.sum(axis=0, keepdims=True)
        """), "probs"),
    },
    "cross_entropy": {
        "alt_mean_of_rows": "return float(-np.mean(np.sum(targets * np.log(probs + guard), axis=1)))",
        "alt_loop": _c("""
            total = 0.0
            for p_row, t_row in zip(probs, targets):
                total -= np.dot(t_row, np.log(p_row + guard))
            return total / len(probs)
        """),
        "bug_forgets_1_over_N": ("return float(-np.sum(targets * np.log(probs + guard)))", "L"),
        "bug_mean_over_all_entries": ("return float(-np.mean(targets * np.log(probs + guard)))", "L"),
        "bug_no_guard": ("return float(-np.sum(targets * np.log(probs)) / len(probs))", "L"),
    },
}

LAYERS = {
    "Linear.forward": {
        "alt_dot": "return np.dot(x, W) + b",
        "alt_einsum": 'return np.einsum("nd,dm->nm", x, W) + b[None, :]',
        "alt_rows": "return np.array([row @ W + b for row in x])",
        "bug_missing_bias": ("return x @ W", "y"),
        "bug_bias_sign": ("return x @ W - b", "y"),
        "bug_transposed_product": ("return x @ W.T + b", "matmul"),
    },
    "Linear.backward": {
        "alt_einsum": _c("""
            self.grads["W"] = np.einsum("nd,nm->dm", x, dout)
            self.grads["b"] = np.einsum("nm->m", dout)
            return np.einsum("nm,dm->nd", dout, W)
        """),
        "alt_per_sample": _c("""
            dW, db = np.zeros_like(W), np.zeros_like(b)
            for x_n, d_n in zip(x, dout):
                dW += np.outer(x_n, d_n)
                db += d_n
            self.grads["W"], self.grads["b"] = dW, db
            return dout @ W.T
        """),
        "bug_accumulates_across_calls": (_c("""
            self.grads["W"] += x.T @ dout
            self.grads["b"] += dout.sum(axis=0)
            return dout @ W.T
        """), "second call"),
        "bug_transposed_dW": (_c("""
            self.grads["W"] = dout.T @ x
            self.grads["b"] = dout.sum(axis=0)
            return dout @ W.T
        """), "dW"),
        "bug_mean_for_db": (_c("""
            self.grads["W"] = x.T @ dout
            self.grads["b"] = dout.mean(axis=0)
            return dout @ W.T
        """), "db"),
    },
    "ReLU.backward": {
        "alt_where": "return np.where(positive, dout, 0)",
        "alt_masked_copy": "dx = dout.copy()\ndx[~positive] = 0\nreturn dx",
        "bug_missing_mask": ("return dout", "dx"),
        "bug_inverted_mask": ("return dout * ~positive", "dx"),
        "bug_mutates_dout": ("dout[~positive] = 0\nreturn dout", "dout was modified"),
    },
    "layers.Sigmoid.backward": {
        "alt_expanded": "return dout * (y - y**2)",
        "alt_reordered": "return y * (1.0 - y) * dout",
        "bug_forgets_one_minus_y": ("return dout * y", "dx"),
        "bug_sigmoid_of_output": ("s = 1 / (1 + np.exp(-y))\nreturn dout * s * (1 - s)", "dx"),
    },
    "layers.Tanh.backward": {
        "alt_expanded": "return dout - dout * y * y",
        "alt_square": "return dout * (1 - np.square(y))",
        "bug_forgets_square": ("return dout * (1 - y)", "dx"),
        "bug_tanh_of_output": ("return dout * (1 - np.tanh(y) ** 2)", "dx"),
    },
    "SoftmaxCrossEntropy.backward": {
        "alt_scaled": "return (probs - targets) * (dout / len(probs))",
        "alt_in_place_on_a_copy": "d = probs.copy()\nd -= targets\nd *= dout / probs.shape[0]\nreturn d",
        "bug_forgets_1_over_N": ("return dout * (probs - targets)", "dscores"),
        "bug_ignores_dout": ("return (probs - targets) / len(probs)", "dout=2.5"),
        "bug_sign": ("return dout * (targets - probs) / len(probs)", "dscores"),
    },
}

RESNET = {
    "Residual.forward": {
        "alt_dot": _c("""
            z = np.dot(x, W1) + b1
            a = self.phi.forward(z)
            self.cache = (x, z, a)
            return x + np.dot(a, W2)
        """),
        "alt_call_and_copy": _c("""
            z = x @ W1
            z += b1
            a = self.phi(z)
            self.cache = (x, z, a)
            y = x.copy()
            y += a @ W2
            return y
        """),
        "bug_missing_skip": (_c("""
            z = x @ W1 + b1
            a = self.phi.forward(z)
            self.cache = (x, z, a)
            return a @ W2
        """), "y"),
        "bug_missing_b1": (_c("""
            z = x @ W1
            a = self.phi.forward(z)
            self.cache = (x, z, a)
            return x + a @ W2
        """), "y"),
        "bug_caches_z_for_a": (_c("""
            z = x @ W1 + b1
            a = self.phi.forward(z)
            self.cache = (x, z, z)
            return x + a @ W2
        """), "cached a"),
    },
    "Residual.backward": {
        "alt_dot": _c("""
            g = dout @ W2.T
            dz = self.phi.backward(g)
            self.grads["W1"] = np.dot(x.T, dz)
            self.grads["b1"] = np.sum(dz, axis=0)
            self.grads["W2"] = np.dot(a.T, dout)
            return dout + np.dot(dz, W1.T)
        """),
        "alt_explicit_derivative": _c("""
            ds = 1 - a**2 if self.activation == "tanh" else (z > 0).astype(z.dtype)
            dz = np.einsum("nd,hd->nh", dout, W2) * ds
            self.grads["W2"] = np.einsum("nh,nd->hd", a, dout)
            self.grads["W1"] = np.einsum("nd,nh->dh", x, dz)
            self.grads["b1"] = dz.sum(axis=0)
            dx = dout.copy()
            dx += dz @ W1.T
            return dx
        """),
        "bug_missing_identity_path": (_c("""
            self.grads["W2"] = a.T @ dout
            dz = self.phi.backward(dout @ W2.T)
            self.grads["W1"] = x.T @ dz
            self.grads["b1"] = dz.sum(axis=0)
            return dz @ W1.T
        """), "dx"),
        "bug_missing_activation_derivative": (_c("""
            self.grads["W2"] = a.T @ dout
            dz = dout @ W2.T
            self.grads["W1"] = x.T @ dz
            self.grads["b1"] = dz.sum(axis=0)
            return dout + dz @ W1.T
        """), "dW1"),
        "bug_transposed_dW2": (_c("""
            self.grads["W2"] = dout.T @ a
            dz = self.phi.backward(dout @ W2.T)
            self.grads["W1"] = x.T @ dz
            self.grads["b1"] = dz.sum(axis=0)
            return dout + dz @ W1.T
        """), "dW2"),
    },
}

_TAP = "dh * u : dh * u + sh * (OH - 1) + 1 : sh, dw * v : dw * v + sw * (OW - 1) + 1 : sw"
CONV = {
    "im2col": {
        "alt_loops": _c("""
            cols = np.empty((C, KH, KW, N, OH, OW), dtype=x_pad.dtype)
            for u in range(KH):
                for v in range(KW):
                    for i in range(OH):
                        for j in range(OW):
                            cols[:, u, v, :, i, j] = x_pad[:, :, sh * i + dh * u, sw * j + dw * v].T
            return cols.reshape(C * KH * KW, N * OH * OW)
        """),
        "alt_slices": _c(f"""
            rows = []
            for c in range(C):
                for u in range(KH):
                    for v in range(KW):
                        rows.append(x_pad[:, c, {_TAP}].reshape(-1))
            return np.stack(rows)
        """),
        "bug_ignores_stride": (_c("""
            rows = []
            for c in range(C):
                for u in range(KH):
                    for v in range(KW):
                        rows.append(x_pad[:, c, dh * u : dh * u + OH, dw * v : dw * v + OW].reshape(-1))
            return np.stack(rows)
        """), "cols"),
        "bug_ignores_dilation": (_c("""
            rows = []
            for c in range(C):
                for u in range(KH):
                    for v in range(KW):
                        rows.append(x_pad[:, c, u : u + sh * (OH - 1) + 1 : sh, v : v + sw * (OW - 1) + 1 : sw].reshape(-1))
            return np.stack(rows)
        """), "cols"),
        "bug_rows_in_u_v_c_order": (_c(f"""
            rows = []
            for u in range(KH):
                for v in range(KW):
                    for c in range(C):
                        rows.append(x_pad[:, c, {_TAP}].reshape(-1))
            return np.stack(rows)
        """), "cols"),
        "bug_columns_in_i_j_n_order": (_c(f"""
            rows = []
            for c in range(C):
                for u in range(KH):
                    for v in range(KW):
                        rows.append(x_pad[:, c, {_TAP}].transpose(1, 2, 0).reshape(-1))
            return np.stack(rows)
        """), "cols"),
    },
    "col2im": {
        "alt_loops": _c("""
            dx_pad = np.zeros((N, C, Hp, Wp), dtype=dcols.dtype)
            d = dcols.reshape(C, KH, KW, N, OH, OW)
            for u in range(KH):
                for v in range(KW):
                    for i in range(OH):
                        for j in range(OW):
                            dx_pad[:, :, sh * i + dh * u, sw * j + dw * v] += d[:, u, v, :, i, j].T
            return dx_pad
        """),
        "alt_add_at": _c("""
            d = dcols.reshape(C, KH, KW, N, OH, OW).transpose(3, 0, 1, 2, 4, 5)
            rows = (dh * np.arange(KH))[:, None] + (sh * np.arange(OH))[None, :]
            cols = (dw * np.arange(KW))[:, None] + (sw * np.arange(OW))[None, :]
            dx_pad = np.zeros((N, C, Hp, Wp), dtype=dcols.dtype)
            np.add.at(dx_pad, (slice(None), slice(None), rows[:, None, :, None], cols[None, :, None, :]), d)
            return dx_pad
        """),
        "bug_overwrites": (_c(f"""
            d = dcols.reshape(C, KH, KW, N, OH, OW).transpose(3, 0, 1, 2, 4, 5)
            dx_pad = np.zeros((N, C, Hp, Wp), dtype=dcols.dtype)
            for u in range(KH):
                for v in range(KW):
                    dx_pad[:, :, {_TAP}] = d[:, :, u, v]
            return dx_pad
        """), "dx_pad"),
        "bug_ignores_dilation": (_c("""
            d = dcols.reshape(C, KH, KW, N, OH, OW).transpose(3, 0, 1, 2, 4, 5)
            dx_pad = np.zeros((N, C, Hp, Wp), dtype=dcols.dtype)
            for u in range(KH):
                for v in range(KW):
                    dx_pad[:, :, u : u + sh * (OH - 1) + 1 : sh, v : v + sw * (OW - 1) + 1 : sw] += d[:, :, u, v]
            return dx_pad
        """), "dx_pad"),
    },
    "Conv2dNaive.forward": {
        "alt_explicit_slices": _c("""
            (KH, KW), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
            out = np.zeros((N, F, OH, OW), dtype=x_pad.dtype)
            for n in range(N):
                for f in range(F):
                    for i in range(OH):
                        for j in range(OW):
                            win = x_pad[n, :, sh * i : sh * i + dh * (KH - 1) + 1 : dh,
                                        sw * j : sw * j + dw * (KW - 1) + 1 : dw]
                            out[n, f, i, j] = np.sum(win * W[f]) + b[f]
            return out
        """),
        "alt_per_tap": _c(f"""
            (KH, KW), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
            out = np.zeros((N, F, OH, OW), dtype=x_pad.dtype) + b[None, :, None, None]
            for u in range(KH):
                for v in range(KW):
                    tap = x_pad[:, :, {_TAP}]
                    out += np.einsum("nchw,fc->nfhw", tap, W[:, :, u, v])
            return out
        """),
        "bug_ignores_dilation": (_c("""
            (KH, KW), (sh, sw) = self.kernel_size, self.stride
            out = np.zeros((N, F, OH, OW), dtype=x_pad.dtype)
            for n in range(N):
                for f in range(F):
                    for i in range(OH):
                        for j in range(OW):
                            win = x_pad[n, :, sh * i : sh * i + KH, sw * j : sw * j + KW]
                            out[n, f, i, j] = np.sum(win * W[f]) + b[f]
            return out
        """), "out"),
        "bug_missing_bias": (_c("""
            out = np.zeros((N, F, OH, OW), dtype=x_pad.dtype)
            for n in range(N):
                for f in range(F):
                    for i in range(OH):
                        for j in range(OW):
                            rows, cols = self._window(i, j)
                            out[n, f, i, j] = np.sum(W[f] * x_pad[n, :, rows, cols])
            return out
        """), "out"),
        "bug_ignores_stride": (_c("""
            (KH, KW), (dh, dw) = self.kernel_size, self.dilation
            out = np.zeros((N, F, OH, OW), dtype=x_pad.dtype)
            for n in range(N):
                for f in range(F):
                    for i in range(OH):
                        for j in range(OW):
                            win = x_pad[n, :, i : i + dh * (KH - 1) + 1 : dh, j : j + dw * (KW - 1) + 1 : dw]
                            out[n, f, i, j] = np.sum(win * W[f]) + b[f]
            return out
        """), "out"),
    },
    "Conv2dNaive.backward": {
        "alt_explicit_slices": _c("""
            (KH, KW), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
            (ph, pw), (Hp, Wp) = self.padding, x_pad.shape[2:]
            dx_pad, dW = np.zeros(x_pad.shape), np.zeros(W.shape)
            for n in range(N):
                for f in range(F):
                    for i in range(OH):
                        for j in range(OW):
                            r = slice(sh * i, sh * i + dh * (KH - 1) + 1, dh)
                            c = slice(sw * j, sw * j + dw * (KW - 1) + 1, dw)
                            dW[f] += dout[n, f, i, j] * x_pad[n, :, r, c]
                            dx_pad[n, :, r, c] += dout[n, f, i, j] * W[f]
            self.grads["W"] = dW.astype(W.dtype)
            if self.bias:
                self.grads["b"] = dout.sum(axis=(0, 2, 3))
            return dx_pad[:, :, ph : Hp - ph, pw : Wp - pw].astype(np.result_type(dout, W))
        """),
        "alt_per_tap": _c(f"""
            (KH, KW), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
            dx_pad = np.zeros(x_pad.shape, dtype=np.result_type(dout, W))
            dW = np.zeros(W.shape, dtype=dx_pad.dtype)
            for u in range(KH):
                for v in range(KW):
                    dW[:, :, u, v] = np.einsum("nfhw,nchw->fc", dout, x_pad[:, :, {_TAP}])
                    dx_pad[:, :, {_TAP}] += np.einsum("nfhw,fc->nchw", dout, W[:, :, u, v])
            self.grads["W"] = dW
            if self.bias:
                self.grads["b"] = np.einsum("nfhw->f", dout)
            return self._unpad(dx_pad)
        """),
        "bug_off_by_one_unpadding": (_c("""
            (ph, pw) = self.padding
            dx_pad = np.zeros(x_pad.shape, dtype=np.result_type(dout, W))
            dW = np.zeros(W.shape, dtype=dx_pad.dtype)
            for n in range(N):
                for f in range(F):
                    for i in range(OH):
                        for j in range(OW):
                            rows, cols = self._window(i, j)
                            dW[f] += dout[n, f, i, j] * x_pad[n, :, rows, cols]
                            dx_pad[n, :, rows, cols] += dout[n, f, i, j] * W[f]
            self.grads["W"] = dW
            if self.bias:
                self.grads["b"] = dout.sum(axis=(0, 2, 3))
            return dx_pad[:, :, ph : -ph, pw : -pw]
        """), "dx"),
        "bug_ignores_dilation": (_c("""
            (KH, KW), (sh, sw) = self.kernel_size, self.stride
            dx_pad = np.zeros(x_pad.shape, dtype=np.result_type(dout, W))
            dW = np.zeros(W.shape, dtype=dx_pad.dtype)
            for n in range(N):
                for f in range(F):
                    for i in range(OH):
                        for j in range(OW):
                            rows, cols = slice(sh * i, sh * i + KH), slice(sw * j, sw * j + KW)
                            dW[f] += dout[n, f, i, j] * x_pad[n, :, rows, cols]
                            dx_pad[n, :, rows, cols] += dout[n, f, i, j] * W[f]
            self.grads["W"] = dW
            if self.bias:
                self.grads["b"] = dout.sum(axis=(0, 2, 3))
            return self._unpad(dx_pad)
        """), "dW"),
        "bug_overwrites_dx": (_c("""
            dx_pad = np.zeros(x_pad.shape, dtype=np.result_type(dout, W))
            dW = np.zeros(W.shape, dtype=dx_pad.dtype)
            for n in range(N):
                for f in range(F):
                    for i in range(OH):
                        for j in range(OW):
                            rows, cols = self._window(i, j)
                            dW[f] += dout[n, f, i, j] * x_pad[n, :, rows, cols]
                            dx_pad[n, :, rows, cols] = dout[n, f, i, j] * W[f]
            self.grads["W"] = dW
            if self.bias:
                self.grads["b"] = dout.sum(axis=(0, 2, 3))
            return self._unpad(dx_pad)
        """), "dx"),
    },
    "Conv2d.forward": {
        "alt_tensordot": _c("""
            cols = im2col(x_pad, self.kernel_size, self.stride, self.dilation, (OH, OW))
            self.cache = (x_pad.shape, cols)
            out = np.tensordot(W.reshape(F, -1), cols, axes=1).reshape(F, N, OH, OW)
            out = np.moveaxis(out, 0, 1)
            if self.bias:
                out = out + self.params["b"][None, :, None, None]
            return out
        """),
        "alt_einsum": _c("""
            cols = im2col(x_pad, self.kernel_size, self.stride, self.dilation, (OH, OW))
            self.cache = (x_pad.shape, cols)
            out = np.einsum("fk,knhw->nfhw", W.reshape(F, -1), cols.reshape(-1, N, OH, OW))
            return out + self.params["b"].reshape(1, F, 1, 1) if self.bias else out
        """),
        "bug_reshape_without_transpose": (_c("""
            cols = im2col(x_pad, self.kernel_size, self.stride, self.dilation, (OH, OW))
            self.cache = (x_pad.shape, cols)
            out = W.reshape(F, -1) @ cols
            if self.bias:
                out += self.params["b"][:, None]
            return out.reshape(N, F, OH, OW)
        """), "out"),
        "bug_missing_bias": (_c("""
            cols = im2col(x_pad, self.kernel_size, self.stride, self.dilation, (OH, OW))
            self.cache = (x_pad.shape, cols)
            out = W.reshape(F, -1) @ cols
            return out.reshape(F, N, OH, OW).transpose(1, 0, 2, 3)
        """), "out"),
        "bug_caches_unpadded_shape": (_c("""
            cols = im2col(x_pad, self.kernel_size, self.stride, self.dilation, (OH, OW))
            self.cache = (x.shape, cols)
            out = W.reshape(F, -1) @ cols + (self.params["b"][:, None] if self.bias else 0)
            return out.reshape(F, N, OH, OW).transpose(1, 0, 2, 3)
        """), "cached x_pad.shape"),
    },
    "Conv2d.backward": {
        "alt_moveaxis_tensordot": _c("""
            dout2 = np.moveaxis(dout, 1, 0).reshape(F, -1)
            self.grads["W"] = np.tensordot(dout2, cols, axes=(1, 1)).reshape(W.shape)
            if self.bias:
                self.grads["b"] = dout.sum(axis=(0, 2, 3))
            dcols = W.reshape(F, -1).T @ dout2
            return self._unpad(col2im(dcols, x_pad_shape, self.kernel_size, self.stride, self.dilation, (OH, OW)))
        """),
        "alt_einsum": _c("""
            self.grads["W"] = np.einsum("nfhw,knhw->fk", dout, cols.reshape(-1, N, OH, OW)).reshape(W.shape)
            if self.bias:
                self.grads["b"] = np.einsum("nfhw->f", dout)
            dcols = np.einsum("fk,nfhw->knhw", W.reshape(F, -1), dout).reshape(-1, N * OH * OW)
            dx_pad = col2im(dcols, x_pad_shape, self.kernel_size, self.stride, self.dilation, (OH, OW))
            return dx_pad[:, :, ph : Hp - ph, pw : Wp - pw]
        """),
        "bug_reshape_without_transpose": (_c("""
            dout2 = dout.reshape(F, -1)
            self.grads["W"] = (dout2 @ cols.T).reshape(W.shape)
            if self.bias:
                self.grads["b"] = dout2.sum(axis=1)
            dcols = W.reshape(F, -1).T @ dout2
            return self._unpad(col2im(dcols, x_pad_shape, self.kernel_size, self.stride, self.dilation, (OH, OW)))
        """), "dW"),
        "bug_transposed_dW": (_c("""
            dout2 = dout.transpose(1, 0, 2, 3).reshape(F, -1)
            self.grads["W"] = (cols @ dout2.T).reshape(W.shape)
            if self.bias:
                self.grads["b"] = dout2.sum(axis=1)
            dcols = W.reshape(F, -1).T @ dout2
            return self._unpad(col2im(dcols, x_pad_shape, self.kernel_size, self.stride, self.dilation, (OH, OW)))
        """), "dW"),
        "bug_off_by_one_unpadding": (_c("""
            dout2 = dout.transpose(1, 0, 2, 3).reshape(F, -1)
            self.grads["W"] = (dout2 @ cols.T).reshape(W.shape)
            if self.bias:
                self.grads["b"] = dout2.sum(axis=1)
            dcols = W.reshape(F, -1).T @ dout2
            dx_pad = col2im(dcols, x_pad_shape, self.kernel_size, self.stride, self.dilation, (OH, OW))
            return dx_pad[:, :, ph : -ph, pw : -pw]
        """), "dx"),
    },
    "L2Loss.forward": {
        "alt_squared_sum": "return float(np.sum((y - targets) ** 2) / (2 * len(y)))",
        "alt_mean_of_rows": "return 0.5 * float(np.mean(np.sum(((y - targets) ** 2).reshape(len(y), -1), axis=1)))",
        "bug_forgets_half": ("return float(np.sum((y - targets) ** 2) / len(y))", "L"),
        "bug_mean_over_all_entries": ("return float(0.5 * np.mean((y - targets) ** 2))", "L"),
    },
    "L2Loss.backward": {
        "alt_scaled": "return (y - targets) * (dout / y.shape[0])",
        "alt_divided": "n = len(y)\nreturn dout / n * (y - targets)",
        "bug_forgets_1_over_N": ("return dout * (y - targets)", "dL/dy"),
        "bug_sign": ("return dout * (targets - y) / len(y)", "dL/dy"),
        "bug_ignores_dout": ("return (y - targets) / len(y)", "dout=3"),
    },
}

DATA = {
    "minibatches": {
        "alt_while_loop": _c("""
            n = len(X)
            idx = rng.permutation(n) if shuffle else np.arange(n)
            start = 0
            while start < n:
                part = idx[start : start + batch_size]
                yield X[part], y[part]
                start += batch_size
        """),
        "alt_shuffle_in_place": _c("""
            order = np.arange(len(X))
            if shuffle:
                rng.shuffle(order)
            for k in range(int(np.ceil(len(X) / batch_size))):
                take = order[k * batch_size : (k + 1) * batch_size]
                yield X[take], y[take]
        """),
        "bug_drops_the_last_batch": (_c("""
            order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
            for start in range(0, len(X) - batch_size + 1, batch_size):
                idx = order[start : start + batch_size]
                yield X[idx], y[idx]
        """), "batch sizes"),
        "bug_shuffles_X_and_y_apart": (_c("""
            px = rng.permutation(len(X)) if shuffle else np.arange(len(X))
            py = rng.permutation(len(X)) if shuffle else np.arange(len(X))
            for start in range(0, len(X), batch_size):
                yield X[px[start : start + batch_size]], y[py[start : start + batch_size]]
        """), "no longer match"),
        "bug_same_order_every_call": (_c("""
            order = np.random.default_rng(0).permutation(len(X)) if shuffle else np.arange(len(X))
            for start in range(0, len(X), batch_size):
                idx = order[start : start + batch_size]
                yield X[idx], y[idx]
        """), "new on every call"),
    },
}

CORPUS = {**FUNCTIONAL, **LAYERS, **SCALAR, **RESNET, **CONV, **DATA}


def alternatives(name):
    return [code for key, code in CORPUS[name].items() if key.startswith("alt_")]


def mistakes(name):
    return [(key, *value) for key, value in CORPUS[name].items() if key.startswith("bug_")]

# The notebook exercise (notebook 01, cell 4): the body of linear_softmax_loss after `N = X.shape[0]`;
# judged by the notebook's own checking cell, not by `make check` (tests/test_corpus.py runs it).
NOTEBOOK = {
    "01_linear_classifier.linear_softmax_loss": {
        "alt_stable_softmax_by_hand": _c("""
            S = X @ W + b
            S = S - S.max(axis=1, keepdims=True)
            P = np.exp(S) / np.exp(S).sum(axis=1, keepdims=True)
            J = -np.sum(T * np.log(P)) / N + reg * np.sum(W ** 2)
            dS = (P - T) / N
            dW = X.T @ dS + 2 * reg * W
            db = dS.sum(axis=0)
        """),
        "alt_softmax_helper_and_einsum": _c("""
            P = F.softmax(np.einsum("nd,dk->nk", X, W) + b)
            J = -np.mean(np.sum(T * np.log(P), axis=1)) + reg * np.sum(W * W)
            dW = np.einsum("nd,nk->dk", X, P - T) / N + 2 * reg * W
            db = np.mean(P - T, axis=0)
        """),
        "bug_forgets_1_over_N": (_c("""
            P = F.softmax(X @ W + b)
            J = -np.sum(T * np.log(P)) / N + reg * np.sum(W * W)
            dW = X.T @ (P - T) + 2 * reg * W
            db = (P - T).sum(axis=0) / N
        """), "dW"),
        "bug_forgets_reg_in_dW": (_c("""
            P = F.softmax(X @ W + b)
            J = -np.sum(T * np.log(P)) / N + reg * np.sum(W * W)
            dW = X.T @ (P - T) / N
            db = (P - T).sum(axis=0) / N
        """), "dW"),
        "bug_regularises_the_bias": (_c("""
            P = F.softmax(X @ W + b)
            J = -np.sum(T * np.log(P)) / N + reg * np.sum(W * W)
            dW = X.T @ (P - T) / N + 2 * reg * W
            db = (P - T).sum(axis=0) / N + 2 * reg * b
        """), "db"),
    },
}

# Cases that involve more than one exercise, or a subset run (`make check K=...`): what is planted
# (every other exercise holds the reference), the checker's extra arguments, and the verdicts
# expected (`tests`: test modules added to the release); `expect` maps an exercise to its status, or to (status, quantity in the message).
# Every other exercise of the corpus must read "passed" (with -k: must not read wrong or in doubt).
# tests/test_corpus.py::test_case runs each in its own release copy.
CASES = {
    # prints are allowed (no docstring forbids them): a leftover debug print changes no verdict
    "alt_leftover_print": {
        "plant": {"Linear.forward": 'print("Linear.forward: x", x.shape, "W", W.shape)\nreturn x @ W + b'},
        "expect": {},
    },
    # correct code written above the stub line, the stub line left in: the code is what runs
    "alt_code_above_a_left_in_stub": {
        "plant": {"softmax": _c("""
            e = np.exp(scores - scores.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
            raise NotImplementedError("Exercise softmax: implement p_ik = exp(s_ik) / sum_j exp(s_ij)")
        """)},
        "expect": {},
    },
    # the docstring: float32 in gives float32 out. The fault is col2im's, not its callers'.
    "bug_col2im_float64_buffer": {
        "plant": {"col2im": _c("""
            d = dcols.reshape(C, KH, KW, N, OH, OW).transpose(3, 0, 1, 2, 4, 5)
            dx_pad = np.zeros((N, C, Hp, Wp))
            for u in range(KH):
                for v in range(KW):
                    dx_pad[:, :, dh * u : dh * u + sh * (OH - 1) + 1 : sh,
                           dw * v : dw * v + sw * (OW - 1) + 1 : sw] += d[:, :, u, v]
            return dx_pad
        """)},
        "expect": {"col2im": ("wrong", "float32")},
    },
    # math.exp(1000) overflows: Sigmoid.forward is wrong; Log.forward and LogSigmoid.forward,
    # which a test runs together with it, are right
    "bug_scalar_sigmoid_math_exp_overflow": {
        "plant": {"scalar.Sigmoid.forward": "import math\ny = 1 / (1 + math.exp(-a))\nself.cache = y\nreturn y"},
        "expect": {"scalar.Sigmoid.forward": ("wrong", "OverflowError")},
    },
    # a subset run must run the tests the blame needs: the failing selected tests call a wrong
    # ReLU.backward (Residual's phi); without ReLU.backward's own tests, the correct
    # Residual.backward read "wrong"
    "bug_relu_backward_seen_from_k_residual": {
        "plant": {"ReLU.backward": "return dout"},
        "args": ["-k", "residual"],
        "expect": {"ReLU.backward": ("wrong", "dx"), "Residual.backward": "waiting", "Residual.forward": "passed"},
    },
    # make check K=col2im with a Conv2d.backward that reshapes dout without the N/F transpose,
    # and a test named for col2im that runs it inside the layer (as the instructor's hidden
    # tests do): the correct col2im read "wrong"
    "bug_conv2d_backward_seen_from_k_col2im": {
        "plant": {"Conv2d.backward": CONV["Conv2d.backward"]["bug_reshape_without_transpose"][0]},
        "tests": {"tests/test_col2im_in_a_layer.py": _c("""
            import numpy as np

            from helpers.conv import Conv2d
            from helpers.gradcheck import numerical_gradient, rel_error


            def test_col2im_in_a_layer_matches_finite_differences():
                rng = np.random.default_rng(0)
                layer, x = Conv2d(2, 3, (3, 2), rng=rng), rng.standard_normal((2, 2, 6, 7))
                u = rng.standard_normal(layer.forward(x).shape)
                dx = layer.backward(u)
                assert rel_error(dx, numerical_gradient(lambda v: np.sum(layer.forward(v) * u), x)) < 1e-7
        """)},
        "args": ["-k", "col2im"],
        "expect": {"col2im": "waiting", "Conv2d.backward": ("wrong", "dW")},
    },
    # the same mistake in a full run: Conv2d.backward is wrong, col2im (which its tests call) is not
    "bug_conv2d_backward_reshape_without_transpose": {
        "plant": {"Conv2d.backward": CONV["Conv2d.backward"]["bug_reshape_without_transpose"][0]},
        "expect": {"Conv2d.backward": ("wrong", "dW")},
    },
}
