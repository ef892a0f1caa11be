"""Vision functions (torch.nn.functional's group of that name): pad, interpolate/upsample,
pixel_shuffle/unshuffle, channel_shuffle, grid_sample and affine_grid.

Resampling that is linear in the input (interpolation) is a product with a small per-axis
matrix, so every derivative, the second included, comes from ``matmul``. Non-constant padding
is a gather along each padded axis whose adjoint is one slice copy plus one add per padded
position.
"""
from __future__ import annotations

import math

from ..autograd.function import Function
from ..backend import get_xp
from .conv import _shape_str
from .pooling import _adaptive_avg, _apply_axes

__all__ = ["pad", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear",
           "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "grid_sample", "affine_grid"]


# ------------------------------------------------------------------ pad
def _pad_slices(shape, pads):
    """Source/destination slices of a constant pad with (lo, hi) per dim (may be negative)."""
    src, dst = [], []
    for s, (lo, hi) in zip(shape, pads):
        src.append(slice(max(0, -lo), s - max(0, -hi)))
        dst.append(slice(max(0, lo), max(0, lo) + max(0, s - max(0, -lo) - max(0, -hi))))
    return tuple(src), tuple(dst)


class ConstantPad(Function):
    """Pad (or crop, for negative amounts) every dim by ``pads[d] = (lo, hi)`` with ``value``."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, pads, value):
        ctx.pads = pads
        ctx.in_shape = x.shape
        shape = tuple(s + lo + hi for s, (lo, hi) in zip(x.shape, pads))
        src, dst = _pad_slices(x.shape, pads)
        if value == 0:
            out = ctx.xp.zeros(shape, x.dtype)
        else:
            out = ctx.xp.full(shape, value, x.dtype)
        out[dst] = x[src]
        return out

    @staticmethod
    def backward(ctx, g):
        neg = tuple((-lo, -hi) for lo, hi in ctx.pads)
        if ctx.create_graph:
            return ConstantPad.apply(g, neg, 0), None, None
        src, dst = _pad_slices(ctx.in_shape, ctx.pads)
        if all(lo >= 0 and hi >= 0 for lo, hi in ctx.pads):
            return g[dst].copy(), None, None
        gx = ctx.xp.zeros(ctx.in_shape, g.dtype)
        gx[src] = g[dst]
        return gx, None, None


def _take_adjoint(xp, g, axis, idx, lo, size):
    """Adjoint of ``take(x, idx, axis)`` where ``idx[j] = j - lo`` inside the input range:
    one slice copy for the interior plus one add per padded position (no scatter)."""
    n = g.shape[axis]
    shape = list(g.shape)
    shape[axis] = size
    gx = xp.zeros(tuple(shape), g.dtype)
    a, b = max(0, lo), min(n, lo + size)
    pre = (slice(None),) * axis
    if a < b:
        gx[pre + (slice(a - lo, b - lo),)] = g[pre + (slice(a, b),)]
    for j in list(range(0, min(a, n))) + list(range(max(b, 0), n)):
        gx[pre + (int(idx[j]),)] += g[pre + (j,)]
    return gx


class IndexPad(Function):
    """reflect / replicate / circular padding: a gather along each padded axis."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, plan):
        ctx.plan = plan
        ctx.in_shape = x.shape
        out = x
        for axis, idx, lo in plan:
            out = ctx.xp.take(out, idx, axis=axis)
        return out if out is not x else x.copy()

    @staticmethod
    def backward(ctx, g):
        if ctx.create_graph:
            return IndexPadAdjoint.apply(g, ctx.plan, ctx.in_shape), None
        return _index_pad_adjoint(ctx.xp, g, ctx.plan, ctx.in_shape), None


def _index_pad_adjoint(xp, g, plan, in_shape):
    for axis, idx, lo in reversed(plan):
        g = _take_adjoint(xp, g, axis, idx, lo, in_shape[axis])
    return g


class IndexPadAdjoint(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, g, plan, in_shape):
        ctx.plan = plan
        return _index_pad_adjoint(ctx.xp, g, plan, in_shape)

    @staticmethod
    def backward(ctx, h):
        if ctx.create_graph:
            return IndexPad.apply(h, ctx.plan), None, None
        out = h
        for axis, idx, lo in ctx.plan:
            out = ctx.xp.take(out, idx, axis=axis)
        return out, None, None


def _pad_index(mode, size, lo, hi, xp):
    j = xp.arange(-lo, size + hi)
    if mode == "replicate":
        return xp.clip(j, 0, size - 1)
    if mode == "circular":  # torch crops first, then wraps around the cropped tensor
        c0 = max(0, -lo)
        n = size - c0 - max(0, -hi)
        return c0 + (xp.arange(-max(lo, 0), n + max(hi, 0)) % n)
    period = 2 * (size - 1)
    if period == 0:
        return xp.zeros_like(j)
    j = xp.abs(j) % period
    return xp.where(j >= size, period - j, j)


_NONCONST = "Supported combinations for non-constant padding:\n" \
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n" \
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n" \
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"


def pad(input, pad, mode="constant", value=None):
    r"""Pads tensor.

    Padding size:
        The padding size by which to pad some dimensions of :attr:`input` are described
        starting from the last dimension and moving forward.
        :math:`\left\lfloor\frac{\text{len(pad)}}{2}\right\rfloor` dimensions of ``input``
        will be padded. For example, to pad only the last dimension of the input tensor, then
        :attr:`pad` has the form :math:`(\text{padding\_left}, \text{padding\_right})`.

    Padding mode:
        See :class:`ember.nn.CircularPad2d`, :class:`ember.nn.ConstantPad2d`,
        :class:`ember.nn.ReflectionPad2d`, and :class:`ember.nn.ReplicationPad2d` for concrete
        examples on how each of the padding modes works. Constant padding is implemented for
        arbitrary dimensions. Circular, replicate and reflection padding are implemented for
        padding the last 3 dimensions of a 4D or 5D input tensor, the last 2 dimensions of a 3D
        or 4D input tensor, or the last dimension of a 2D or 3D input tensor.

    Args:
        input (Tensor): N-dimensional tensor
        pad (tuple): m-elements tuple, where :math:`\frac{m}{2} \leq` input dimensions and
            :math:`m` is even.
        mode: ``'constant'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.
            Default: ``'constant'``
        value: fill value for ``'constant'`` padding. Default: ``0``

    Examples::

        >>> t4d = ember.empty(3, 3, 4, 2)
        >>> F.pad(t4d, (1, 1), "constant", 0).size()
        ember.Size([3, 3, 4, 4])
    """
    pads = [int(p) for p in pad]
    if len(pads) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    n = len(pads) // 2
    nd = input.ndim
    if mode == "constant":
        if n > nd:
            raise RuntimeError(f"Padding length should be less than or equal to two times the "
                               f"input dimension but got padding length {len(pads)} and input "
                               f"of dimension {nd}")
        per = [(0, 0)] * nd
        for i in range(n):
            per[nd - 1 - i] = (pads[2 * i], pads[2 * i + 1])
        for s, (lo, hi) in zip(input.shape, per):
            if s + lo + hi < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        return ConstantPad.apply(input, tuple(per), 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if n not in (1, 2, 3) or nd not in (n + 1, n + 2):
        raise NotImplementedError(f"Padding size {len(pads)} is not supported for {nd}D input "
                                  f"tensor.\n" + _NONCONST)
    shape = tuple(input.shape)
    if mode in ("reflect", "replicate") and any(s == 0 for s in shape[nd - n - 1:]):
        raise RuntimeError(f"Expected {n + 1}D or {n + 2}D (batch mode) tensor with possibly 0 "
                           f"batch size and other non-zero dimensions for input, but got: "
                           f"{_shape_str(shape)}")
    xp = get_xp(input._data)
    plan = []
    for i in range(n):
        axis = nd - 1 - i
        lo, hi = pads[2 * i], pads[2 * i + 1]
        size = shape[axis]
        if mode == "reflect" and (lo >= size or hi >= size):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({lo}, {hi}) at dimension "
                               f"{axis} of input {_shape_str(shape)}")
        if mode == "circular" and (lo > size or hi > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if size + lo + hi < 0:
            raise RuntimeError(f"input tensor is too small for the padding {tuple(pads)}")
        if lo == 0 and hi == 0:
            continue
        plan.append((axis, _pad_index(mode, size, lo, hi, xp), lo))
    plan.reverse()  # gather the leading padded axis first (order does not change the result)
    return IndexPad.apply(input, tuple(plan))


# ------------------------------------------------------------------ interpolate
def _cubic_coeffs(np, t, A=-0.75):
    def c1(x):
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def c2(x):
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A
    return [c2(t + 1), c1(t), c1(1 - t), c2(2 - t)]


_MATS = {}


def _interp_matrix(mode, S, Q, scale, ac, dt):
    """The (Q, S) matrix of 1-D resampling, computed in torch's precision for ``dt``."""
    key = (mode, S, Q, scale, ac, dt)
    M = _MATS.get(key)
    if M is not None:
        return M
    import numpy as np
    M = np.zeros((Q, S), dt)
    j = np.arange(Q)
    if mode in ("nearest", "nearest-exact"):
        if Q == S:
            src = j
        elif Q == 2 * S and mode == "nearest":
            src = j >> 1
        else:
            sc = np.float32(1.0 / scale) if scale else np.float32(S) / np.float32(Q)
            off = np.float32(0.5) if mode == "nearest-exact" else np.float32(0)
            src = np.minimum(np.floor((j.astype(np.float32) + off) * sc).astype(np.int64), S - 1)
        M[j, src] = 1
    else:
        dt_ = np.dtype(dt)
        if ac:
            sc = dt_.type((S - 1) / (Q - 1)) if Q > 1 else dt_.type(0)
        else:
            sc = dt_.type(1.0 / scale) if scale else dt_.type(S) / dt_.type(Q)
        jj = j.astype(dt_)
        real = sc * jj if ac else sc * (jj + dt_.type(0.5)) - dt_.type(0.5)
        if mode == "linear":
            if Q == S:
                M[j, j] = 1
            else:
                real = np.maximum(real, 0)
                i0 = real.astype(np.int64)
                i1 = i0 + (i0 < S - 1)
                l1 = np.clip(real - i0.astype(dt_), 0, 1).astype(dt_)
                l0 = (dt_.type(1) - l1).astype(dt_)
                np.add.at(M, (j, i0), l0)
                np.add.at(M, (j, i1), l1)
        else:  # cubic
            i0 = np.minimum(np.floor(real), S - 1).astype(np.int64)
            t = np.clip(real - i0.astype(dt_), 0, 1).astype(dt_)
            for k, c in enumerate(_cubic_coeffs(np, t)):
                np.add.at(M, (j, np.clip(i0 - 1 + k, 0, S - 1)), c.astype(dt_))
    if len(_MATS) > 256:
        _MATS.clear()
    _MATS[key] = M
    return M


_MODES = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    r"""Down/up samples the input.

    Tensor interpolated to either the given :attr:`size` or the given :attr:`scale_factor`.
    The algorithm used for interpolation is determined by :attr:`mode`. Currently temporal,
    spatial and volumetric sampling are supported, i.e. expected inputs are 3-D, 4-D or 5-D in
    shape. The input dimensions are interpreted in the form: `mini-batch x channels x
    [optional depth] x [optional height] x width`.

    The modes available for resizing are: `nearest`, `linear` (3D-only), `bilinear`,
    `bicubic` (4D-only), `trilinear` (5D-only), `area`, `nearest-exact`.

    Args:
        input (Tensor): the input tensor
        size (int or Tuple[int]): output spatial size.
        scale_factor (float or Tuple[float]): multiplier for spatial size.
        mode (str): algorithm used for upsampling. Default: ``'nearest'``
        align_corners (bool, optional): if ``True``, the corner pixels of the input and output
            tensors are aligned, preserving their values. Default: ``False``
        recompute_scale_factor (bool, optional): recompute the scale_factor for use in the
            interpolation calculation.
        antialias (bool, optional): not supported (must be ``False``).
    """
    dim = input.ndim - 2
    known = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(input.shape[2:])} and output size "
                    f"of {size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                    "and output size in (o1, o2, ...,oK) format.")
            out_size = [int(s) for s in size]
        else:
            out_size = [int(size)] * dim
        scales = None
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, "
                    f"but got input with spatial dimensions of {list(input.shape[2:])} and "
                    f"scale_factor of shape {scale_factor}. Please provide input tensor in (N, "
                    "C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
        out_size = None
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor is not None and recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and out_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        out_size = [math.floor(float(input.shape[i + 2]) * scales[i]) for i in range(dim)]
        scales = None
    if align_corners is not None and mode in ("nearest", "area", "nearest-exact"):
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if mode not in known or dim not in (1, 2, 3):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
            "the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})")
    if mode in _MODES and _MODES[mode] != dim:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{_MODES[mode] + 2}D input")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    S = tuple(input.shape[2:])
    if out_size is None:
        out_size = [math.floor(S[i] * scales[i]) for i in range(dim)]
    if any(q <= 0 for q in out_size):
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({', '.join(map(str, S))}) and output "
                           f"({', '.join(map(str, out_size))})")
    if mode == "area":
        return _adaptive_avg(dim, input, tuple(out_size))
    kind = {"bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}.get(mode, mode)
    dt = input._data.dtype
    if dt.kind != "f":
        raise RuntimeError(f"\"upsample_{mode}\" not implemented for '{input.dtype}'")
    ac = bool(align_corners)
    mats = []
    for i in range(dim):
        sc = scales[i] if scales is not None else None
        mats.append(None if (out_size[i] == S[i] and kind in ("nearest", "linear"))
                    else _interp_matrix(kind, S[i], out_size[i], sc, ac, dt))
    return _apply_axes(input, mats, dim)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    r"""Upsample input (deprecated in favour of :func:`interpolate`)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    r"""Upsamples the input, using nearest neighbours' pixel values (deprecated)."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    r"""Upsamples the input, using bilinear upsampling with ``align_corners=True``
    (deprecated)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ------------------------------------------------------------------ shuffles
def pixel_shuffle(input, upscale_factor):
    r"""Rearranges elements in a tensor of shape :math:`(*, C \times r^2, H, W)` to a tensor of
    shape :math:`(*, C, H \times r, W \times r)`, where r is the :attr:`upscale_factor`.

    See :class:`~ember.nn.PixelShuffle` for details.
    """
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *lead, C, H, W = input.shape
    if C % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={C} "
                           f"is not divisible by {r * r}")
    n = len(lead)
    x = input.reshape(tuple(lead) + (C // (r * r), r, r, H, W))
    perm = tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2)
    return x.permute(perm).reshape(tuple(lead) + (C // (r * r), H * r, W * r))


def pixel_unshuffle(input, downscale_factor):
    r"""Reverses the :class:`~ember.nn.PixelShuffle` operation by rearranging elements in a
    tensor of shape :math:`(*, C, H \times r, W \times r)` to a tensor of shape
    :math:`(*, C \times r^2, H, W)`, where r is the :attr:`downscale_factor`.
    """
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *lead, C, H, W = input.shape
    if H % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, "
                           f"but input.size(-2)={H} is not divisible by {r}")
    if W % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, "
                           f"but input.size(-1)={W} is not divisible by {r}")
    n = len(lead)
    x = input.reshape(tuple(lead) + (C, H // r, r, W // r, r))
    perm = tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3)
    return x.permute(perm).reshape(tuple(lead) + (C * r * r, H // r, W // r))


def channel_shuffle(input, groups):
    r"""Divide the channels in a tensor of shape :math:`(*, C , H, W)` into g groups and
    rearrange them as :math:`(*, C \frac g, g, H, W)`, while keeping the original tensor shape.
    """
    g = int(groups)
    if input.ndim < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.ndim} dimension(s)")
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{g}")
    N, C = input.shape[:2]
    if C % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {C} channels "
                           f"and {g} groups.")
    rest = tuple(input.shape[2:])
    return input.reshape((N, g, C // g) + rest).transpose(1, 2).reshape((N, C) + rest)


# ------------------------------------------------------------------ grid_sample / affine_grid
def _unnormalize(coord, size, ac):
    if ac:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord, lo2, hi2):
    import ember
    if lo2 == hi2:
        return ember.zeros_like(coord)
    mn = lo2 / 2
    span = (hi2 - lo2) / 2
    c = (coord - mn).abs()
    extra = ember.fmod(c, span)
    flips = ember.floor(c / span)
    even = ember.remainder(flips, 2) == 0
    return ember.where(even, extra + mn, span - extra + mn)


def _source_index(coord, size, padding_mode, ac):
    c = _unnormalize(coord, size, ac)
    if padding_mode == "border":
        c = c.clamp(0, size - 1)
    elif padding_mode == "reflection":
        c = _reflect(c, 0, 2 * (size - 1)) if ac else _reflect(c, -1, 2 * size - 1)
        c = c.clamp(0, size - 1)
    return c


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    r"""Compute grid sample.

    Given an :attr:`input` and a flow-field :attr:`grid`, computes the ``output`` using
    :attr:`input` values and pixel locations from :attr:`grid`. Only spatial (4-D) inputs are
    supported: :attr:`input` of shape :math:`(N, C, H_\text{in}, W_\text{in})` and :attr:`grid`
    of shape :math:`(N, H_\text{out}, W_\text{out}, 2)` give an output of shape
    :math:`(N, C, H_\text{out}, W_\text{out})`. ``grid[n, h, w]`` holds normalized ``(x, y)``
    locations in ``[-1, 1]``.

    Args:
        input (Tensor): input of shape :math:`(N, C, H_\text{in}, W_\text{in})`
        grid (Tensor): flow-field of shape :math:`(N, H_\text{out}, W_\text{out}, 2)`
        mode (str): interpolation mode, ``'bilinear'`` | ``'nearest'``. Default: ``'bilinear'``
        padding_mode (str): ``'zeros'`` | ``'border'`` | ``'reflection'``. Default: ``'zeros'``
        align_corners (bool, optional): whether -1 and 1 refer to the centers (``True``) or the
            edges (``False``) of the corner pixels. Default: ``False``
    """
    import ember
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        import warnings
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                      "old behavior is desired. See the documentation of grid_sample for details.",
                      stacklevel=2)
        align_corners = False
    if input.ndim != grid.ndim:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same number of "
                           f"dimensions, but got input with sizes {_shape_str(input.shape)} and "
                           f"grid with sizes {_shape_str(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {_shape_str(input.shape)} and grid with "
                           f"sizes {_shape_str(grid.shape)}")
    if grid.shape[-1] != input.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.ndim - 2} in last "
                           f"dimension, but got grid with sizes {_shape_str(grid.shape)}")
    if input.ndim != 4:
        raise NotImplementedError("grid_sample: only 4-D (spatial) inputs are supported")
    if mode == "bicubic":
        raise NotImplementedError("grid_sample: mode='bicubic' is not supported")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have same dtype, but "
                           f"input has {input.dtype} and grid has {grid.dtype}")
    N, C, H, W = input.shape
    Ho, Wo = grid.shape[1:3]
    ix = _source_index(grid[..., 0], W, padding_mode, align_corners)
    iy = _source_index(grid[..., 1], H, padding_mode, align_corners)
    flat = input.reshape(N, C, H * W)

    def corner(xi, yi):
        """Values at integer corners (N, C, Ho, Wo), zero outside the input."""
        valid = (xi >= 0) & (xi <= W - 1) & (yi >= 0) & (yi <= H - 1)
        lin = (yi.clamp(0, H - 1) * W + xi.clamp(0, W - 1)).long().reshape(N, 1, Ho * Wo)
        v = flat.gather(2, lin.expand(N, C, Ho * Wo)).reshape(N, C, Ho, Wo)
        return v * valid.unsqueeze(1).to(input.dtype)

    if mode == "nearest":   # the grid gets a zero gradient, as in torch
        return _ZeroGradTo.apply(corner(ember.round(ix).detach(), ember.round(iy).detach()),
                                 grid)
    x0 = ember.floor(ix).detach()
    y0 = ember.floor(iy).detach()
    x1, y1 = x0 + 1, y0 + 1
    wx1, wy1 = (ix - x0).unsqueeze(1), (iy - y0).unsqueeze(1)
    wx0, wy0 = (x1 - ix).unsqueeze(1), (y1 - iy).unsqueeze(1)
    return (corner(x0, y0) * (wx0 * wy0) + corner(x1, y0) * (wx1 * wy0) +
            corner(x0, y1) * (wx0 * wy1) + corner(x1, y1) * (wx1 * wy1))


