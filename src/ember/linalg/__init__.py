"""ember.linalg: norms, inverses, determinants, solvers and decompositions (torch.linalg).

The primitives and their gradients live in ``ember/ops/`` (linalg.py, decomposition.py,
spectral.py); this namespace gathers them under torch.linalg's names and adds the composite
functions (norm, matrix_norm, cond, matrix_rank, vecdot, ...).

    >>> import ember
    >>> A = ember.tensor([[2.0, 0.0], [0.0, 4.0]])
    >>> ember.linalg.det(A)
    tensor(8.)
"""
from __future__ import annotations

import collections
import math

from .. import dtypes as _dt
from ..backend import get_xp as _get_xp
from ..ops.decomposition import (LinAlgError, cholesky, cholesky_ex, det, inv, inv_ex,
                                 linalg_qr as qr, slogdet, solve, solve_triangular)
from ..ops.linalg import (_check_float, _check_matrix, _check_square, _const,
                          linalg_cross as cross, matmul, matrix_power, multi_dot)
from ..ops.spectral import (eigh, eigvalsh, linalg_svd as svd, matrix_exp, pinv, svdvals,
                            vector_norm)

__all__ = ["LinAlgError", "norm", "vector_norm", "matrix_norm", "inv", "inv_ex", "det",
           "slogdet", "solve", "solve_triangular", "cholesky", "cholesky_ex", "qr", "svd",
           "svdvals", "eigh", "eigvalsh", "pinv", "matrix_rank", "cross", "matmul", "multi_dot",
           "vecdot", "cond", "matrix_power", "matrix_exp", "diagonal", "lstsq"]

LstsqResult = collections.namedtuple("lstsq", ["solution", "residuals", "rank",
                                               "singular_values"])

_inf = math.inf


def _dims2(name, A, dim):
    if isinstance(dim, int) or len(dim) != 2:
        raise RuntimeError(f"{name}: dim must be a 2-tuple. Got "
                           f"{dim if isinstance(dim, int) else ' '.join(map(str, dim))}")
    nd = A.ndim
    d0, d1 = (d % nd if -nd <= d < nd else None for d in dim)
    if d0 is None or d1 is None:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, "
                         f"{nd - 1}], but got {dim[0] if d0 is None else dim[1]})")
    if d0 == d1:
        raise RuntimeError(f"{name}: dims must be different. Got ({dim[0]}, {dim[1]})")
    return d0, d1


def _to_last(A, d0, d1):
    """Move dims ``d0``, ``d1`` to the end (a permuted view) and return the inverse order."""
    nd = A.ndim
    order = [i for i in range(nd) if i not in (d0, d1)] + [d0, d1]
    if order == list(range(nd)):
        return A
    return A.permute(*order)


