"""Fused neural-network kernels: one forward and one backward on backend arrays for what
would otherwise be a chain of small ops (linear, softmax/cross-entropy, normalisation, ...)."""
from __future__ import annotations

import math

from ..autograd.function import Function
from ..backend import get_xp
from ..backend.threads import matmul as _mm

__all__ = ["linear", "bilinear", "one_hot", "normalize", "cosine_similarity",
           "pairwise_distance", "pdist", "cdist"]


class Linear(Function):
    """``y = x @ W.T + b`` as one node (the matmul chain of every MLP). Leading dims are folded
    into one GEMM (NumPy would otherwise run one small GEMM per leading index)."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        if x.ndim > 2 and x.flags.c_contiguous:
            out = _mm(ctx.xp, x.reshape((-1, x.shape[-1])), weight.T).reshape(
                x.shape[:-1] + (weight.shape[0],))
        elif x.ndim == 2:
            out = _mm(ctx.xp, x, weight.T)
        else:
            out = x @ weight.T
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        gx = gw = gb = None
        g2 = g.reshape((-1, g.shape[-1])) if g.ndim != 2 else g
        if need_x:
            gx = _mm(ctx.xp, g2, weight)
            if g.ndim != 2:
                gx = gx.reshape(tuple(x.shape))
        if need_w:
            x2 = x.reshape((-1, x.shape[-1])) if x.ndim != 2 else x
            gw = _mm(ctx.xp, g2.T, x2)
        if need_b:
            if ctx.create_graph or g2.shape[0] < 64:
                gb = g2.sum(0)
            else:  # a GEMV against ones is ~3x faster than NumPy's column sum
                gb = ctx.xp.ones(g2.shape[0], g2.dtype) @ g2
        return gx, gw, gb


def linear(input, weight, bias=None):
    """Applies a linear transformation to the incoming data: :math:`y = xA^T + b`."""
    if input.ndim == 0 or weight.ndim not in (1, 2):
        from .linalg import matmul
        out = matmul(input, weight.t() if weight.ndim == 2 else weight)
        return out if bias is None else out + bias
    if input._data.shape[-1] != weight._data.shape[-1]:
        rows = input._data.size // max(input._data.shape[-1], 1)
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x"
                           f"{input._data.shape[-1]} and {weight._data.shape[-1]}x"
                           f"{weight._data.shape[0] if weight.ndim == 2 else 1})")
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{input.dtype.name.capitalize()} and "
                           f"{weight.dtype.name.capitalize()}")
    if weight.ndim == 1:
        from .linalg import matmul
        out = matmul(input, weight)
        return out if bias is None else out + bias
    return Linear.apply(input, weight, bias)


# ------------------------------------------------------------------ bilinear
def bilinear(input1, input2, weight, bias=None):
    r"""Applies a bilinear transformation to the incoming data: :math:`y = x_1^T A x_2 + b`.

    Shape:
        - input1: :math:`(N, *, H_{in1})`, input2: :math:`(N, *, H_{in2})`; all but the last
          dimension of the inputs should be the same.
        - weight: :math:`(\text{out\_features}, \text{in1\_features}, \text{in2\_features})`
        - bias: :math:`(\text{out\_features})`
        - output: :math:`(N, *, H_{out})`
    """
    if input1.ndim != input2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.ndim} and "
                           f"{input2.ndim}")
    for i in range(input1.ndim - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: "
                               f"got {input1.shape[i]} and {input2.shape[i]}")
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be three-dimensional, but got "
                           f"{weight.ndim}D")
    O, I, J = weight.shape
    if input1.shape[-1] != I:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {I}")
    if input2.shape[-1] != J:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {J}")
    if bias is not None and tuple(bias.shape) != (O,):
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{bias.shape[0] if bias.ndim else 1} but expected {O}")
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, I)
    x2 = input2.reshape(-1, J)
    # (n, I) @ (I, O*J) -> (n, O, J), then a batched (O, J) @ (J, 1) per row
    t = (x1 @ weight.permute(1, 0, 2).reshape(I, O * J)).reshape(-1, O, J)
    out = (t @ x2.unsqueeze(-1)).squeeze(-1)
    if bias is not None:
        out = out + bias
    return out.reshape(lead + (O,))


# ------------------------------------------------------------------ one_hot
def one_hot(tensor, num_classes=-1):
    r"""Takes LongTensor with index values of shape ``(*)`` and returns a tensor of shape
    ``(*, num_classes)`` that have zeros everywhere except where the index of last dimension
    matches the corresponding value of the input tensor, in which case it will be 1.

    Args:
        tensor (LongTensor): class values of any shape.
        num_classes (int, optional): Total number of classes. If set to -1, the number of
            classes will be inferred as one greater than the largest class value in the input
            tensor. Default: -1

    Returns:
        LongTensor that has one more dimension with 1 values at the index of last dimension
        indicated by the input, and 0 everywhere else.
    """
    from .._tensor import _make
    from .. import dtypes as _dt
    a = tensor._data
    if a.dtype != _dt.int64.np:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = get_xp(a)
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size:
        if int(a.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if int(a.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = xp.zeros(a.shape + (num_classes,), dtype=a.dtype)
    if a.size:
        xp.put_along_axis(out, a[..., None], 1, axis=-1)
    return _make(out, False, None, 0)


# ------------------------------------------------------------------ normalize / similarity
class _ClampMinPassGrad(Function):
    """``max(a, eps)`` whose gradient passes through unchanged: torch clamps the norms of
    cosine_similarity in place under no_grad, so the norm keeps its unclamped gradient."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, eps):
        return ctx.xp.maximum(a, a.dtype.type(eps))

    @staticmethod
    def backward(ctx, g):
        return g, None


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    r"""Perform :math:`L_p` normalization of inputs over specified dimension.

    For a tensor :attr:`input` of sizes :math:`(n_0, ..., n_{dim}, ..., n_k)`, each
    :math:`n_{dim}` -element vector :math:`v` along dimension :attr:`dim` is transformed as

    .. math::
        v = \frac{v}{\max(\lVert v \rVert_p, \epsilon)}.

    Args:
        input: input tensor of any shape
        p (float): the exponent value in the norm formulation. Default: 2
        dim (int or tuple of ints): the dimension to reduce. Default: 1
        eps (float): small value to avoid division by zero. Default: 1e-12
        out (Tensor, optional): the output tensor. If :attr:`out` is used, this operation
            won't be differentiable.
    """
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    result = input / denom
    if out is not None:
        out.copy_(result.detach())
        return out
    return result


