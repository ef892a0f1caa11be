"""The singular value and symmetric eigenvalue decompositions and what is built on them
(torch.linalg): svd, svdvals, eigh, eigvalsh, pinv; the matrix exponential and vector_norm.

Backward formulas are written once, duck-typed over arrays and Tensors (see linalg.py), so
``create_graph=True`` gives double backward.
"""
from __future__ import annotations

import collections
import math

from .. import dtypes as _dt
from .._tensor import Tensor
from ..autograd.function import Function
from ..backend import get_xp
from ._util import wrap_dim
from .decomposition import LinAlgError
from .linalg import (_backend_error, _check_float, _check_matrix, _check_square, _col, _const,
                     _eye, _mT, _raw, _row)

__all__ = ["matrix_exp", "pinverse", "svd"]

SVDResult = collections.namedtuple("svd", ["U", "S", "Vh"])
SvdResult = collections.namedtuple("svd", ["U", "S", "V"])
EighResult = collections.namedtuple("eigh", ["eigenvalues", "eigenvectors"])


# ---------------------------------------------------------------- SVD and eigh
def _svd_backward(xp, U, S, Vh, gU, gS, gVh):
    m, n, k = U.shape[-2], Vh.shape[-1], S.shape[-1]
    if gU is None and gVh is None:
        return xp.matmul(U * _row(gS), Vh) if gS is not None else None
    I = _eye(S, k)
    V = _mT(Vh)
    S2 = S * S
    E = _row(S2) - _col(S2) + I          # E_jk = S_k^2 - S_j^2 off the diagonal
    inner = None
    if gU is not None:
        UhgU = xp.matmul(_mT(U), gU)
        inner = (UhgU - _mT(UhgU)) * _row(S)
    if gVh is not None:
        gV = _mT(gVh)
        VhgV = xp.matmul(Vh, gV)
        t = _col(S) * (VhgV - _mT(VhgV))
        inner = t if inner is None else inner + t
    inner = inner / E
    if gS is not None:
        inner = inner + _row(gS) * I
    if m > k and gU is not None:
        gA = xp.matmul(U, inner)
        gUSinv = gU / _row(S)
        gA = gA + gUSinv - xp.matmul(U, xp.matmul(_mT(U), gUSinv))
        return xp.matmul(gA, Vh)
    if n > k and gVh is not None:
        gA = xp.matmul(inner, Vh)
        SinvgVh = _mT(gV) / _col(S)
        gA = gA + SinvgVh - xp.matmul(xp.matmul(SinvgVh, V), Vh)
        return xp.matmul(U, gA)
    return xp.matmul(xp.matmul(U, inner), Vh)


class SVD(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, full_matrices):
        try:
            u, s, vh = ctx.xp.linalg.svd(a, full_matrices=full_matrices)
        except _backend_error(a):
            raise LinAlgError("linalg.svd: The algorithm failed to converge because the input "
                              "matrix is ill-conditioned or has too many repeated singular "
                              "values.") from None
        ctx.full = full_matrices
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        U, S, Vh = ctx.saved_tensors
        xp = ctx.xp
        m, n, k = U.shape[-2], Vh.shape[-1], S.shape[-1]
        if ctx.full:      # the extra columns do not enter the gradient (torch narrows them)
            if m > k:
                Pm = _eye(S, m, k)
                U = xp.matmul(U, Pm)
                gU = None if gU is None else xp.matmul(gU, Pm)
            if n > k:
                Pn = _eye(S, k, n)
                Vh = xp.matmul(Pn, Vh)
                gVh = None if gVh is None else xp.matmul(Pn, gVh)
        return _svd_backward(xp, U, S, Vh, gU, gS, gVh), None


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    """Computes the singular value decomposition ``A = U diag(S) Vh`` of a matrix; returns the
    named tuple ``(U, S, Vh)``. Singular values are in descending order. ``U`` and ``Vh`` are
    defined up to a sign of each singular vector: only gauge-invariant functions of them have
    well-defined gradients."""
    _check_matrix("linalg.svd", A)
    _check_float("linalg.svd", A._data)
    return SVDResult(*SVD.apply(A, bool(full_matrices)))


