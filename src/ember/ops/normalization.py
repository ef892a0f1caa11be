"""Normalisation kernels (fused forward/backward on backend arrays) and their functional forms:
batch_norm, instance_norm, layer_norm, group_norm, rms_norm, local_response_norm.

Each normalisation is one node: forward computes the statistics once (two passes: mean, then
the centred sum of squares, no cancellation) and writes the output into the one buffer it
allocates (layer norm, when a gradient is needed, keeps the normalised input as a second one
for backward); backward uses the closed-form formula and works in place on one or two buffers.
Reductions are ``einsum`` over contiguous views (no BLAS, no temporaries). float16 is computed
in float32. Under ``create_graph`` the backward is written with ember ops instead (recomputing
the statistics from the input tensor), so double backward works as in torch.
"""
from __future__ import annotations

import math

from .. import dtypes as _dt
from ..autograd.function import Function
from ..backend.pool import empty as _pooled

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm",
           "local_response_norm"]

_F16 = _dt.float16.np
_F32 = _dt.float32.np


def _work(a):
    """The dtype arithmetic runs in: float16 (and integers, never reached) in float32."""
    return a if a is None or a.dtype != _F16 else a.astype(_F32)


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _rows(xp, x, shape):
    """``x`` reshaped to ``shape`` in the working dtype (a view when contiguous)."""
    return _work(x).reshape(shape)


def _save(ctx, *arrays):
    """save_for_backward without the ``None`` entries (the autograd ``_save`` maps a saved
    ``None`` to the first input tensor); ``_saved`` puts them back."""
    ctx.nones = tuple(a is None for a in arrays)
    ctx.save_for_backward(*[a for a in arrays if a is not None])


def _saved(ctx):
    it = iter(ctx.saved_tensors)
    return tuple(None if none else next(it) for none in ctx.nones)


