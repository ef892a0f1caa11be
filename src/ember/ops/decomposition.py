"""Determinants, inverses, solvers and the Cholesky and QR decompositions (torch.linalg): det,
slogdet, inv, solve, solve_triangular, cholesky, cholesky_solve, qr; and LinAlgError.

Backward formulas are written once, duck-typed over arrays and Tensors: they use ``matmul``,
``swapaxes``, ``reshape``, arithmetic and ``xp.linalg.inv`` / ``xp.linalg.solve`` (which
``ember.linalg`` provides), so ``create_graph=True`` gives double backward. Constant masks
(triangles, identities, signs) are built as raw arrays and multiply Tensors as constants.
"""
from __future__ import annotations

import collections
import contextlib

from ..autograd.function import Function
from ..backend import get_xp
from .linalg import (Matmul, _backend_error, _broadcast_shapes, _check_float, _check_matrix,
                     _check_square, _const, _eye, _mT, _tname, _tril_mask)

__all__ = ["det", "logdet", "slogdet", "inverse", "cholesky", "cholesky_solve",
           "cholesky_inverse", "qr"]


class LinAlgError(RuntimeError):
    """Error raised by ``ember.linalg`` when a matrix is singular, not positive-definite, or a
    decomposition does not converge (``torch.linalg.LinAlgError``)."""


# namedtuples as torch.return_types
SlogdetResult = collections.namedtuple("slogdet", ["sign", "logabsdet"])
QRResult = collections.namedtuple("qr", ["Q", "R"])
InvExResult = collections.namedtuple("inv_ex", ["inverse", "info"])
CholeskyExResult = collections.namedtuple("cholesky_ex", ["L", "info"])


