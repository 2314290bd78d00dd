"""2-D convolution (naive loops and im2col) and the fixed kernels lesson 06 convolves with
(a Gaussian blur, applied channel by channel).

Shapes follow PyTorch's conv2d: x (N, C, H, W), W (F, C, KH, KW), b (F,), out (N, F, OH, OW),
and "convolution" means cross-correlation (the kernel is not flipped):

    out[n, f, i, j] = b[f] + sum_{c, u, v} W[f, c, u, v] * xp[n, c, s_h i + d_h u, s_w j + d_w v]

where xp is x zero-padded by p on each side, s the stride and d the dilation (1 = no gaps).
Along each axis  OH = floor((H + 2 p - d (K - 1) - 1) / s) + 1.

As every layer (see `helpers.layers.Module`): float32 in gives float32 out (im2col and col2im
too: build buffers with the input's dtype), and arrays handed in may be read-only.
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

from .checks import check_dout, check_real, is_int, pair, rng_or_default
from .layers import Module, init_std


def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    """Output length along one axis:  floor((size + 2 padding - dilation (kernel - 1) - 1) / stride) + 1.

    A kernel whose dilated span d (k - 1) + 1 exceeds the padded input has no valid position.
    """
    if stride < 1 or padding < 0 or dilation < 1 or kernel < 1:
        raise ValueError(
            f"need kernel >= 1, stride >= 1, padding >= 0, dilation >= 1; got kernel={kernel}, "
            f"stride={stride}, padding={padding}, dilation={dilation}"
        )
    span = dilation * (kernel - 1) + 1
    if span > size + 2 * padding:
        raise ValueError(
            f"a kernel of {kernel} with dilation {dilation} spans {span} pixels, more than the "
            f"padded input's {size + 2 * padding} (= {size} + 2 * padding {padding})"
        )
    return (size + 2 * padding - span) // stride + 1


def im2col(x_pad, kernel_hw, stride, dilation, out_hw):
    """Windows of a padded input as columns. x_pad: (N, C, Hp, Wp) -> cols: (C*KH*KW, N*OH*OW).

    cols[(c, u, v), (n, i, j)] = x_pad[n, c, s_h i + d_h u, s_w j + d_w v], so that
    out = W.reshape(F, C*KH*KW) @ cols is the whole convolution in one matrix product.
    cols has x_pad's dtype (float32 in, float32 out).
    """
    (KH, KW), (sh, sw), (dh, dw), (OH, OW) = kernel_hw, stride, dilation, out_hw
    N, C = x_pad.shape[:2]
    ### BEGIN SOLUTION
    sN, sC, sH, sW = x_pad.strides
    # A view, no copy: moving one step along u jumps d_h rows, along i jumps s_h rows.
    windows = as_strided(x_pad, shape=(C, KH, KW, N, OH, OW),
                         strides=(sC, dh * sH, dw * sW, sN, sh * sH, sw * sW), writeable=False)
    return windows.reshape(C * KH * KW, N * OH * OW)  # the one copy: the im2col matrix
    ### END SOLUTION


def col2im(dcols, x_pad_shape, kernel_hw, stride, dilation, out_hw):
    """Adjoint of im2col: every column entry is added back to the pixel it was read from.

    dcols: (C*KH*KW, N*OH*OW) -> dx_pad: (N, C, Hp, Wp). Windows overlap when s < d (K - 1) + 1,
    so pixels collect several contributions; one strided `+=` per kernel offset (u, v) adds them.
    dx_pad has dcols' dtype (float32 in, float32 out): make the buffer with dtype=dcols.dtype.
    """
    (KH, KW), (sh, sw), (dh, dw), (OH, OW) = kernel_hw, stride, dilation, out_hw
    N, C, Hp, Wp = x_pad_shape
    ### BEGIN SOLUTION
    dcols = dcols.reshape(C, KH, KW, N, OH, OW)
    dx_pad = np.zeros((C, N, Hp, Wp), dtype=dcols.dtype)  # channels first, like dcols
    for u in range(KH):
        for v in range(KW):
            dx_pad[:, :, dh * u : dh * u + sh * (OH - 1) + 1 : sh,
                   dw * v : dw * v + sw * (OW - 1) + 1 : sw] += dcols[:, u, v]
    return dx_pad.transpose(1, 0, 2, 3)
    ### END SOLUTION


class _Conv2dBase(Module):
    """What both implementations share: parameters, geometry, input checks, padding."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 bias=True, rng=None, weight_scale=None, dtype=np.float64):
        super().__init__()
        C, F = pair((in_channels, out_channels), "in_channels, out_channels", 1)
        self.kernel_size = pair(kernel_size, "kernel_size", 1)
        self.stride = pair(stride, "stride", 1)
        self.padding = pair(padding, "padding", 0)
        self.dilation = pair(dilation, "dilation", 1)
        self.bias = bool(bias)
        rng = rng_or_default(rng, f"{type(self).__name__}'s rng")
        # He initialisation: each output sums C*KH*KW inputs, as a Linear layer's fan-in.
        fan_in = C * self.kernel_size[0] * self.kernel_size[1]
        scale = init_std(fan_in) if weight_scale is None else weight_scale
        self.params["W"] = (scale * rng.standard_normal((F, C) + self.kernel_size)).astype(dtype)
        if self.bias:
            self.params["b"] = np.zeros(F, dtype=dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def set_weights(self, W, b=None):
        """Replace the weights (F, C, KH, KW) by a copy of W, and the bias (F,) by b (zeros if None)."""
        W = np.asarray(W)
        old = self.params["W"]
        if W.shape != old.shape:
            raise ValueError(f"{self!r} has weights of shape {old.shape}, got {W.shape}")
        if b is not None and not self.bias:
            raise ValueError(f"{self!r} was built with bias=False, so set_weights takes no b")
        b = np.zeros(old.shape[0]) if b is None else np.asarray(b)
        if b.shape != (old.shape[0],):
            raise ValueError(f"{self!r} has a bias of shape ({old.shape[0]},), got {b.shape}")
        self.params["W"] = np.array(W, dtype=old.dtype)
        self.grads["W"] = np.zeros_like(self.params["W"])
        if self.bias:
            self.params["b"] = np.array(b, dtype=old.dtype)
            self.grads["b"] = np.zeros_like(self.params["b"])
        return self

    def output_shape(self, x_shape):
        """(N, C, H, W) -> (N, F, OH, OW), or a clear error if the geometry is impossible."""
        F, C = self.params["W"].shape[:2]
        if len(x_shape) != 4 or x_shape[1] != C:
            raise ValueError(f"{self!r} expects x of shape (N, {C}, H, W), got {tuple(x_shape)}")
        try:
            OH, OW = (conv_output_size(x_shape[2 + a], self.kernel_size[a], self.stride[a],
                                       self.padding[a], self.dilation[a]) for a in (0, 1))
        except ValueError as err:
            raise ValueError(f"{self!r} cannot slide over an input of {tuple(x_shape)}: {err}") from None
        return x_shape[0], F, OH, OW

    def _check_input(self, x):
        x = check_real(x, repr(self))
        out_shape = self.output_shape(x.shape)
        dtype = np.result_type(x.dtype, self.params["W"].dtype)  # float32 stays float32
        return x.astype(dtype, copy=False), out_shape

    def _pad(self, x):
        """Zero-pad rows and columns: (N, C, H, W) -> (N, C, H + 2 p_h, W + 2 p_w)."""
        (ph, pw), (N, C, H, W) = self.padding, x.shape
        if ph == pw == 0:
            return x  # nothing to pad (im2col copies what it reads, so x need not be copied)
        x_pad = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=x.dtype)
        x_pad[:, :, ph : ph + H, pw : pw + W] = x
        return x_pad

    def _unpad(self, dx_pad):
        (ph, pw), (Hp, Wp) = self.padding, dx_pad.shape[2:]
        return np.ascontiguousarray(dx_pad[:, :, ph : Hp - ph, pw : Wp - pw])

    def __repr__(self):
        F, C = self.params["W"].shape[:2]
        return (f"{type(self).__name__}({C}, {F}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, dilation={self.dilation}, bias={self.bias})")


