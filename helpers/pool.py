"""Max-pooling and Flatten: the layers that turn convolution feature maps into class scores.

Shapes follow PyTorch's max_pool2d: x (N, C, H, W) -> out (N, C, OH, OW), one window of
KH x KW pixels per output, moved by the stride (default: the kernel size, so windows tile the
image), no padding, and rows or columns that no whole window covers are dropped (floor mode):

    out[n, c, i, j] = max_{u, v} x[n, c, s_h i + u, s_w j + v],   OH = floor((H - KH) / s_h) + 1

The gradient of a max is routed to the entry that won: dx[winner] += dout, every other entry of
the window gets 0.

Ties: when several entries of a window share the maximum, the first in row-major window order
(top-left first: smallest u, then smallest v) is the winner and receives the whole gradient, as
np.argmax picks it (and as PyTorch does). The choice is deterministic and the forward value is the
same whichever entry wins; the gradient there is a subgradient (the max is not differentiable at
a tie), so finite differences are only compared away from ties. A NaN in a window wins (np.argmax
and np.max propagate it): a broken input shows in the output instead of vanishing.
"""
import numpy as np
from numpy.lib.stride_tricks import as_strided

from .checks import check_dout, check_real, pair
from .conv import conv_output_size
from .layers import Module


class MaxPool2d(Module):
    """Max over KH x KW windows moved by a stride. x: (N, C, H, W) -> (N, C, OH, OW). No parameters.

    forward caches the input's shape and the winner's position in each window;
    backward(dout) adds dout[n, c, i, j] to dx at that position (windows overlap when the stride is
    smaller than the kernel, so a pixel can win several windows and collects all their gradients).
    """

    def __init__(self, kernel_size=2, stride=None):
        super().__init__()
        self.kernel_size = pair(kernel_size, "kernel_size", 1)
        self.stride = self.kernel_size if stride is None else pair(stride, "stride", 1)

    def output_shape(self, x_shape):
        """(N, C, H, W) -> (N, C, OH, OW), or a clear error if no window fits."""
        if len(x_shape) != 4:
            raise ValueError(f"{self!r} expects x of shape (N, C, H, W), got {tuple(x_shape)}")
        try:
            OH, OW = (conv_output_size(x_shape[2 + a], self.kernel_size[a], self.stride[a]) for a in (0, 1))
        except ValueError as err:
            raise ValueError(f"{self!r} cannot slide over an input of {tuple(x_shape)}: {err}") from None
        return x_shape[0], x_shape[1], OH, OW

    def _windows(self, x, out_hw):
        """A view (N, C, OH, OW, KH*KW) of every window, entries in row-major window order."""
        (KH, KW), (sh, sw), (OH, OW) = self.kernel_size, self.stride, out_hw
        sN, sC, sH, sW = x.strides
        windows = as_strided(x, shape=x.shape[:2] + (OH, OW, KH, KW),
                             strides=(sN, sC, sh * sH, sw * sW, sH, sW), writeable=False)
        return windows.reshape(x.shape[:2] + (OH, OW, KH * KW))  # a copy: windows may overlap

    def forward(self, x):
        x = check_real(x, repr(self))
        N, C, OH, OW = self.output_shape(x.shape)
        x = np.ascontiguousarray(x)
        windows = self._windows(x, (OH, OW))
        winner = windows.argmax(axis=-1)  # the first maximal entry of each window: ties go top-left
        self.cache = (x.shape, winner)
        return np.take_along_axis(windows, winner[..., None], axis=-1)[..., 0]

    def backward(self, dout):
        x_shape, winner = self._cached()
        dout = check_dout(dout, winner.shape, self)
        (KH, KW), (sh, sw), (OH, OW) = self.kernel_size, self.stride, winner.shape[2:]
        dx = np.zeros(x_shape, dtype=np.result_type(dout.dtype, np.float32))
        for u in range(KH):  # one strided += per window offset (u, v), as in col2im
            for v in range(KW):
                dx[:, :, u : u + sh * (OH - 1) + 1 : sh,
                   v : v + sw * (OW - 1) + 1 : sw] += np.where(winner == u * KW + v, dout, 0)
        return dx

    def __repr__(self):
        return f"MaxPool2d(kernel_size={self.kernel_size}, stride={self.stride})"


class Flatten(Module):
    """Each sample's feature maps as one row: x (N, C, H, W) (or any (N, ...)) -> (N, C*H*W).

    Row-major order, so feature (c, i, j) lands in column c*H*W + i*W + j; backward reshapes
    dout back to the input's shape. No parameters.
    """

    def forward(self, x):
        x = np.asarray(x)
        if x.ndim < 2:
            raise ValueError(f"Flatten expects a batch x of shape (N, ...), got {x.shape}")
        self.cache = x.shape
        return x.reshape(len(x), -1)

    def backward(self, dout):
        x_shape = self._cached()
        dout = check_dout(dout, (x_shape[0], int(np.prod(x_shape[1:]))), "Flatten")
        return dout.reshape(x_shape)