# ------------------------------------------------------------------ batch norm
class BatchNorm(Function):
    """Batch normalisation over (N, C, L): per-channel statistics over N and L."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, training, momentum, eps):
        xp = ctx.xp
        N, C = x.shape[0], x.shape[1]
        L = _prod(x.shape[2:])
        s3 = (N, C, L)
        x3 = _rows(xp, x, s3)
        w = _work(weight)
        if training:
            M = N * L
            mean = xp.einsum("ncl->c", x3) / M
            out = x3 - mean[:, None]
            var = xp.einsum("ncl,ncl->c", out, out) / M
            invstd = 1.0 / xp.sqrt(var + eps)
            if running_mean is not None:
                running_mean *= 1 - momentum
                running_mean += (momentum * mean).astype(running_mean.dtype)
            if running_var is not None:
                running_var *= 1 - momentum
                unbiased = var * (M / (M - 1)) if M > 1 else var * math.inf
                running_var += (momentum * unbiased).astype(running_var.dtype)
            scale = invstd if w is None else invstd * w
            out *= scale[:, None]
            if bias is not None:
                out += _work(bias)[:, None]
        else:
            mean = _work(running_mean)
            invstd = 1.0 / xp.sqrt(_work(running_var) + eps)
            scale = invstd if w is None else invstd * w
            shift = -mean * scale
            if bias is not None:
                shift = shift + _work(bias)
            out = x3 * scale[:, None]
            out += shift[:, None]
        _save(ctx, x, weight, mean, invstd)
        ctx.training = training
        ctx.eps = eps
        return out.reshape(x.shape).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        if ctx.create_graph:
            return _bn_backward_graph(ctx, g)
        xp = ctx.xp
        x, weight, mean, invstd = _saved(ctx)
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        N, C = x.shape[0], x.shape[1]
        s3 = (N, C, _prod(x.shape[2:]))
        x3 = _rows(xp, x, s3)
        g3 = _rows(xp, g, s3)
        gb = xp.einsum("ncl->c", g3)
        gx = gw = None
        a = invstd if weight is None else invstd * _work(weight)
        if ctx.training:
            M = s3[0] * s3[2]
            xc = x3 - mean[:, None]
            gdot = xp.einsum("ncl,ncl->c", g3, xc)
            if need_w:
                gw = gdot * invstd
            if need_x:
                # dx = w * invstd * (g - mean(g) - xhat * mean(g * xhat)), in place on xc
                xc *= (-invstd * invstd * gdot / M)[:, None]
                xc += g3
                xc -= (gb / M)[:, None]
                xc *= a[:, None]
                gx = xc.reshape(x.shape)
        else:
            if need_w:
                gw = (xp.einsum("ncl,ncl->c", g3, x3) - mean * gb) * invstd
            if need_x:
                gx = (g3 * a[:, None]).reshape(x.shape)
        return gx, gw, (gb if need_b else None), None, None, None, None, None


def _bn_backward_graph(ctx, g):
    """Batch-norm backward with ember ops (differentiable: double backward)."""
    x, weight, mean_c, invstd_c = _saved(ctx)
    N, C = x.shape[0], x.shape[1]
    s3 = (N, C, _prod(x.shape[2:]))
    x3 = x.reshape(s3)
    g3 = g.reshape(s3)
    if ctx.training:
        mean = x3.mean(dim=(0, 2), keepdim=True)
        xc = x3 - mean
        invstd = ((xc * xc).mean(dim=(0, 2), keepdim=True) + ctx.eps).rsqrt()
    else:
        invstd = invstd_c.reshape((1, C, 1))
        xc = x3 - mean_c.reshape((1, C, 1))
    xhat = xc * invstd
    gb = g3.sum(dim=(0, 2))
    gw = (g3 * xhat).sum(dim=(0, 2))
    gxh = g3 if weight is None else g3 * weight.reshape((1, C, 1))
    if ctx.training:
        gx = invstd * (gxh - gxh.mean(dim=(0, 2), keepdim=True)
                       - xhat * (gxh * xhat).mean(dim=(0, 2), keepdim=True))
    else:
        gx = gxh * invstd
    need_x, need_w, need_b = ctx.needs_input_grad[:3]
    return (gx.reshape(tuple(x.shape)) if need_x else None, gw if need_w else None,
            gb if need_b else None, None, None, None, None, None)


def _verify_batch_size(size):
    size_prods = size[0]
    for i in range(len(size) - 2):
        size_prods *= size[i + 2]
    if size_prods == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {_size(size)}")


def _size(shape):
    return "torch.Size([" + ", ".join(str(s) for s in shape) + "])"


def _check_channels(name, t, C, what):
    if t is not None and t.numel() != C:
        raise RuntimeError(f"{name}: expected {what} to have {C} elements, but got "
                           f"{t.numel()}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    r"""Apply Batch Normalization for each channel across a batch of data.

    See :class:`~ember.nn.BatchNorm1d`, :class:`~ember.nn.BatchNorm2d`,
    :class:`~ember.nn.BatchNorm3d` for details.
    """
    if training:
        _verify_batch_size(input.size())
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    if input.ndim < 2:
        raise RuntimeError(f"batch_norm: expected input to have at least 2 dimensions, but "
                           f"got {input.ndim}")
    C = input.shape[1]
    for t, what in ((weight, "weight"), (bias, "bias"), (running_mean, "running_mean"),
                    (running_var, "running_var")):
        _check_channels("batch_norm", t, C, what)
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean must be defined in evaluation mode")
    out = BatchNorm.apply(input, weight, bias, running_mean, running_var, bool(training),
                          float(momentum), float(eps))
    if training:
        for t in (running_mean, running_var):
            if t is not None:
                t._bump_version()
    return out


# ------------------------------------------------------------------ row normalisations
def _row_backward(xp, gxh, xhat, invstd, K):
    """In place on ``gxh``: invstd * (gxh - mean(gxh) - xhat * mean(gxh * xhat)) per row."""
    s1 = xp.einsum("mk->m", gxh) / K
    s2 = xp.einsum("mk,mk->m", gxh, xhat) / K
    gxh -= s1[:, None]
    xhat *= s2[:, None]
    gxh -= xhat
    gxh *= invstd[:, None]
    return gxh


class LayerNorm(Function):
    """Layer normalisation over the last ``nd`` dimensions (rows of a (M, K) view). When a
    gradient is needed the normalised input ``xhat`` is kept for backward (no recomputation)."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, weight, bias, nd, eps):
        xp = ctx.xp
        K = _prod(x.shape[x.ndim - nd:])
        M = x.size // K if K else _prod(x.shape[:x.ndim - nd])
        x2 = _rows(xp, x, (M, K))
        mean = xp.einsum("mk->m", x2) / K
        xhat = xp.subtract(x2, mean[:, None], out=_pooled(xp, (M, K), x2.dtype))
        invstd = 1.0 / xp.sqrt(xp.einsum("mk,mk->m", xhat, xhat) / K + eps)
        xhat *= invstd[:, None]
        keep = bool(ctx._edges)
        out = xhat
        if weight is not None:
            w = _work(weight).reshape(K)
            out = xp.multiply(xhat, w, out=_pooled(xp, (M, K), xhat.dtype) if keep else xhat)
        if bias is not None:
            b = _work(bias).reshape(K)
            out = xp.add(out, b, out=_pooled(xp, (M, K), out.dtype)
                         if out is xhat and keep else out)
        _save(ctx, x, weight, invstd, xhat if keep else None)
        ctx.nd, ctx.eps = nd, eps
        return out.reshape(x.shape).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        if ctx.create_graph:
            return _ln_backward_graph(ctx, g)
        xp = ctx.xp
        x, weight, invstd, xhat = _saved(ctx)
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        M, K = xhat.shape
        g2 = _rows(xp, g, (M, K))
        wshape = x.shape[x.ndim - ctx.nd:]
        gw = xp.einsum("mk,mk->k", g2, xhat).reshape(wshape) if need_w else None
        gb = xp.einsum("mk->k", g2).reshape(wshape) if need_b else None
        gx = None
        if need_x:
            # invstd * (gxh - mean_k(gxh) - xhat * mean_k(gxh * xhat)), gxh = g * w
            gxh = _pooled(xp, (M, K), g2.dtype)
            if weight is not None:
                xp.multiply(g2, _work(weight).reshape(K), out=gxh)
            else:
                gxh[...] = g2
            c = invstd / K
            s1 = xp.einsum("mk->m", gxh) * c
            s2 = xp.einsum("mk,mk->m", gxh, xhat) * c
            gxh *= invstd[:, None]
            gxh -= s1[:, None]
            t = xp.multiply(xhat, s2[:, None], out=_pooled(xp, (M, K), xhat.dtype))
            gxh -= t
            gx = gxh.reshape(x.shape)
        return gx, gw, gb, None, None