def svdvals(A, *, driver=None, out=None):
    """Computes the singular values of a matrix, in descending order."""
    _check_matrix("linalg.svdvals", A)
    _check_float("linalg.svdvals", A._data)
    if not A.requires_grad:
        return _const(get_xp(A._data).linalg.svd(A._data, compute_uv=False))
    return SVD.apply(A, False)[1]


def svd(input, some=True, compute_uv=True, *, out=None):
    """Computes the singular value decomposition ``input = U diag(S) V^T`` (deprecated in favor
    of ``ember.linalg.svd``); returns ``(U, S, V)``."""
    U, S, Vh = linalg_svd(input, full_matrices=not some)
    if not compute_uv:
        xp = get_xp(U._data)
        return SvdResult(_const(xp.zeros_like(U._data)), S, _const(xp.zeros_like(Vh._data)))
    return SvdResult(U, S, _mT(Vh))


class Eigh(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, uplo):
        try:
            L, V = ctx.xp.linalg.eigh(a, UPLO=uplo)
        except _backend_error(a):
            raise LinAlgError("linalg.eigh: The algorithm failed to converge because the input "
                              "matrix is ill-conditioned or has too many repeated eigenvalues."
                              ) from None
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(L, V)
        return L, V

    @staticmethod
    def backward(ctx, gL, gV):
        L, V = ctx.saved_tensors
        xp = ctx.xp
        if gV is None:
            if gL is None:
                return None, None
            return xp.matmul(V * _row(gL), _mT(V)), None
        n = L.shape[-1]
        I = _eye(L, n)
        VhgV = xp.matmul(_mT(V), gV)
        VhgV = (VhgV - _mT(VhgV)) * 0.5
        E = _row(L) - _col(L) + I           # E_ij = L_j - L_i off the diagonal
        mid = VhgV / E
        if gL is not None:
            mid = mid + _row(gL) * I
        return xp.matmul(V, xp.matmul(mid, _mT(V))), None


def _check_uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def eigh(A, UPLO="L", *, out=None):
    """Computes the eigenvalue decomposition of a symmetric (Hermitian) matrix, reading only
    its lower (``UPLO='L'``) or upper triangle; returns ``(eigenvalues, eigenvectors)`` with
    the eigenvalues in ascending order. Eigenvectors are defined up to sign."""
    _check_square("linalg.eigh", A)
    _check_float("linalg.eigh", A._data)
    _check_uplo(UPLO)
    return EighResult(*Eigh.apply(A, UPLO))


def eigvalsh(A, UPLO="L", *, out=None):
    """Computes the eigenvalues of a symmetric (Hermitian) matrix, in ascending order."""
    _check_square("linalg.eigvalsh", A)
    _check_float("linalg.eigvalsh", A._data)
    _check_uplo(UPLO)
    if not A.requires_grad:
        return _const(get_xp(A._data).linalg.eigvalsh(A._data, UPLO=UPLO))
    return Eigh.apply(A, UPLO)[0]