# ---------------------------------------------------------------- determinants
class Det(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        out = ctx.xp.asarray(ctx.xp.linalg.det(a), dtype=a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, det = ctx.saved_tensors
        xp = ctx.xp
        gd = (g * det).reshape(tuple(det.shape) + (1, 1))
        if ctx.create_graph:
            return gd * _mT(xp.linalg.inv(a))
        if (det == 0).any():
            return g.reshape(tuple(g.shape) + (1, 1)) * _cofactor(xp, a)
        return gd * _mT(xp.linalg.inv(a))


def _cofactor(xp, a):
    """The cofactor matrix det(A) A^{-T}, valid for singular A too (via the SVD)."""
    u, s, vh = xp.linalg.svd(a)
    n = s.shape[-1]
    ones = xp.ones(s.shape[:-1] + (1,), dtype=s.dtype)
    pre = xp.cumprod(xp.concatenate([ones, s[..., :-1]], axis=-1), axis=-1)
    suf = xp.flip(xp.cumprod(xp.concatenate([ones, xp.flip(s, -1)[..., :-1]], axis=-1),
                             axis=-1), -1)
    sign = xp.linalg.det(u) * xp.linalg.det(vh)
    sign = xp.asarray(sign).reshape(sign.shape + (1, 1)) if n else 1
    return sign * xp.matmul(u * (pre * suf)[..., None, :], vh)


def det(A, *, out=None):
    """Computes the determinant of a square matrix (or of each matrix of a batch)."""
    _check_square("linalg.det", A)
    _check_float("linalg.det", A._data)
    return Det.apply(A)


class Slogdet(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        xp = ctx.xp
        sign, logabs = xp.linalg.slogdet(a)
        sign = xp.asarray(sign, dtype=a.dtype)
        logabs = xp.asarray(logabs, dtype=a.real.dtype if a.dtype.kind == "c" else a.dtype)
        ctx.save_for_backward(a)
        ctx.mark_non_differentiable(sign)
        ctx.set_materialize_grads(False)
        return sign, logabs

    @staticmethod
    def backward(ctx, g_sign, g_logabs):
        if g_logabs is None:
            return (None,)
        a, = ctx.saved_tensors
        return g_logabs.reshape(tuple(g_logabs.shape) + (1, 1)) * _mT(ctx.xp.linalg.inv(a))


def slogdet(A, *, out=None):
    """Computes the sign and natural logarithm of the absolute value of the determinant of a
    square matrix; returns the named tuple ``(sign, logabsdet)``."""
    _check_square("linalg.slogdet", A)
    _check_float("linalg.slogdet", A._data)
    return SlogdetResult(*Slogdet.apply(A))


def logdet(input):
    """Calculates the log determinant of a square matrix or batches of square matrices
    (``nan`` for a negative determinant, ``-inf`` for a zero one)."""
    _check_square("linalg.slogdet", input)
    _check_float("linalg.slogdet", input._data)
    sign, logabs = Slogdet.apply(input)
    s = sign._data
    xp = get_xp(s)
    fix = xp.where(s > 0, 0.0, xp.where(s < 0, xp.nan, -xp.inf)).astype(s.dtype)
    return logabs + _const(fix)


# ---------------------------------------------------------------- inverse and solve
def _lu_zero_pivot(m):
    """1-based index of the first zero pivot of an LU factorization with partial pivoting."""
    m = m.astype("float64").copy()
    n = m.shape[-1]
    for k in range(n):
        p = k + int(abs(m[k:, k]).argmax())
        if m[p, k] == 0:
            return k + 1
        m[[k, p]] = m[[p, k]]
        m[k + 1:, k:] -= (m[k + 1:, k] / m[k, k])[:, None] * m[k, k:]
    return n


def _first_failure(a, test):
    """(batch index or None, matrix) of the first matrix of ``a`` for which ``test`` fails."""
    flat = a.reshape((-1,) + a.shape[-2:])
    for i in range(flat.shape[0]):
        if not test(flat[i]):
            return (i if a.ndim > 2 else None), flat[i]
    return None, flat[0]


def _singular_error(name, a):
    xp = get_xp(a)

    def ok(m):
        try:
            xp.linalg.inv(m)
            return True
        except xp.linalg.LinAlgError:
            return False
    batch, m = _first_failure(a, ok)
    prefix = f"{name}: " + ("" if batch is None else f"(Batch element {batch}): ")
    return LinAlgError(prefix + f"The diagonal element {_lu_zero_pivot(m)} is zero, the "
                       "inversion could not be completed because the input matrix is singular.")


class Inv(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        try:
            out = ctx.xp.linalg.inv(a)
        except _backend_error(a):
            raise _singular_error("linalg.inv", a) from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        ai, = ctx.saved_tensors
        xp = ctx.xp
        aiT = _mT(ai)
        return -xp.matmul(aiT, xp.matmul(g, aiT))


def inv(A, *, out=None):
    """Computes the inverse of a square matrix, if it exists; raises
    :class:`ember.linalg.LinAlgError` when it is not invertible."""
    _check_square("linalg.inv", A)
    _check_float("linalg.inv", A._data)
    return Inv.apply(A)


inverse = inv


def inv_ex(A, *, check_errors=False, out=None):
    """Computes the inverse of a square matrix if it is invertible; returns ``(inverse, info)``
    where ``info`` is non-zero for the matrices that are not."""
    _check_square("linalg.inv_ex", A)
    _check_float("linalg.inv_ex", A._data)
    xp = get_xp(A._data)
    info = xp.zeros(A.shape[:-2], dtype="int32")
    try:
        res = Inv.apply(A)
    except LinAlgError:
        if check_errors:
            raise
        flat = A._data.reshape((-1,) + A.shape[-2:])
        inf = info.reshape(-1)
        outs = []
        for i in range(flat.shape[0]):
            try:
                outs.append(xp.linalg.inv(flat[i]))
            except xp.linalg.LinAlgError:
                inf[i] = _lu_zero_pivot(flat[i])
                outs.append(xp.full(flat[i].shape, xp.nan, dtype=flat.dtype))
        res = _const(xp.stack(outs).reshape(A.shape))
    return InvExResult(res, _const(info))


class Solve(Function):
    """``A X = B`` for matrices ``B`` (..., n, k); batch dimensions broadcast."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, b):
        try:
            x = ctx.xp.linalg.solve(a, b)
        except _backend_error(a):
            raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix "
                              "is singular.") from None
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        xp = ctx.xp
        gb = xp.linalg.solve(_mT(a), g)
        ga = -xp.matmul(gb, _mT(x)) if ctx.needs_input_grad[0] else None
        return ga, (gb if ctx.needs_input_grad[1] else None)


def solve(A, B, *, left=True, out=None):
    """Computes the solution of a square system of linear equations with a unique solution:
    ``A X = B`` (``X A = B`` when ``left=False``). ``B`` is a (batch of) vector(s) when it is
    1-D or has the shape ``A.shape[:-1]``; batch dimensions broadcast."""
    _check_square("linalg.solve", A)
    _check_float("linalg.solve", A._data)
    if A.dtype != B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A "
                           f"of type {_tname(A._data.dtype)} and B of type "
                           f"{_tname(B._data.dtype)} instead")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    if vector:      # a (batch of) column vector(s), for left=False too (as torch)
        B = B.reshape(tuple(B.shape) + (1,))
    n = A.shape[-1]
    ok = B.shape[-2] == n if left else B.shape[-1] == n
    if not ok:
        shp = f"{B.shape[-2]}x{B.shape[-1]}"
        eqn = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation {eqn} "
                           f"({n}x{n} and {shp})")
    _broadcast_shapes(A.shape[:-2], B.shape[:-2])
    if left:
        X = Solve.apply(A, B)
    else:
        X = _mT(Solve.apply(_mT(A), _mT(B)))
    if vector:
        X = X.reshape(tuple(X.shape[:-1]))
    return X


def _solve_tri(xp, a, b, upper, unit):
    """X with ``T X = B`` for the upper/lower triangle T of ``a`` (unit diagonal when
    ``unit``); batch dims broadcast. A zero on the diagonal gives inf/nan, as in torch."""
    n = a.shape[-1]
    t = xp.triu(a) if upper else xp.tril(a)
    if unit:
        eye = xp.eye(n, dtype=t.dtype)
        t = t * (1 - eye) + eye
    try:
        return xp.linalg.solve(t, b)
    except _backend_error(a):
        pass
    batch = tuple(xp.broadcast_shapes(t.shape[:-2], b.shape[:-2]))
    t = xp.broadcast_to(t, batch + t.shape[-2:])
    b = xp.broadcast_to(b, batch + b.shape[-2:])
    x = xp.zeros(b.shape, xp.result_type(t, b))
    quiet = xp.errstate(divide="ignore", invalid="ignore") if hasattr(xp, "errstate") \
        else contextlib.nullcontext()
    with quiet:
        for i in (range(n - 1, -1, -1) if upper else range(n)):
            rest = slice(i + 1, n) if upper else slice(0, i)
            s = xp.matmul(t[..., i:i + 1, rest], x[..., rest, :])[..., 0, :]
            x[..., i, :] = (b[..., i, :] - s) / t[..., i, i, None]
    return x


class SolveTriangular(Function):
    """``T X = B`` for a triangular ``T`` (the upper or lower triangle of ``A``); backward
    ``gB = T^{-T} g`` (a triangular solve again) and ``gA = -gB X^T`` on the triangle."""
    _arrays = True

    @staticmethod
    def forward(ctx, a, b, upper, unit):
        ctx.upper, ctx.unit = upper, unit
        x = _solve_tri(ctx.xp, a, b, upper, unit)
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, g):
        a, x = ctx.saved_tensors
        upper, unit = ctx.upper, ctx.unit
        if ctx.create_graph:
            gb = solve_triangular(_mT(a), g, upper=not upper, unitriangular=unit)
        else:
            gb = _solve_tri(ctx.xp, _mT(a), g, not upper, unit)
        ga = None
        if ctx.needs_input_grad[0]:
            n = a.shape[-1]
            mask = _tril_mask(a, n, -1 if unit else 0)
            ga = -ctx.xp.matmul(gb, _mT(x)) * (mask.T if upper else mask)
        return ga, (gb if ctx.needs_input_grad[1] else None), None, None


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """Computes the solution of a triangular system of linear equations with a unique
    solution: ``A X = B`` (``X A = B`` when ``left=False``), where only the upper
    (``upper=True``) or lower triangle of ``A`` is read, its diagonal taken as ones when
    ``unitriangular=True``. Batch dimensions broadcast; no check for invertibility is made."""
    name = "linalg.solve_triangular"
    _check_matrix(name, A, "A")
    _check_matrix(name, B, "B")
    _check_square(name, A)
    if A._data.dtype.kind not in "fc":     # B is cast to A's dtype, as in torch
        raise NotImplementedError(f'"triangular_solve_cpu" not implemented for '
                                  f"'{_tname(A._data.dtype)}'")
    if B.dtype != A.dtype:
        B = B.to(A.dtype)
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{B.shape[-2]}x{B.shape[-1]})")
    _broadcast_shapes(B.shape[:-2], A.shape[:-2])
    if left:
        X = SolveTriangular.apply(A, B, bool(upper), bool(unitriangular))
    else:
        X = _mT(SolveTriangular.apply(_mT(A), _mT(B), not upper, bool(unitriangular)))
    if out is not None:
        from .elementwise import _into
        return _into(X, out)
    return X


# ---------------------------------------------------------------- cholesky
def _not_pd_error(name, a):
    xp = get_xp(a)

    def ok(m):
        try:
            xp.linalg.cholesky(m)
            return True
        except xp.linalg.LinAlgError:
            return False
    batch, m = _first_failure(a, ok)
    order = next((k for k in range(1, m.shape[-1] + 1) if not ok(m[:k, :k])), m.shape[-1])
    prefix = f"{name}: " + ("" if batch is None else f"(Batch element {batch}): ")
    return LinAlgError(prefix + "The factorization could not be completed because the input is "
                       f"not positive-definite (the leading minor of order {order} is not "
                       "positive-definite).")


class Cholesky(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, upper):
        try:
            L = ctx.xp.linalg.cholesky(a)
        except _backend_error(a):
            raise _not_pd_error("linalg.cholesky", a) from None
        ctx.upper = upper
        out = _mT(L) if upper else L
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out, = ctx.saved_tensors
        xp = ctx.xp
        L, gL = (_mT(out), _mT(g)) if ctx.upper else (out, g)
        n = L.shape[-1]
        # gA = L^{-T} sym(Phi(L^T gL)) L^{-1}, Phi = lower triangle with halved diagonal
        T = xp.matmul(_mT(L), gL)
        P = T * (_tril_mask(L, n, -1) + 0.5 * _eye(L, n))
        S = (P + _mT(P)) * 0.5
        Lt = _mT(L)
        Z = xp.linalg.solve(Lt, S)
        return _mT(xp.linalg.solve(Lt, _mT(Z))), None


def cholesky(A, upper=False, *, out=None):
    """Computes the Cholesky decomposition ``A = L L^T`` of a symmetric positive-definite matrix
    (only its lower triangle is read); ``upper=True`` returns ``U = L^T``. Raises
    :class:`ember.linalg.LinAlgError` when ``A`` is not positive-definite."""
    _check_square("linalg.cholesky", A)
    _check_float("linalg.cholesky", A._data)
    return Cholesky.apply(A, bool(upper))


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """Computes the Cholesky decomposition; returns ``(L, info)`` where ``info`` is the order of
    the leading minor that is not positive-definite (0 on success)."""
    _check_square("linalg.cholesky_ex", A)
    _check_float("linalg.cholesky_ex", A._data)
    xp = get_xp(A._data)
    info = xp.zeros(A.shape[:-2], dtype="int32")
    try:
        res = Cholesky.apply(A, bool(upper))
    except LinAlgError:
        if check_errors:
            raise
        flat = A._data.reshape((-1,) + A.shape[-2:])
        inf = info.reshape(-1)
        outs = []
        for i in range(flat.shape[0]):
            try:
                L = xp.linalg.cholesky(flat[i])
            except xp.linalg.LinAlgError:
                m = flat[i]
                inf[i] = next(k for k in range(1, m.shape[-1] + 1)
                              if not _pd(xp, m[:k, :k]))
                L = xp.zeros_like(m)
            outs.append(_mT(L) if upper else L)
        res = _const(xp.stack(outs).reshape(A.shape))
    return CholeskyExResult(res, _const(info))


def _pd(xp, m):
    try:
        xp.linalg.cholesky(m)
        return True
    except xp.linalg.LinAlgError:
        return False


def cholesky_solve(B, L, upper=False, *, out=None):
    """Computes the solution of ``A X = B`` given the Cholesky factor ``L`` of ``A``."""
    A = Matmul.apply(_mT(L), L) if upper else Matmul.apply(L, _mT(L))
    return solve(A, B)


def cholesky_inverse(L, upper=False, *, out=None):
    """Computes the inverse of a symmetric positive-definite matrix from its Cholesky factor."""
    A = Matmul.apply(_mT(L), L) if upper else Matmul.apply(L, _mT(L))
    return inv(A)


# ---------------------------------------------------------------- QR
def _qr_backward_tall(xp, Q, R, gQ, gR):
    """m >= n: gA = (gQ + Q copyltu(M)) R^{-T}, M = R gR^T - gQ^T Q."""
    n = R.shape[-1]
    M = None
    if gR is not None:
        M = xp.matmul(R, _mT(gR))
    if gQ is not None:
        t = xp.matmul(_mT(gQ), Q)
        M = -t if M is None else M - t
    low = M * _tril_mask(R, n, -1)
    M = M * _eye(R, n) + low + _mT(low)
    b = xp.matmul(Q, M)
    if gQ is not None:
        b = b + gQ
    return _mT(xp.linalg.solve(R, _mT(b)))


class QR(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, mode):
        xp = ctx.xp
        ctx.mode = mode
        ctx.set_materialize_grads(False)
        if mode == "r":
            r = xp.linalg.qr(a, mode="r")
            return xp.empty((0,), dtype=a.dtype), r
        q, r = xp.linalg.qr(a, mode=mode)
        ctx.save_for_backward(a, q, r)
        return q, r

    @staticmethod
    def backward(ctx, gQ, gR):
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        a, Q, R = ctx.saved_tensors
        m, n = a.shape[-2], a.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        if gQ is None and gR is None:
            return None, None
        xp = ctx.xp
        if m >= n:
            return _qr_backward_tall(xp, Q, R, gQ, gR), None
        # wide: A = [X | Y], R = [U | V] with X = Q U square
        P1 = _eye(R, m, n)                  # (m, n): selects the first m columns
        P2 = _eye(R, n)[m:]                 # (n - m, n): the last n - m
        U = xp.matmul(R, _mT(P1))
        gU = gV = None
        if gR is not None:
            gU = xp.matmul(gR, _mT(P1))
            gV = xp.matmul(gR, _mT(P2))
        if gV is not None:
            Y = xp.matmul(a, _mT(P2))
            t = xp.matmul(Y, _mT(gV))
            gQ = t if gQ is None else gQ + t
        gA = xp.matmul(_qr_backward_tall(xp, Q, U, gQ, gU), P1)
        if gV is not None:
            gA = gA + xp.matmul(xp.matmul(Q, gV), P2)
        return gA, None


def linalg_qr(A, mode="reduced", *, out=None):
    """Computes the QR decomposition of a matrix: ``A = Q R`` with ``Q`` orthogonal and ``R``
    upper triangular. ``mode`` is ``'reduced'`` (default), ``'complete'`` or ``'r'`` (``Q`` is
    then empty); returns the named tuple ``(Q, R)``."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    _check_matrix("linalg.qr", A)
    _check_float("linalg.qr", A._data)
    return QRResult(*QR.apply(A, mode))


def qr(input, some=True, *, out=None):
    """Computes the QR decomposition of a matrix or a batch of matrices (``some=False`` gives
    the complete decomposition). Deprecated in favor of ``ember.linalg.qr``."""
    return linalg_qr(input, "reduced" if some else "complete")


TENSOR_METHODS = {
    "det": det, "logdet": logdet, "slogdet": slogdet, "inverse": inv, "cholesky": cholesky,
    "cholesky_solve": cholesky_solve, "cholesky_inverse": cholesky_inverse, "qr": qr,
}