def _float_pair(x1, x2):
    from .. import dtypes as _dt
    if not x1.dtype.is_floating_point:
        x1 = x1.to(_dt.get_default_dtype())
    if not x2.dtype.is_floating_point:
        x2 = x2.to(_dt.get_default_dtype())
    return x1, x2


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    r"""Returns cosine similarity between ``x1`` and ``x2``, computed along dim. ``x1`` and
    ``x2`` must be broadcastable to a common shape. ``dim`` refers to the dimension in this
    common shape. Dimension ``dim`` of the output is squeezed (see :func:`ember.squeeze`),
    resulting in the output tensor having 1 fewer dimension.

    .. math ::
        \text{similarity} = \dfrac{x_1 \cdot x_2}{\max(\Vert x_1 \Vert _2, \epsilon) \cdot
        \max(\Vert x_2 \Vert _2, \epsilon)}

    Args:
        x1 (Tensor): First input.
        x2 (Tensor): Second input.
        dim (int, optional): Dimension along which cosine similarity is computed. Default: 1
        eps (float, optional): Small value to avoid division by zero. Default: 1e-8
    """
    from .movement import broadcast_tensors
    x1, x2 = _float_pair(x1, x2)
    if tuple(x1.shape) != tuple(x2.shape):
        x1, x2 = broadcast_tensors(x1, x2)
    n1 = _ClampMinPassGrad.apply(x1.norm(2, dim, keepdim=True), float(eps))
    n2 = _ClampMinPassGrad.apply(x2.norm(2, dim, keepdim=True), float(eps))
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    r"""Computes the pairwise distance between input vectors, or between columns of input
    matrices: :math:`\Vert x_1 - x_2 + \epsilon e \Vert_p` over the last dimension.

    See :class:`ember.nn.PairwiseDistance` for details.
    """
    output_dim = max(x1.ndim, x2.ndim)
    innermost_dim = output_dim - 1
    return (x1 - x2 + eps).norm(p, innermost_dim, keepdim=keepdim)