# ---------------------------------------------------------------- pseudo-inverse
class Pinv(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        xp = ctx.xp
        m, n = a.shape[-2], a.shape[-1]
        if rtol is None:
            rtol = 0.0 if (atol is not None and atol > 0) else \
                max(m, n) * float(xp.finfo(a.dtype).eps)
        atol = 0.0 if atol is None else atol
        if m == 0 or n == 0:
            out = xp.zeros(a.shape[:-2] + (n, m), dtype=a.dtype)
        elif hermitian:
            L, V = xp.linalg.eigh(a)
            absL = xp.abs(L)
            tol = xp.maximum(atol, rtol * absL.max(axis=-1, keepdims=True))
            keep = absL > tol
            Linv = xp.where(keep, 1 / xp.where(keep, L, 1), 0).astype(a.dtype)
            out = xp.matmul(V * Linv[..., None, :], _mT(V))
        else:
            U, S, Vh = xp.linalg.svd(a, full_matrices=False)
            tol = xp.maximum(atol, rtol * S[..., :1])
            keep = S > tol
            Sinv = xp.where(keep, 1 / xp.where(keep, S, 1), 0).astype(a.dtype)
            out = xp.matmul(_mT(Vh) * Sinv[..., None, :], _mT(U))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, g):
        A, P = ctx.saved_tensors
        xp = ctx.xp
        m, n = A.shape[-2], A.shape[-1]
        Ph, gh = _mT(P), _mT(g)
        if m <= n:
            K = xp.matmul(gh, P)
            KPh = xp.matmul(K, Ph)
            gA = -_mT(xp.matmul(P, K)) + KPh - xp.matmul(xp.matmul(A, P), KPh) + \
                xp.matmul(xp.matmul(Ph, P), gh - xp.matmul(K, A))
        else:
            K = xp.matmul(P, gh)
            PhK = xp.matmul(Ph, K)
            gA = -_mT(xp.matmul(K, P)) + xp.matmul(xp.matmul(gh - xp.matmul(A, K), P), Ph) + \
                PhK - xp.matmul(xp.matmul(PhK, P), A)
        return gA, None, None, None


def _tol_value(t, name):
    if isinstance(t, Tensor):
        if t.ndim:
            raise NotImplementedError(f"{name} as a non-scalar tensor is not supported")
        return float(t.item())
    return None if t is None else float(t)


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None, rcond=None):
    """Computes the pseudoinverse (Moore-Penrose inverse) of a matrix. Singular values (or the
    absolute eigenvalues when ``hermitian=True``) at most ``max(atol, rtol * largest)`` are
    treated as zero; ``rtol`` defaults to ``max(m, n) * eps`` when neither is given."""
    if rcond is not None:
        rtol = rcond
    _check_matrix("linalg.pinv", A)
    _check_float("linalg.pinv", A._data)
    if hermitian:
        _check_square("linalg.pinv", A)
    return Pinv.apply(A, _tol_value(atol, "atol"), _tol_value(rtol, "rtol"), bool(hermitian))


def pinverse(input, rcond=1e-15):
    """Alias for ``ember.linalg.pinv`` with ``rtol=rcond``."""
    return pinv(input, rtol=rcond)


# ---------------------------------------------------------------- matrix exponential
def _expm(xp, a):
    """exp(A) by scaling and squaring with a degree-13 Pade approximant (Higham 2005)."""
    b = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
         129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
         40840800., 960960., 16380., 182., 1.)
    n = a.shape[-1]
    if a.size == 0:
        return a.copy()
    norm = xp.abs(a).sum(axis=-2).max()
    s = max(0, int(math.ceil(math.log2(float(norm) / 5.371920351148152))) if norm > 0 else 0)
    a = a / (2.0 ** s)
    ident = xp.eye(n, dtype=a.dtype)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 +
             b[1] * ident)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + \
        b[0] * ident
    r = xp.linalg.solve(v - u, v + u)
    for _ in range(s):
        r = r @ r
    return r