def _ln_backward_graph(ctx, g):
    x, weight = _saved(ctx)[:2]
    nd = ctx.nd
    dims = tuple(range(x.ndim - nd, x.ndim))
    lead = tuple(range(x.ndim - nd))
    mean = x.mean(dim=dims, keepdim=True)
    xc = x - mean
    invstd = ((xc * xc).mean(dim=dims, keepdim=True) + ctx.eps).rsqrt()
    xhat = xc * invstd
    gxh = g if weight is None else g * weight
    gx = invstd * (gxh - gxh.mean(dim=dims, keepdim=True)
                   - xhat * (gxh * xhat).mean(dim=dims, keepdim=True))
    need_x, need_w, need_b = ctx.needs_input_grad[:3]
    gw = (g * xhat).sum(dim=lead) if need_w and lead else (g * xhat if need_w else None)
    gb = (g.sum(dim=lead) if lead else g) if need_b else None
    return gx if need_x else None, gw, gb, None, None


def _check_normalized_shape(name, input, normalized_shape, weight, bias):
    shape = tuple(input.shape)
    ns = tuple(normalized_shape)
    if len(ns) == 0:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., "
                           "containing at least one element, but got normalized_shape = []")
    for t, what in ((weight, "weight"), (bias, "bias")):
        if t is not None and tuple(t.shape) != ns:
            raise RuntimeError(f"Expected {what} to be of same shape as normalized_shape, but "
                               f"got {what} of shape {list(t.shape)} and normalized_shape = "
                               f"{list(ns)}")
    if len(shape) < len(ns) or shape[len(shape) - len(ns):] != ns:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*, {', '.join(str(s) for s in ns)}], but got input of size"
                           f"{list(shape)}")
    return len(ns)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    r"""Apply Layer Normalization for last certain number of dimensions.

    See :class:`~ember.nn.LayerNorm` for details.
    """
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    nd = _check_normalized_shape("layer_norm", input, normalized_shape, weight, bias)
    return LayerNorm.apply(input, weight, bias, nd, float(eps))


