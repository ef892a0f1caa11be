"""Matrix products: matmul and its family (mm, bmm, mv, dot, outer, addmm, ...), kron, trace,
cross, matrix powers and chains; and the helpers the other linear-algebra files share.

Backward formulas are written once, duck-typed over arrays and Tensors: they use ``matmul``,
``swapaxes``, ``reshape`` and arithmetic, so ``create_graph=True`` gives double backward.
Constant masks (triangles, identities, signs) are built as raw arrays and multiply Tensors as
constants. einsum and tensordot are in einsum.py; the decompositions in decomposition.py
(det, inv, solve, cholesky, qr) and spectral.py (svd, eigh, pinv, matrix_exp, vector_norm).
"""
from __future__ import annotations

import importlib
import warnings

from .. import dtypes as _dt
from .._tensor import Tensor, _make
from ..autograd.function import Function
from ..backend import get_xp
from ._util import inplace, type_name, wrap_dim
from .einsum import _LETTERS, _same_dtype, einsum

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm",
           "addmv", "addmv_", "addbmm", "baddbmm", "addr", "kron",
           "trace", "cross", "matrix_power", "chain_matmul"]

# ---------------------------------------------------------------- helpers
def _mT(x):
    return x.swapaxes(-1, -2)


def _raw(x):
    return x._data if isinstance(x, Tensor) else x


def _row(x):   # (..., k) -> (..., 1, k)
    return x.reshape(tuple(x.shape[:-1]) + (1, x.shape[-1]))


def _col(x):   # (..., k) -> (..., k, 1)
    return x.reshape(tuple(x.shape) + (1,))


def _eye(x, n, m=None):
    """A constant identity (raw array) of ``x``'s dtype and backend."""
    r = _raw(x)
    return get_xp(r).eye(n, n if m is None else m, dtype=r.dtype)


def _tril_mask(x, n, k=0):
    r = _raw(x)
    xp = get_xp(r)
    return xp.tril(xp.ones((n, n), dtype=r.dtype), k)


def _const(arr):
    return _make(arr, False, None, 0)


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _tname(np_dtype):
    return type_name(np_dtype)


def _check_float(name, a, what="input"):
    if a.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as {what}. "
                           f"Got {_tname(a.dtype)}")


def _check_square(name, a, arg="A"):
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: {arg} must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")


def _check_matrix(name, a, arg="A"):
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")


def _broadcast_shapes(sa, sb):
    """Broadcast two shapes with torch's error message."""
    n = max(len(sa), len(sb))
    sa = (1,) * (n - len(sa)) + tuple(sa)
    sb = (1,) * (n - len(sb)) + tuple(sb)
    out = []
    for i, (x, y) in enumerate(zip(sa, sb)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return tuple(out)


def _check_expand(shape, target):
    """torch's ``expand`` check: ``shape`` must broadcast to ``target``."""
    if len(shape) > len(target):
        raise RuntimeError(f"expand: the number of sizes provided ({len(target)}) must be greater "
                           f"or equal to the number of dimensions in the tensor ({len(shape)})")
    lead = len(target) - len(shape)
    for i, s in enumerate(shape):
        t = target[lead + i]
        if s != 1 and s != t:
            raise RuntimeError(f"The expanded size of the tensor ({t}) must match the existing "
                               f"size ({s}) at non-singleton dimension {lead + i}.  Target sizes: "
                               f"{list(target)}.  Tensor sizes: {list(shape)}")


def _backend_error(a):
    return get_xp(a).linalg.LinAlgError


# ---------------------------------------------------------------- matmul
def _matmul_error(sa, sb):
    """The message torch gives for a matmul of shapes ``sa`` and ``sb`` that cannot multiply."""
    da, db = len(sa), len(sb)
    if da == 0 or db == 0:
        return (f"both arguments to matmul need to be at least 1D, but they are {da}D and "
                f"{db}D")
    if da == 1 and db == 1:
        return (f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have "
                f"the same number of elements, but got {sa[0]} and {sb[0]} elements respectively")
    if db == 1:
        m = _prod(sa[:-1])
        return f"size mismatch, got input ({m}), mat ({m}x{sa[-1]}), vec ({sb[0]})"
    if db == 2:
        m = _prod(sa[:-1])
        return (f"mat1 and mat2 shapes cannot be multiplied ({m}x{sa[-1]} and "
                f"{sb[0]}x{sb[1]})")
    batch = _broadcast_shapes(sa[:-2], sb[:-2])
    n = _prod(batch)
    return (f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {sa[-1]}] "
            f"but got: [{n}, {sb[-2]}].")