class _ZeroGradTo(Function):
    """Identity on its first input; the second input receives a zero gradient."""
    _arrays = True

    @staticmethod
    def forward(ctx, out, other):
        ctx.shape = other.shape
        return out.copy()

    @staticmethod
    def backward(ctx, g):
        return g, ctx.xp.zeros(ctx.shape, dtype=g.dtype)


def _base_coords(n, ac, np_dtype):
    import numpy as np
    if n <= 1:
        return np.zeros(max(n, 0), np_dtype)
    v = np.linspace(-1, 1, n, dtype=np.float64)
    if not ac:
        v = v * (n - 1) / n
    return v.astype(np_dtype)


def affine_grid(theta, size, align_corners=None):
    r"""Generate 2D or 3D flow field (sampling grid), given a batch of affine matrices
    :attr:`theta`.

    Args:
        theta (Tensor): input batch of affine matrices with shape (:math:`N \times 2 \times 3`)
            for 2D or (:math:`N \times 3 \times 4`) for 3D
        size (torch.Size): the target output image size. (:math:`N \times C \times H \times W`
            for 2D or :math:`N \times C \times D \times H \times W` for 3D)
        align_corners (bool, optional): see :func:`grid_sample`. Default: ``False``

    Returns:
        output (Tensor): output Tensor of size (:math:`N \times H \times W \times 2`)
    """
    import numpy as np

    import ember
    if align_corners is None:
        import warnings
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                      "old behavior is desired. See the documentation of grid_sample for details.",
                      stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(int(s) for s in size)
    if len(size) == 4:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{size}. Got {tuple(theta.shape)}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{size}. Got {tuple(theta.shape)}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    dt = theta._data.dtype
    axes = [_base_coords(n, align_corners, dt) for n in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")          # D/H/W order
    coords = list(mesh)[::-1] + [np.ones_like(mesh[0])]     # x, y, (z), 1
    base = np.stack(coords, axis=-1).reshape(1, -1, len(coords))
    grid = ember.from_numpy(np.ascontiguousarray(base)).matmul(theta.transpose(1, 2))
    return grid.reshape((size[0],) + tuple(spatial) + (len(spatial),))