class Conv2dNaive(_Conv2dBase):
    """Convolution by explicit loops over every output entry (n, f, i, j). Clear, and slow.

    out[n, f, i, j] = b[f] + sum( W[f] * window(n, i, j) )
    dW[f] += dout[n, f, i, j] window(n, i, j);   dx_window(n, i, j) += dout[n, f, i, j] W[f]
    db[f] = sum_{n, i, j} dout[n, f, i, j]
    """

    def _window(self, i, j):
        """Row and column slices of the padded input under output (i, j): (C, KH, KW) when applied."""
        (KH, KW), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
        rows = slice(sh * i, sh * i + dh * (KH - 1) + 1, dh)
        cols = slice(sw * j, sw * j + dw * (KW - 1) + 1, dw)
        return rows, cols

    def forward(self, x):
        x, (N, F, OH, OW) = self._check_input(x)
        W = self.params["W"]
        b = self.params["b"] if self.bias else np.zeros(F, dtype=W.dtype)
        x_pad = self._pad(x)
        self.cache = x_pad
        ### BEGIN SOLUTION
        out = np.zeros((N, F, OH, OW), dtype=np.result_type(x_pad, W))
        for n in range(N):
            for f in range(F):
                for i in range(OH):
                    for j in range(OW):
                        rows, cols = self._window(i, j)
                        out[n, f, i, j] = np.sum(W[f] * x_pad[n, :, rows, cols]) + b[f]
        return out
        ### END SOLUTION

    def backward(self, dout):
        x_pad = self._cached()
        W = self.params["W"]
        N, F = x_pad.shape[0], W.shape[0]
        dout = check_dout(dout, self.output_shape(self._input_shape(x_pad)), self)
        OH, OW = dout.shape[2:]
        ### BEGIN SOLUTION
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
        return self._unpad(dx_pad)
        ### END SOLUTION

    def _input_shape(self, x_pad):
        (ph, pw), (N, C, Hp, Wp) = self.padding, x_pad.shape
        return N, C, Hp - 2 * ph, Wp - 2 * pw