def _matmul_checks(a, b):
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_tname(a.dtype).lower()} != {_tname(b.dtype).lower()}")
    if a.dtype.kind == "b":
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


class Matmul(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b):
        if a.dtype != b.dtype or a.dtype.kind == "b":
            _matmul_checks(a, b)
        ctx.save_for_backward(a, b)
        try:
            if b.ndim == 2 and a.ndim > 2:
                # one GEMM for the whole batch: (..., m, k) @ (k, n)
                lead = a.shape[:-1]
                return (a.reshape((_prod(lead), a.shape[-1])) @ b).reshape(lead + (b.shape[1],))
            out = a @ b
        except ValueError:
            raise RuntimeError(_matmul_error(a.shape, b.shape)) from None
        return out if a.ndim > 1 or b.ndim > 1 else ctx.xp.asarray(out)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        xp = ctx.xp
        ga = gb = None
        an, bn = a.ndim, b.ndim
        if an == 1 and bn == 1:
            return (g * b if need_a else None), (g * a if need_b else None)
        if an == 1:
            # (k) @ (..., k, n) -> (..., n)
            if need_a:
                ga = xp.matmul(b, _col(g)).reshape(tuple(b.shape[:-1])) if bn > 2 else \
                    xp.matmul(b, g)
            if need_b:
                gb = _col(a) * _row(g)
            return ga, gb
        if bn == 1:
            # (..., m, k) @ (k) -> (..., m)
            if need_a:
                ga = _col(g) * b
            if need_b:
                if an == 2:
                    gb = xp.matmul(g, a)
                else:
                    k = a.shape[-1]
                    gb = xp.matmul(g.reshape((_prod(g.shape),)), a.reshape((-1, k)) if
                                   _prod(a.shape) else a.reshape((0, k)))
            return ga, gb
        if bn == 2 and an > 2:
            # fold the batch into one GEMM each way
            k, n = b.shape
            m = _prod(a.shape[:-1])
            g2 = g.reshape((m, n))
            if need_a:
                ga = xp.matmul(g2, _mT(b)).reshape(tuple(a.shape))
            if need_b:
                gb = xp.matmul(_mT(a.reshape((m, k))), g2)
            return ga, gb
        if need_a:
            ga = xp.matmul(g, _mT(b))
        if need_b:
            gb = xp.matmul(_mT(a), g)
        return ga, gb


def matmul(input, other, *, out=None):
    r"""Matrix product of two tensors.

    The behavior depends on the dimensionality of the tensors: 1-D x 1-D is a dot product,
    2-D x 2-D a matrix-matrix product, 1-D arguments are promoted to matrices by prepending
    (first argument) or appending (second argument) a dimension that is removed afterwards,
    and N-D arguments are batched matrix multiplies whose batch dimensions broadcast.

    Example::

        >>> import ember
        >>> ember.matmul(ember.ones(2, 3), ember.ones(3)).shape
        ember.Size([2])
    """
    return Matmul.apply(input, other)


def mm(input, mat2, *, out=None):
    """Performs a matrix multiplication of the matrices ``input`` and ``mat2`` ((n x m) @ (m x p)
    -> (n x p)). This function does not broadcast."""
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return Matmul.apply(input, mat2)


def _check_bmm(b1, b2, name1="batch1", name2="batch2"):
    if b1.ndim != 3:
        raise RuntimeError(f"{name1} must be a 3D tensor")
    if b2.ndim != 3:
        raise RuntimeError(f"{name2} must be a 3D tensor")
    if b2.shape[0] != b1.shape[0] or b2.shape[1] != b1.shape[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b1.shape[0]}, {b1.shape[2]}] but got: [{b2.shape[0]}, "
                           f"{b2.shape[1]}].")


def bmm(input, mat2, *, out=None):
    """Performs a batch matrix-matrix product of matrices stored in ``input`` and ``mat2``
    ((b x n x m) @ (b x m x p) -> (b x n x p)). This function does not broadcast."""
    _check_bmm(input, mat2)
    return Matmul.apply(input, mat2)


def _check_mv(mat, vec):
    if mat.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {mat.ndim}, {vec.ndim}")
    if mat.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({mat.shape[0]}), mat "
                           f"({mat.shape[0]}x{mat.shape[1]}), vec ({vec.shape[0]})")