# ------------------------------------------------------------------ pdist / cdist
def _pnorm(xp, diff, p):
    """The p-norm of ``diff`` over its last axis (torch's conventions for p = 0 and inf)."""
    a = xp.abs(diff)
    if p == 0:
        return (a != 0).sum(axis=-1).astype(diff.dtype)
    if p == 1:
        return a.sum(axis=-1)
    if p == 2:
        return xp.sqrt((diff * diff).sum(axis=-1))
    if p == math.inf:
        return a.max(axis=-1)
    return (a ** p).sum(axis=-1) ** (1.0 / p)


def _pnorm_grad(xp, diff, dist, g, p):
    """d dist / d diff times ``g`` (``dist`` and ``g`` with a trailing axis of 1): torch's
    subgradient, 0 where the distance is 0."""
    if p == 0:
        return diff * 0
    sign = xp.sign(diff)
    if p == 1:
        return sign * g
    if p == math.inf:
        return sign * (xp.abs(diff) == dist) * g
    zero = dist == 0
    safe = xp.where(zero, 1.0, dist)
    if p == 2:
        return xp.where(zero, 0.0, diff * (g / safe))
    if p < 2:
        a = xp.abs(diff)
        if p < 1:
            a = xp.where(a == 0, 1.0, a)
        c = sign * a ** (p - 1) * (g / safe ** (p - 1))
    else:
        c = diff * xp.abs(diff) ** (p - 2) * (g / safe ** (p - 1))
    return xp.where(zero, 0.0, c)