class RMSNorm(Function):
    """Root-mean-square normalisation over the last ``nd`` dimensions."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, weight, nd, eps):
        xp = ctx.xp
        K = _prod(x.shape[x.ndim - nd:])
        M = x.size // K if K else _prod(x.shape[:x.ndim - nd])
        x2 = _rows(xp, x, (M, K))
        rstd = 1.0 / xp.sqrt(xp.einsum("mk,mk->m", x2, x2) / K + eps)
        out = x2 * rstd[:, None]
        if weight is not None:
            out *= _work(weight).reshape(K)
        _save(ctx, x, weight, rstd)
        ctx.nd, ctx.eps = nd, eps
        return out.reshape(x.shape).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        need_x, need_w = ctx.needs_input_grad[:2]
        if ctx.create_graph:
            x, weight, _ = _saved(ctx)
            dims = tuple(range(x.ndim - ctx.nd, x.ndim))
            lead = tuple(range(x.ndim - ctx.nd))
            rstd = ((x * x).mean(dim=dims, keepdim=True) + ctx.eps).rsqrt()
            y0 = x * rstd
            gy = g if weight is None else g * weight
            gx = rstd * (gy - y0 * (gy * y0).mean(dim=dims, keepdim=True))
            gw = ((g * y0).sum(dim=lead) if lead else g * y0) if need_w else None
            return gx if need_x else None, gw, None, None
        xp = ctx.xp
        x, weight, rstd = _saved(ctx)
        M, K = rstd.shape[0], _prod(x.shape[x.ndim - ctx.nd:])
        g2 = _rows(xp, g, (M, K))
        y0 = _rows(xp, x, (M, K)) * rstd[:, None]
        gw = xp.einsum("mk,mk->k", g2, y0).reshape(x.shape[x.ndim - ctx.nd:]) \
            if need_w else None
        gx = None
        if need_x:
            gy = g2 * _work(weight).reshape(K) if weight is not None else g2.copy()
            s = xp.einsum("mk,mk->m", gy, y0) / K
            y0 *= s[:, None]
            gy -= y0
            gy *= rstd[:, None]
            gx = gy.reshape(x.shape)
        return gx, gw, None, None


def rms_norm(input, normalized_shape, weight=None, eps=None):
    r"""Apply Root Mean Square Layer Normalization.

    See :class:`~ember.nn.RMSNorm` for details.
    """
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    nd = _check_normalized_shape("rms_norm", input, normalized_shape, weight, None)
    if eps is None:
        eps = float(_dt.finfo(input.dtype).eps) if input.dtype != _dt.float16 else \
            float(_dt.finfo(_dt.float32).eps)
    return RMSNorm.apply(input, weight, nd, float(eps))


# ------------------------------------------------------------------ group / instance norm
class GroupNorm(Function):
    """Group normalisation: statistics per (sample, group), affine per channel. With G == C
    it is instance normalisation, which may also update running statistics."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, G, eps, momentum):
        xp = ctx.xp
        N, C = x.shape[0], x.shape[1]
        L = _prod(x.shape[2:])
        K = C // G * L
        xr = _rows(xp, x, (N * G, K))
        mean = xp.einsum("mk->m", xr) / K
        out = xr - mean[:, None]
        var = xp.einsum("mk,mk->m", out, out) / K
        invstd = 1.0 / xp.sqrt(var + eps)
        out *= invstd[:, None]
        if running_mean is not None:
            running_mean *= 1 - momentum
            running_mean += (momentum * mean.reshape(N, C).mean(0)).astype(running_mean.dtype)
        if running_var is not None:
            unbiased = var * (K / (K - 1)) if K > 1 else var * math.inf
            running_var *= 1 - momentum
            running_var += (momentum * unbiased.reshape(N, C).mean(0)).astype(
                running_var.dtype)
        out3 = out.reshape(N, C, L)
        if weight is not None:
            out3 *= _work(weight)[:, None]
        if bias is not None:
            out3 += _work(bias)[:, None]
        _save(ctx, x, weight, mean, invstd)
        ctx.G, ctx.eps = G, eps
        return out3.reshape(x.shape).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        if ctx.create_graph:
            return _gn_backward_graph(ctx, g) + (None,) * 5
        xp = ctx.xp
        x, weight, mean, invstd = _saved(ctx)
        N, C = x.shape[0], x.shape[1]
        L = _prod(x.shape[2:])
        G = ctx.G
        K = C // G * L
        xhat = _rows(xp, x, (N * G, K)) - mean[:, None]
        xhat *= invstd[:, None]
        g3 = _rows(xp, g, (N, C, L))
        gw = xp.einsum("ncl,ncl->c", g3, xhat.reshape(N, C, L)) if need_w else None
        gb = xp.einsum("ncl->c", g3) if need_b else None
        gx = None
        if need_x:
            gxh = g3 * _work(weight)[:, None] if weight is not None else g3.copy()
            gx = _row_backward(xp, gxh.reshape(N * G, K), xhat, invstd, K).reshape(x.shape)
        return gx, gw, gb, None, None, None, None, None