def mv(input, vec, *, out=None):
    """Performs a matrix-vector product of the matrix ``input`` and the vector ``vec``."""
    _check_mv(input, vec)
    return Matmul.apply(input, vec)


def dot(input, tensor, *, out=None):
    """Computes the dot product of two 1D tensors."""
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D "
                           "tensors")
    if input.dtype != tensor.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_tname(input._data.dtype)} and {_tname(tensor._data.dtype)}")
    if input.shape[0] != tensor.shape[0]:
        raise RuntimeError(_matmul_error(input.shape, tensor.shape))
    return Matmul.apply(input, tensor)


def vdot(input, other, *, out=None):
    """Computes the dot product of two 1D vectors along a dimension, conjugating the first."""
    if input.is_complex():
        from .. import conj
        input = conj(input)
    return dot(input, other)


def inner(input, other, *, out=None):
    """Computes the dot product for 1D tensors; for higher dimensions, sums the product of
    elements from ``input`` and ``other`` along their last dimension."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(input.shape)} and {list(other.shape)}")
    _same_dtype(input, other)
    la, lb = _LETTERS[:input.ndim - 1], _LETTERS[input.ndim - 1:input.ndim + other.ndim - 2]
    return einsum(f"{la}z,{lb}z->{la}{lb}", input, other)


def outer(input, vec2, *, out=None):
    """Outer product of ``input`` and ``vec2``: if ``input`` has size n and ``vec2`` size m,
    the result is a matrix of size (n x m)."""
    if input.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input.ndim}-D")
    if vec2.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {vec2.ndim}-D")
    return input.reshape(input.shape[0], 1) * vec2


ger = outer


# ---------------------------------------------------------------- beta * input + alpha * (...)
class AddScaled(Function):
    """``beta * input + alpha * x`` where ``input`` broadcasts to ``x``; ``input`` is ignored
    (NaN included) when ``beta`` is 0, as in torch's addmm family."""
    _arrays = True

    @staticmethod
    def forward(ctx, inp, x, beta, alpha):
        ctx.beta, ctx.alpha = beta, alpha
        out = x if alpha == 1 else x * alpha
        if beta == 0:
            return out.copy() if out is x else out
        return out + (inp if beta == 1 else inp * beta)

    @staticmethod
    def backward(ctx, g):
        beta, alpha = ctx.beta, ctx.alpha
        return (g if beta == 1 else g * beta), (g if alpha == 1 else g * alpha), None, None


def _add_scaled(name, input, prod, beta, alpha):
    _check_expand(tuple(input.shape), tuple(prod.shape))
    if input.dtype != prod.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{_tname(input._data.dtype)} and {_tname(prod._data.dtype)}")
    return AddScaled.apply(input, prod, beta, alpha)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    r"""Performs a matrix multiplication of the matrices ``mat1`` and ``mat2``; ``input`` is
    added to the final result: :math:`\beta\ \text{input} + \alpha\ (\text{mat1} \mathbin{@}
    \text{mat2})`. If ``beta`` is 0, ``input`` is ignored (nan and inf in it are not
    propagated)."""
    if mat1.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {mat1.ndim}-D tensor")
    if mat2.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {mat2.ndim}-D tensor")
    return _add_scaled("addmm", input, Matmul.apply(mat1, mat2), beta, alpha)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    r"""Performs a matrix-vector product of the matrix ``mat`` and the vector ``vec``;
    ``input`` is added to the final result: :math:`\beta\ \text{input} + \alpha\ (\text{mat}
    \mathbin{@} \text{vec})`."""
    _check_mv(mat, vec)
    if input.ndim > 1 or (input.ndim == 1 and input.shape[0] not in (1, mat.shape[0])):
        raise RuntimeError(f"size mismatch, got input ({input.shape[0] if input.ndim else 1}), "
                           f"mat ({mat.shape[0]}x{mat.shape[1]}), vec ({vec.shape[0]})")
    return _add_scaled("addmv", input, Matmul.apply(mat, vec), beta, alpha)