def _keep(res, A, d0, d1, keepdim):
    if not keepdim:
        return res
    shape = list(A.shape)
    shape[d0] = shape[d1] = 1
    return res.reshape(tuple(shape))


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Computes a matrix norm: ``ord`` is ``'fro'`` (default), ``'nuc'``, ``inf``, ``-inf``,
    ``1``, ``-1``, ``2`` or ``-2``, over the two dimensions ``dim``."""
    _check_float("linalg.matrix_norm", A._data)
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    d0, d1 = _dims2("linalg.matrix_norm", A, dim)
    if dtype is not None and _dt.as_dtype(dtype) is not A.dtype:
        A = A.to(dtype)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord == "nuc" or ord in (2, -2):
        S = svdvals(_to_last(A, d0, d1))
        if ord == "nuc":
            res = S.sum(-1)
        else:
            res = vector_norm(S, _inf if ord == 2 else -_inf, -1)
        return _keep(res, A, d0, d1, keepdim)
    if ord in (1, -1, _inf, -_inf):
        sum_dim, max_dim = (d0, d1) if ord in (1, -1) else (d1, d0)
        red = _inf if ord > 0 else -_inf
        res = vector_norm(vector_norm(A, 1, sum_dim, True), red, max_dim, True)
        if keepdim:
            return res
        shape = [s for i, s in enumerate(res.shape) if i not in (d0, d1)]
        return res.reshape(tuple(shape))
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """Computes a vector or matrix norm: a matrix norm when ``ord`` is a string, when ``dim``
    is a 2-tuple, or when ``dim`` is None, ``ord`` is given and ``A`` is 2-D; a vector norm
    otherwise (the 2-norm of the flattened input when both ``ord`` and ``dim`` are None)."""
    if dim is not None:
        dim = (dim,) if isinstance(dim, int) else tuple(dim)
    if isinstance(ord, str):
        if dim is None:
            dim = (-2, -1)
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    if ord is None:
        if dim is not None and len(dim) == 2:
            return matrix_norm(A, "fro", dim, keepdim, dtype=dtype)
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if A.ndim == 2:
            return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
        if A.ndim != 1:
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input "
                               f"must be 1D or 2D. Got {A.ndim}D.")
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    if len(dim) == 2:
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    if len(dim) != 1:
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                           f"Got {list(dim)}")
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


def cond(A, p=None, *, out=None):
    """Computes the condition number of a matrix with respect to a matrix norm ``p`` (the
    2-norm, ratio of the extreme singular values, by default)."""
    _check_matrix("linalg.cond", A)
    _check_float("linalg.cond", A._data)
    if p is None or p in (2, -2):
        S = svdvals(A)
        big, small = vector_norm(S, _inf, -1), vector_norm(S, -_inf, -1)
        return big / small if p in (None, 2) else small / big
    _check_square("linalg.cond", A)
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None, tol=None):
    """Computes the numerical rank of a matrix: the number of singular values (absolute
    eigenvalues when ``hermitian=True``) above ``max(atol, rtol * largest)``."""
    _check_matrix("linalg.matrix_rank", A)
    _check_float("linalg.matrix_rank", A._data)
    if tol is not None:
        atol, rtol = tol, 0.0
    a = A._data
    xp = _get_xp(a)
    m, n = a.shape[-2:]
    if hermitian:
        S = xp.abs(xp.linalg.eigvalsh(a))
    else:
        S = xp.linalg.svd(a, compute_uv=False)
    if rtol is None:
        rtol = 0.0 if (atol is not None and atol > 0) else max(m, n) * float(xp.finfo(a.dtype).eps)
    atol = 0.0 if atol is None else atol
    if S.shape[-1] == 0:
        return _const(xp.zeros(a.shape[:-2], dtype="int64"))
    smax = S.max(axis=-1, keepdims=True)
    tol_ = xp.maximum(atol, rtol * smax)
    return _const(xp.asarray((S > tol_).sum(axis=-1), dtype="int64"))


def lstsq(A, B, rcond=None, *, driver=None):
    """Computes a solution to the least squares problem of a system of linear equations
    ``min ||A X - B||``; returns ``(solution, residuals, rank, singular_values)``. As torch on
    CPU, ``driver`` is ``'gelsy'`` (default), ``'gels'``, ``'gelsd'`` or ``'gelss'``; it selects
    which of the extra outputs are computed (the others are empty). The solution is computed
    through the pseudoinverse (exact for full-rank ``A``) and is differentiable."""
    _check_matrix("torch.linalg.lstsq", A)
    _check_float("torch.linalg.lstsq", A._data)
    if A.dtype != B.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same "
                           f"dtype, but got input's dtype {_name(A)} and other's dtype "
                           f"{_name(B)}")
    if driver is None:
        driver = "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of (gels, "
                           f"gelsy, gelsd, gelss), but got {driver}")
    vector = B.ndim == A.ndim - 1
    if not vector and B.ndim != A.ndim:
        raise RuntimeError("torch.linalg.lstsq: input.dim() must be greater or equal to "
                           "other.dim() and (input.dim() - other.dim()) <= 1")
    Bm = B.reshape(tuple(B.shape) + (1,)) if vector else B
    m, n = A.shape[-2], A.shape[-1]
    if Bm.shape[-2] != m:
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size(-2). "
                           f"Got {m} and {Bm.shape[-2]}")
    xp = _get_xp(A._data)
    eps = float(xp.finfo(A._data.dtype).eps)
    rtol = rcond if rcond is not None and rcond > 0 else max(m, n) * eps
    X = matmul(pinv(A, rtol=rtol), Bm)
    empty = _const(xp.zeros((0,), dtype=A._data.dtype))
    rank = _const(xp.zeros((0,), dtype="int64")) if driver == "gels" else \
        matrix_rank(A, rtol=rtol)
    sv = svdvals(A.detach()) if driver in ("gelsd", "gelss") else empty
    residuals = empty
    if m > n and driver != "gelsy" and (driver == "gels" or bool((rank._data == n).all())):
        R = matmul(A, X) - Bm
        residuals = (R * R).sum(-2)
    if vector:
        X = X.reshape(tuple(X.shape[:-1]))
    return LstsqResult(X, residuals, rank, sv)


def vecdot(x, y, *, dim=-1, out=None):
    """Computes the dot product of two batches of vectors along ``dim`` (with broadcasting)."""
    if x.dtype != y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found "
                           f"x of type {_name(x)} and y of type {_name(y)} instead")
    if x.is_complex():
        from .. import conj
        x = conj(x)
    return (x * y).sum(dim)


def _name(t):
    from ..ops._util import type_name
    return type_name(t._data.dtype)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """Alias for ``ember.diagonal`` with defaults ``dim1=-2``, ``dim2=-1``."""
    from .. import diagonal as _diagonal
    return _diagonal(A, offset=offset, dim1=dim1, dim2=dim2)