class Conv2d(_Conv2dBase):
    """Vectorised convolution: im2col, then one matrix product each way.

    forward:   out = W2 @ cols + b             W2 = W.reshape(F, C*KH*KW), cols = im2col(x_pad)
                                               (one product per image: out arrives as (N, F, OH*OW))
    backward:  dW2 = dout2 @ cols^T,   db = dout2 1,   dx_pad = col2im(W2^T @ dout2)
    where dout2 = dout arranged as (F, N*OH*OW), the layout of W2 @ cols.
    forward caches (x_pad.shape, cols) in self.cache: backward reads them from there.
    backward returns None instead of dx when needs_input_grad is False (x is data).
    """

    def forward(self, x):
        x, (N, F, OH, OW) = self._check_input(x)
        W = self.params["W"]
        x_pad = self._pad(x)
        ### BEGIN SOLUTION
        cols = im2col(x_pad, self.kernel_size, self.stride, self.dilation, (OH, OW))
        self.cache = (x_pad.shape, cols)
        # W2 @ cols one image at a time: image n's columns are cols[:, n*OH*OW : (n+1)*OH*OW], so
        # the products stack as (N, F, OH*OW), already the output's layout (no transpose after)
        out = W.reshape(F, -1) @ cols.reshape(-1, N, OH * OW).transpose(1, 0, 2)
        if self.bias:
            out += self.params["b"][:, None]
        return out.reshape(N, F, OH, OW)
        ### END SOLUTION

    def backward(self, dout):
        x_pad_shape, cols = self._cached()
        W = self.params["W"]
        N, C, Hp, Wp = x_pad_shape
        (ph, pw), F = self.padding, W.shape[0]
        dout = check_dout(dout, self.output_shape((N, C, Hp - 2 * ph, Wp - 2 * pw)), self)
        OH, OW = dout.shape[2:]
        ### BEGIN SOLUTION
        dout2 = dout.transpose(1, 0, 2, 3).reshape(F, -1)  # (F, N*OH*OW)
        self.grads["W"] = (dout2 @ cols.T).reshape(W.shape)
        if self.bias:
            self.grads["b"] = dout2.sum(axis=1)
        if not self.needs_input_grad:  # x is data: nobody reads dx (see Module.needs_input_grad)
            return None
        dcols = W.reshape(F, -1).T @ dout2
        dx_pad = col2im(dcols, x_pad_shape, self.kernel_size, self.stride, self.dilation, (OH, OW))
        return self._unpad(dx_pad)
        ### END SOLUTION


def gaussian_kernel(size, sigma):
    """Normalised 2-D Gaussian. -> (size, size), entries summing to 1, centred at c = (size - 1) / 2.

    g[i, j] = exp(-((i - c)^2 + (j - c)^2) / (2 sigma^2)) / Z
    """
    if not is_int(size) or size < 1:
        raise ValueError(f"size must be a positive int, got {size!r}")
    if not np.isfinite(sigma) or sigma <= 0:
        raise ValueError(f"sigma must be a positive number of pixels, got {sigma!r}")
    r2 = (np.arange(size) - (size - 1) / 2) ** 2
    d2 = r2[:, None] + r2[None, :]
    # Shift by the smallest distance so the largest entry is exp(0) = 1: a tiny sigma would
    # otherwise underflow every entry of an even-sized kernel to 0 and Z to 0.
    g = np.exp(-(d2 - d2.min()) / (2.0 * sigma**2))
    return g / g.sum()


def channelwise(kernel, channels):
    """Weights (C, C, k, k) that filter each channel by `kernel` (k, k) on its own:
    W[f, c] = kernel if f == c else 0, so out[:, c] = kernel * x[:, c]."""
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 2:
        raise ValueError(f"channelwise expects a 2-D kernel (KH, KW), got shape {kernel.shape}")
    W = np.zeros((channels, channels) + kernel.shape)
    W[np.arange(channels), np.arange(channels)] = kernel
    return W