class Cdist(Function):
    """Distances between every row of ``x1`` (*, P, M) and of ``x2`` (*, R, M); with
    ``mm`` the Euclidean distance goes through one matrix product (torch's _euclidean_dist)."""
    _arrays = True

    @staticmethod
    def forward(ctx, x1, x2, p, mm):
        xp = ctx.xp
        ctx.p, ctx.mm = p, mm
        if mm:
            n1 = (x1 * x1).sum(axis=-1)[..., :, None]
            n2 = (x2 * x2).sum(axis=-1)[..., None, :]
            res = n1 + n2
            res -= 2 * xp.matmul(x1, x2.swapaxes(-1, -2))
            xp.maximum(res, 0, out=res)
            xp.sqrt(res, out=res)
            ctx.save_for_backward(x1, x2, res)
            return res
        ctx.save_for_backward(x1, x2)
        return _pnorm(xp, x1[..., :, None, :] - x2[..., None, :, :], p)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        if ctx.mm:
            x1, x2, res = ctx.saved_tensors
            zero = res == 0
            ratio = xp.where(zero, 0.0, g / xp.where(zero, 1.0, res))
            gx1 = x1 * ratio.sum(axis=-1, keepdims=True) - xp.matmul(ratio, x2)
            gx2 = x2 * ratio.sum(axis=-2)[..., None] - xp.matmul(ratio.swapaxes(-1, -2), x1)
            return gx1, gx2, None, None
        x1, x2 = ctx.saved_tensors
        diff = x1[..., :, None, :] - x2[..., None, :, :]
        dist = _pnorm(xp, diff, ctx.p)[..., None]
        c = _pnorm_grad(xp, diff, dist, g[..., None], ctx.p)
        return c.sum(axis=-2), -c.sum(axis=-3), None, None


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    r"""Computes batched the p-norm distance between each pair of the two collections of row
    vectors.

    Args:
        x1 (Tensor): input tensor where the last two dimensions represent the points and the
            feature dimension respectively. The shape can be :math:`D_1 \times D_2 \times
            \cdots \times D_n \times P \times M`, where :math:`P` is the number of points and
            :math:`M` is the feature dimension.
        x2 (Tensor): input tensor where the last two dimensions also represent the points and
            the feature dimension respectively. The shape can be :math:`D_1' \times D_2'
            \times \cdots \times D_m' \times R \times M`, where :math:`R` is the number of
            points and :math:`M` is the feature dimension, which should match the feature
            dimension of `x1`.
        p: p value for the p-norm distance to calculate between each vector pair
            :math:`\in [0, \infty]`.
        compute_mode:
            'use_mm_for_euclid_dist_if_necessary' - will use matrix multiplication approach
            to calculate euclidean distance (p = 2) if P > 25 or R > 25
            'use_mm_for_euclid_dist' - will always use matrix multiplication approach to
            calculate euclidean distance (p = 2)
            'donot_use_mm_for_euclid_dist' - will never use matrix multiplication approach to
            calculate euclidean distance (p = 2)
            Default: use_mm_for_euclid_dist_if_necessary.

    If x1 has shape :math:`B \times P \times M` and x2 has shape :math:`B \times R \times M`
    then the output will have shape :math:`B \times P \times R`.
    """
    if compute_mode == "use_mm_for_euclid_dist_if_necessary":
        mode = 0
    elif compute_mode == "use_mm_for_euclid_dist":
        mode = 1
    elif compute_mode == "donot_use_mm_for_euclid_dist":
        mode = 2
    else:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    if x1.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D")
    if x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {x2.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if not x1.dtype.is_floating_point or not x2.dtype.is_floating_point:
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: "
                           f"{x1.dtype}")
    p = float(p)
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    P, R = x1.shape[-2], x2.shape[-2]
    mm = p == 2 and (mode == 1 or (mode == 0 and (P > 25 or R > 25)))
    return Cdist.apply(x1, x2, p, mm)


def pdist(input, p=2):
    r"""Computes the p-norm distance between every pair of row vectors in the input.

    This is identical to the upper triangular portion, excluding the diagonal, of
    `ember.norm(input[:, None] - input, dim=2, p=p)`. If input has shape :math:`N \times M`
    then the output will have shape :math:`\frac{1}{2} N (N - 1)`.

    Args:
        input: input tensor of shape :math:`N \times M`.
        p: p value for the p-norm distance to calculate between each vector pair
            :math:`\in [0, \infty]`.
    """
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if not input.dtype.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    p = float(p)
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    return Pdist.apply(input, p)


class Pdist(Function):
    """The upper triangle of the distance matrix of the rows of ``x`` (N, M), row-major."""
    _arrays = True

    @staticmethod
    def forward(ctx, x, p):
        xp = ctx.xp
        ctx.p = p
        N = x.shape[0]
        i, j = xp.triu_indices(N, 1)
        ctx.save_for_backward(x)
        ctx.ij = (i, j)
        return _pnorm(xp, x[i] - x[j], p)

    @staticmethod
    def backward(ctx, g):
        xp = ctx.xp
        x, = ctx.saved_tensors
        i, j = ctx.ij
        N = x.shape[0]
        if ctx.create_graph:
            from .scatter import index_add
            from .creation import tensor, zeros
            ti, tj = tensor(i), tensor(j)
            diff = x[ti] - x[tj]
            c = _pnorm_grad(xp, diff, _pnorm(xp, diff, ctx.p)[..., None], g[..., None], ctx.p)
            z = zeros(x.shape, dtype=x.dtype)
            return index_add(index_add(z, 0, ti, c), 0, tj, -c), None
        from .sparse import index_add_rows
        diff = x[i] - x[j]
        c = _pnorm_grad(xp, diff, _pnorm(xp, diff, ctx.p)[..., None], g[..., None], ctx.p)
        gx = index_add_rows(xp, N, i, c)
        gx -= index_add_rows(xp, N, j, c)
        return gx, None