def addmv_(input, mat, vec, *, beta=1, alpha=1):
    return inplace(addmv, input, mat, vec, beta=beta, alpha=alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    r"""Performs the outer-product of vectors ``vec1`` and ``vec2`` and adds it to the matrix
    ``input``: :math:`\beta\ \text{input} + \alpha\ (\text{vec1} \otimes \text{vec2})`."""
    if vec1.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {vec1.ndim}-D")
    if vec2.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec2, but got {vec2.ndim}-D")
    return _add_scaled("addr", input, outer(vec1, vec2), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    r"""Performs a batch matrix-matrix product of matrices in ``batch1`` and ``batch2``;
    ``input`` is added to the final result: :math:`\beta\ \text{input} + \alpha\
    (\text{batch1}_i \mathbin{@} \text{batch2}_i)`."""
    _check_bmm(batch1, batch2)
    return _add_scaled("baddbmm", input, Matmul.apply(batch1, batch2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    r"""Performs a batch matrix-matrix product of matrices stored in ``batch1`` and ``batch2``,
    with a reduced add step (all matrix multiplications get accumulated along the first
    dimension); ``input`` is added to the final result."""
    _check_bmm(batch1, batch2)
    return _add_scaled("addbmm", input, einsum("bij,bjk->ik", batch1, batch2), beta, alpha)


def kron(input, other, *, out=None):
    r"""Computes the Kronecker product, denoted by :math:`\otimes`, of ``input`` and ``other``."""
    dt = _dt.result_type(input, other)
    if input.dtype != dt:
        input = input.to(dt)
    if other.dtype != dt:
        other = other.to(dt)
    nd = max(input.ndim, other.ndim)
    sa = (1,) * (nd - input.ndim) + tuple(input.shape)
    sb = (1,) * (nd - other.ndim) + tuple(other.shape)
    la, lb = _LETTERS[:nd], _LETTERS[nd:2 * nd]
    res = einsum(f"{la},{lb}->" + "".join(x + y for x, y in zip(la, lb)),
                 input.reshape(sa), other.reshape(sb))
    return res.reshape(tuple(x * y for x, y in zip(sa, sb)))


def trace(input):
    """Returns the sum of the elements of the diagonal of the input 2-D matrix."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    if input._data.dtype.kind in "biu" and input.dtype is not _dt.int64:
        input = input.to(_dt.int64)
    m, n = input.shape
    if m == n:
        return einsum("ii->", input)
    return einsum("ij,ij->", input, _eye(input, m, n))


# ---------------------------------------------------------------- cross product
class Cross(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.save_for_backward(a, b)
        ctx.dim = dim
        return ctx.xp.cross(a, b, axis=dim)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[:2]
        d = ctx.dim
        if ctx.create_graph:
            return ((Cross.apply(b, g, d) if need_a else None),
                    (Cross.apply(g, a, d) if need_b else None), None)
        xp = ctx.xp
        return ((xp.cross(b, g, axis=d) if need_a else None),
                (xp.cross(g, a, axis=d) if need_b else None), None)


def _cross(name, input, other, dim):
    if input.ndim != other.ndim:
        raise RuntimeError(f"{name}: inputs must have the same number of dimensions.")
    if input.dtype != other.dtype:
        raise RuntimeError(f"expected scalar type {_tname(input._data.dtype)} but found "
                           f"{_tname(other._data.dtype)}")
    shape = _broadcast_shapes(input.shape, other.shape)
    if dim is None:
        dims = [i for i, s in enumerate(shape) if s == 3]
        if not dims:
            raise RuntimeError("no dimension of size 3 in input")
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease "
                      "either pass the dim explicitly or simply use torch.linalg.cross.\nThe "
                      "default value of dim will change to agree with that of linalg.cross in a "
                      "future release.", UserWarning, stacklevel=3)
        dim = dims[0]
    d = wrap_dim(dim, len(shape))
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"{name}: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    return Cross.apply(input, other, d - len(shape))


def cross(input, other, dim=None, *, out=None):
    """Returns the cross product of vectors in dimension ``dim`` of ``input`` and ``other``
    (the first dimension of size 3 when ``dim`` is not given)."""
    return _cross("linalg.cross", input, other, dim)


def linalg_cross(input, other, *, dim=-1, out=None):
    """Computes the cross product of two 3-dimensional vectors, broadcasting over the batch
    dimensions."""
    return _cross("linalg.cross", input, other, dim)


# ---------------------------------------------------------------- powers, chains
def matrix_power(A, n, *, out=None):
    """Computes the ``n``-th power of a square matrix for an integer ``n``: the identity for
    ``n = 0``, the inverse's power for ``n < 0``."""
    _check_square("linalg.matrix_power", A)
    if n < 0:
        from .decomposition import inv
        _check_float("linalg.inv", A._data)
        A = inv(A)
        n = -n
    if n == 0:
        from .creation import eye
        e = eye(A.shape[-1], dtype=A.dtype)
        return e.expand(tuple(A.shape)).clone() if A.ndim > 2 else e
    if n == 1:
        return A.clone()
    result = None
    base = A
    while n:
        if n & 1:
            result = base if result is None else Matmul.apply(result, base)
        n >>= 1
        if n:
            base = Matmul.apply(base, base)
    return result


def chain_matmul(*matrices, out=None):
    """Returns the matrix product of the 2-D tensors (deprecated in favor of
    ``ember.linalg.multi_dot``)."""
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if len(matrices) == 1:
        return matrices[0].clone()
    for i, m in enumerate(matrices):
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    return multi_dot(matrices)


def multi_dot(tensors, *, out=None):
    """Efficiently multiplies two or more matrices by reordering the multiplications so that the
    fewest arithmetic operations are performed. The first argument may be 1-D (a row vector) and
    the last 1-D (a column vector)."""
    tensors = list(tensors)
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    first_1d = tensors[0].ndim == 1
    last_1d = tensors[-1].ndim == 1
    for i, t in enumerate(tensors):
        want1 = (i == 0 and first_1d) or (i == n - 1 and last_1d)
        if t.ndim != 2 and not (want1 and t.ndim == 1):
            if i in (0, n - 1):
                raise RuntimeError(f"multi_dot(): the {'first' if i == 0 else 'last'} tensor "
                                   f"must be 1D or 2D but got {t.ndim}D")
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    dt = tensors[0].dtype
    for i, t in enumerate(tensors[1:], 1):
        if t.dtype != dt:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor "
                               f"0 is {dt} and tensor {i} {t.dtype}")
    if first_1d:
        tensors[0] = tensors[0].reshape(1, tensors[0].shape[0])
    if last_1d:
        tensors[-1] = tensors[-1].reshape(tensors[-1].shape[0], 1)
    for i in range(n - 1):
        if tensors[i].shape[1] != tensors[i + 1].shape[0]:
            a, b = tensors[i].shape, tensors[i + 1].shape
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{a[0]}x{a[1]} and {b[0]}x{b[1]} cannot be multiplied")
    dims = [tensors[0].shape[0]] + [t.shape[1] for t in tensors]
    # the textbook dynamic program for the cheapest parenthesization
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k

    def chain(i, j):
        if i == j:
            return tensors[i]
        k = split[i][j]
        return Matmul.apply(chain(i, k), chain(k + 1, j))

    res = chain(0, n - 1)
    if first_1d and last_1d:
        return res.reshape(())
    if first_1d:
        return res.reshape(res.shape[1])
    if last_1d:
        return res.reshape(res.shape[0])
    return res


TENSOR_METHODS = {
    "matmul": matmul, "__matmul__": matmul,
    "__rmatmul__": lambda self, other: matmul(other, self),
    "mm": mm, "bmm": bmm, "mv": mv, "dot": dot, "vdot": vdot, "inner": inner, "outer": outer,
    "ger": outer, "addmm": addmm, "addmv": addmv, "addbmm": addbmm, "baddbmm": baddbmm,
    "addr": addr, "kron": kron, "trace": trace, "cross": cross, "matrix_power": matrix_power,
    "addmm_": lambda self, mat1, mat2, *, beta=1, alpha=1: inplace(
        addmm, self, mat1, mat2, beta=beta, alpha=alpha),
    "addmv_": lambda self, mat, vec, *, beta=1, alpha=1: inplace(
        addmv, self, mat, vec, beta=beta, alpha=alpha),
    "addbmm_": lambda self, b1, b2, *, beta=1, alpha=1: inplace(
        addbmm, self, b1, b2, beta=beta, alpha=alpha),
    "baddbmm_": lambda self, b1, b2, *, beta=1, alpha=1: inplace(
        baddbmm, self, b1, b2, beta=beta, alpha=alpha),
    "addr_": lambda self, v1, v2, *, beta=1, alpha=1: inplace(
        addr, self, v1, v2, beta=beta, alpha=alpha),
}


# ---------------------------------------------------------------- names that moved out
def __getattr__(name):
    """einsum and the decompositions moved to their own files; they stay importable here."""
    if not name.startswith("__"):
        for mod in ("einsum", "decomposition", "spectral"):
            module = importlib.import_module(f".{mod}", __package__)
            if name in module.__dict__:
                return module.__dict__[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