class MatrixExp(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _expm(ctx.xp, a)

    @staticmethod
    def backward(ctx, g):
        # the upper-right block of exp([[A^T, G], [0, A^T]]), assembled with constant selectors
        a, = ctx.saved_tensors
        xp = ctx.xp
        n = a.shape[-1]
        P1 = _eye(a, n, 2 * n)          # [I 0]
        P2 = _eye(a, 2 * n)[n:]         # [0 I]
        aT = _mT(a)
        M = xp.matmul(_mT(P1), xp.matmul(aT, P1)) + xp.matmul(_mT(P1), xp.matmul(g, P2)) + \
            xp.matmul(_mT(P2), xp.matmul(aT, P2))
        E = MatrixExp.apply(M) if ctx.create_graph else _expm(xp, M)
        return xp.matmul(P1, xp.matmul(E, _mT(P2)))


def matrix_exp(A):
    """Computes the matrix exponential of a square matrix (or of each matrix of a batch)."""
    _check_square("linalg.matrix_exp", A)
    _check_float("linalg.matrix_exp", A._data)
    return MatrixExp.apply(A)


# ---------------------------------------------------------------- vector norm
class VectorNorm(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, x, ord, axes, keepdim):
        xp = ctx.xp
        ax = xp.abs(x)
        if ord == 2:
            out = xp.sqrt((ax * ax).sum(axis=axes, keepdims=keepdim))
        elif ord == 1:
            out = ax.sum(axis=axes, keepdims=keepdim)
        elif ord == math.inf:
            out = ax.max(axis=axes, keepdims=keepdim)
        elif ord == -math.inf:
            out = ax.min(axis=axes, keepdims=keepdim)
        elif ord == 0:
            out = (x != 0).sum(axis=axes, keepdims=keepdim).astype(ax.dtype)
        else:
            out = ((ax ** ord).sum(axis=axes, keepdims=keepdim)) ** (1.0 / ord)
        out = xp.asarray(out)
        ctx.ord, ctx.axes, ctx.keepdim = ord, axes, keepdim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, g):
        x, norm = ctx.saved_tensors
        ord = ctx.ord
        xr = _raw(x)
        bk = get_xp(xr)
        if ctx.axes is not None and not ctx.keepdim:
            shape = list(x.shape)
            for a in ctx.axes:
                shape[a] = 1
            shape = tuple(shape)
        else:
            shape = (1,) * x.ndim if ctx.axes is None and not ctx.keepdim else None
        if shape is not None:
            g = g.reshape(shape)
            norm = norm.reshape(shape)
        norm_r = _raw(norm)
        sgn = bk.sign(xr)
        if ord == 0:
            return ctx.xp.zeros_like(x), None, None, None
        if ord == 1:
            return g * sgn, None, None, None
        if ord == math.inf or ord == -math.inf:
            # split evenly among the entries that reach the max (min), as torch's amax
            mask = (bk.abs(xr) == norm_r) | bk.isnan(xr)
            count = mask.sum(axis=ctx.axes, keepdims=True)
            return g * (sgn * mask / count).astype(xr.dtype), None, None, None
        zero = (norm_r == 0).astype(xr.dtype)      # the gradient is 0 where the norm is 0
        if ord == 2:
            return x * (g / (norm + zero)), None, None, None
        ax = x * sgn
        if ord < 1:
            nz = (xr != 0).astype(xr.dtype)
            return sgn * ((ax + (1 - nz)) ** (ord - 1)) * nz * g * norm ** (1 - ord), \
                None, None, None
        scale = g / (norm + zero) ** (ord - 1) * (1 - zero)
        if ord < 2:
            return sgn * ax ** (ord - 1) * scale, None, None, None
        return x * ax ** (ord - 2) * scale, None, None, None


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """Computes a vector norm: ``ord`` may be any real number, ``inf`` (max of absolute values),
    ``-inf`` (min) or 0 (number of non-zeros); ``dim`` (int or tuple) gives the dimensions to
    reduce (all by default)."""
    data = x._data
    _check_float("linalg.vector_norm", data)
    nd = data.ndim
    if dim is None:
        axes = None
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        axes = tuple(sorted(wrap_dim(d, nd) for d in dims)) if dims else None
        if axes is not None and len(set(axes)) != len(axes):
            raise RuntimeError(f"dim {axes[0]} appears multiple times in the list of dims")
    if ord in (math.inf, -math.inf, float("inf"), float("-inf")) or ord < 0:
        if axes is None and data.size == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_str(ord)} norm on an "
                               "empty tensor because the operation does not have an identity")
        for a in (axes or ()):
            if data.shape[a] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_str(ord)} norm "
                                   f"on the dimension {a}because this dimension is empty and the "
                                   "operation does not have an identity")
    if dtype is not None and _dt.as_dtype(dtype) is not x.dtype:
        x = x.to(dtype)
    if axes is not None and len(axes) == nd and not keepdim:
        axes = None
    return VectorNorm.apply(x, float(ord), axes, bool(keepdim))


def _ord_str(ord):
    return {math.inf: "inf", -math.inf: "-inf"}.get(ord, str(ord))


TENSOR_METHODS = {"matrix_exp": matrix_exp, "pinverse": pinverse, "svd": svd}