def _gn_backward_graph(ctx, g):
    x, weight, _, _ = _saved(ctx)
    need_x, need_w, need_b = ctx.needs_input_grad[:3]
    N, C = x.shape[0], x.shape[1]
    L = _prod(x.shape[2:])
    G = ctx.G
    xr = x.reshape((N, G, C // G * L))
    mean = xr.mean(dim=2, keepdim=True)
    xc = xr - mean
    invstd = ((xc * xc).mean(dim=2, keepdim=True) + ctx.eps).rsqrt()
    xhat = (xc * invstd).reshape((N, C, L))
    g3 = g.reshape((N, C, L))
    gw = (g3 * xhat).sum(dim=(0, 2)) if need_w else None
    gb = g3.sum(dim=(0, 2)) if need_b else None
    gxh = (g3 if weight is None else g3 * weight.reshape((1, C, 1))).reshape((N, G, -1))
    xh = xhat.reshape((N, G, -1))
    gx = invstd * (gxh - gxh.mean(dim=2, keepdim=True)
                   - xh * (gxh * xh).mean(dim=2, keepdim=True))
    return gx.reshape(tuple(x.shape)) if need_x else None, gw, gb


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    r"""Apply Group Normalization for last certain number of dimensions.

    See :class:`~ember.nn.GroupNorm` for details.
    """
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.ndim}")
    N, C = input.shape[0], input.shape[1]
    _verify_batch_size([N * C // num_groups, num_groups] + list(input.shape[2:]))
    if C % num_groups != 0:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    for t, what in ((weight, "weight"), (bias, "bias")):
        if t is not None and (t.ndim != 1 or t.numel() != C):
            raise RuntimeError(f"Expected {what} to be a vector of size equal to the number "
                               f"of channels in input, but got {what} of shape "
                               f"{list(t.shape)} and input of shape {list(input.shape)}")
    return GroupNorm.apply(input, weight, bias, None, None, int(num_groups), float(eps), 0.0)


def _verify_spatial_size(size):
    size_prods = 1
    for i in range(2, len(size)):
        size_prods *= size[i]
    if size_prods == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input "
                         f"size {_size(size)}")


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    r"""Apply Instance Normalization independently for each channel in every data sample
    within a batch.

    See :class:`~ember.nn.InstanceNorm1d`, :class:`~ember.nn.InstanceNorm2d`,
    :class:`~ember.nn.InstanceNorm3d` for details.
    """
    if use_input_stats:
        _verify_spatial_size(input.size())
    C = input.shape[1]
    for t, what in ((weight, "weight"), (bias, "bias"), (running_mean, "running_mean"),
                    (running_var, "running_var")):
        _check_channels("instance_norm", t, C, what)
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when "
                               "use_input_stats is false")
        return BatchNorm.apply(input, weight, bias, running_mean, running_var, False, 0.0,
                               float(eps))
    out = GroupNorm.apply(input, weight, bias, running_mean, running_var, C, float(eps),
                          float(momentum))
    for t in (running_mean, running_var):
        if t is not None:
            t._bump_version()
    return out


# ------------------------------------------------------------------ local response norm
def _window_sum(xp, a, before, after, size):
    """Sum of ``a`` over channel windows [c - before, c + after] (axis 1), zero padded."""
    if xp.__name__ == "ember":
        N = a.shape[0]
        rest = tuple(a.shape[2:])
        z = xp.zeros((N, 1) + rest, dtype=a.dtype)
        parts = [z]
        if before:
            parts.append(xp.zeros((N, before) + rest, dtype=a.dtype))
        parts.append(a)
        if after:
            parts.append(xp.zeros((N, after) + rest, dtype=a.dtype))
        cs = xp.cumsum(xp.cat(parts, 1), 1)
        C = a.shape[1]
        return cs[:, size:size + C] - cs[:, :C]
    N, C = a.shape[0], a.shape[1]
    cs = xp.zeros((N, C + size + 1) + a.shape[2:], dtype=a.dtype)
    xp.cumsum(a, axis=1, out=cs[:, before + 1:before + 1 + C])
    if after:
        cs[:, before + 1 + C:] = cs[:, before + C:before + C + 1]
    return cs[:, size:size + C] - cs[:, :C]


class LocalResponseNorm(Function):
    """y = x / (k + alpha/size * sum of x^2 over neighbouring channels) ** beta."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        xp = ctx.xp
        xw = _work(x)
        d = _window_sum(xp, xw * xw, size // 2, (size - 1) // 2, size)
        d *= alpha / size
        d += k
        out = xw * d ** -beta
        _save(ctx, x)
        ctx.args = (size, alpha, beta, k)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        x, = _saved(ctx)
        size, alpha, beta, k = ctx.args
        xw = x if ctx.create_graph else _work(x)
        d = _window_sum(xp, xw * xw, size // 2, (size - 1) // 2, size) * (alpha / size) + k
        dpow = d ** -beta
        u = g * xw * dpow / d
        t = _window_sum(xp, u, (size - 1) // 2, size // 2, size)
        return g * dpow - (2.0 * alpha * beta / size) * xw * t, None, None, None, None


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    r"""Apply local response normalization over an input signal.

    The input signal is composed of several input planes, where channels occupy the second
    dimension. Normalization is applied across channels.

    See :class:`~ember.nn.LocalResponseNorm` for details.
    """
    dim = input.ndim
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          "
                         f"input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    return LocalResponseNorm.apply(input, int(size), float(alpha), float(beta), float(k))
