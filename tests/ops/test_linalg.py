"""Op table for the linear-algebra family: matmul and friends, einsum, decompositions, norms.

Decompositions whose outputs are defined up to a gauge (signs of singular vectors and
eigenvectors) are checked through gauge-invariant functions of their outputs; ops that read
only one triangle (cholesky, eigh) are fed a symmetrized input so that finite differences and
torch agree.
"""
import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from .opinfo import OpInfo, Sample, assert_close, cases, run_generic

inf = math.inf


# ---------------------------------------------------------------- matrices
def _pd(rng, *shape):
    """Symmetric positive-definite (..., n, n)."""
    a = rng.standard_normal(shape)
    n = shape[-1]
    return a @ a.swapaxes(-1, -2) + n * np.eye(n)


def _wellcond(rng, *shape):
    """Square, well-conditioned (..., n, n): random plus a multiple of the identity."""
    n = shape[-1]
    return rng.standard_normal(shape) + 2 * math.sqrt(n) * np.eye(n)


def _sym(a):
    return (a + a.mT) / 2


# ---------------------------------------------------------------- samples
def _matmul(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), r((4, 5)))), Sample((r((4,)), r((4,)))),
            Sample((r((4,)), r((2, 4, 3)))), Sample((r((2, 3, 4)), r((4,)))),
            Sample((r((4,)), r((4, 3)))), Sample((r((3, 4)), r((4,)))),
            Sample((r((2, 1, 3, 4)), r((5, 4, 2)))), Sample((r((2, 3, 4)), r((4, 5)))),
            Sample((r((4, 5)), r((2, 5, 3)))), Sample((r((1, 3, 4)), r((2, 4, 5)))),
            Sample((r((0, 3)), r((3, 2)))), Sample((r((2, 0)), r((0, 3)))),
            Sample((r((2, 3, 4)), r((4, 5))), noncontig=True),
            Sample((r((3, 4)), r((4, 2))), noncontig=True)]


def _mm(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), r((4, 5)))), Sample((r((3, 4)), r((4, 2))), noncontig=True),
            Sample((r((0, 4)), r((4, 2))))]


def _bmm(rng):
    r = rng.standard_normal
    return [Sample((r((2, 3, 4)), r((2, 4, 5)))),
            Sample((r((2, 3, 4)), r((2, 4, 5))), noncontig=True)]


def _mv(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), r((4,)))), Sample((r((3, 4)), r((4,))), noncontig=True)]


def _vv(rng):
    r = rng.standard_normal
    return [Sample((r((5,)), r((5,)))), Sample((r((0,)), r((0,))))]


def _inner(rng):
    r = rng.standard_normal
    return [Sample((r((4,)), r((4,)))), Sample((r((2, 3)), r((4, 3)))),
            Sample((r((2, 2, 3)), r((3,)))), Sample((r(()), r((2, 3))))]


def _addmm(rng):
    r = rng.standard_normal
    return [Sample((r((3, 5)), r((3, 4)), r((4, 5)))),
            Sample((r((5,)), r((3, 4)), r((4, 5))), {"beta": 0.5, "alpha": 2.0}),
            Sample((r((3, 1)), r((3, 4)), r((4, 5))), {"beta": 0}),
            Sample((r(()), r((3, 4)), r((4, 5))), {"alpha": -1}),
            Sample((r((3, 5)), r((3, 4)), r((4, 5))), noncontig=True)]


def _addmv(rng):
    r = rng.standard_normal
    return [Sample((r((3,)), r((3, 4)), r((4,)))),
            Sample((r(()), r((3, 4)), r((4,))), {"beta": 2, "alpha": 0.5}),
            Sample((r((3,)), r((3, 4)), r((4,))), {"beta": 0})]


def _addr(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), r((3,)), r((4,)))),
            Sample((r((4,)), r((3,)), r((4,))), {"beta": 0.5, "alpha": 3})]


def _baddbmm(rng):
    r = rng.standard_normal
    return [Sample((r((2, 3, 5)), r((2, 3, 4)), r((2, 4, 5)))),
            Sample((r((3, 5)), r((2, 3, 4)), r((2, 4, 5))), {"beta": 0.5, "alpha": 2})]


def _addbmm(rng):
    r = rng.standard_normal
    return [Sample((r((3, 5)), r((2, 3, 4)), r((2, 4, 5)))),
            Sample((r((5,)), r((2, 3, 4)), r((2, 4, 5))), {"beta": 0, "alpha": 2})]


def _einsum(rng):
    r = rng.standard_normal
    return [Sample(("ij,jk->ik", r((2, 3)), r((3, 4)))),
            Sample(("ij,jk", r((2, 3)), r((3, 4)))),
            Sample(("ba,ab", r((2, 3)), r((3, 2)))),
            Sample(("ii->", r((3, 3)))), Sample(("ii->i", r((3, 3)))),
            Sample(("iij->j", r((3, 3, 2)))), Sample(("ij->", r((2, 3)))),
            Sample(("ij->ji", r((2, 3)))), Sample(("i,j->ij", r((2,)), r((3,)))),
            Sample(("ij,ij->ij", r((2, 3)), r((2, 3)))),
            Sample(("bij,bjk->bik", r((2, 2, 3)), r((2, 3, 4)))),
            Sample(("...ij,...jk", r((2, 1, 2, 3)), r((5, 3, 4)))),
            Sample(("i...->...", r((2, 3, 4)))), Sample(("i...j->j...i", r((2, 3, 4, 5)))),
            Sample(("...ii->...i", r((2, 3, 3)))), Sample(("bii,bj->bij", r((2, 3, 3)), r((1, 4)))),
            Sample(("ij,jk->ik", r((2, 1)), r((4, 3)))),
            Sample(("ij,jk,kl->il", r((2, 3)), r((3, 4)), r((4, 2)))),
            Sample(("i,i->", r((4,)), r((4,)))), Sample((",ij->ij", r(()), r((2, 3)))),
            Sample(("ij,jk->ik", r((2, 3)), r((3, 4))), noncontig=True)]


def _tensordot(rng):
    r = rng.standard_normal
    return [Sample((r((2, 3, 4)), r((3, 4, 5)))), Sample((r((2, 3)), r((3, 4))), {"dims": 1}),
            Sample((r((2, 3, 4)), r((4, 3, 5))), {"dims": ([1, 2], [1, 0])}),
            Sample((r((2, 3)), r((4, 5))), {"dims": 0})]


def _kron(rng):
    r = rng.standard_normal
    return [Sample((r((2, 3)), r((4, 2)))), Sample((r((2, 3)), r((4,)))),
            Sample((r((2, 1, 2)), r((3, 2))))]


def _trace(rng):
    r = rng.standard_normal
    return [Sample((r((3, 3)),)), Sample((r((2, 4)),)), Sample((r((3, 3)),), noncontig=True)]


def _cross(rng):
    r = rng.standard_normal
    return [Sample((r((4, 3)), r((4, 3))), {"dim": 1}), Sample((r((3, 2)), r((3, 2))), {"dim": 0}),
            Sample((r((2, 1, 3)), r((1, 4, 3))), {"dim": -1})]


def _linalg_cross(rng):
    r = rng.standard_normal
    return [Sample((r((4, 3)), r((4, 3)))), Sample((r((3, 2)), r((3, 2))), {"dim": 0}),
            Sample((r((2, 1, 3)), r((1, 4, 3))))]


def _square(rng, pd=False, batch=True):
    gen = _pd if pd else _wellcond
    out = [Sample((gen(rng, 3, 3),)), Sample((gen(rng, 1, 1),))]
    if batch:
        out += [Sample((gen(rng, 2, 3, 3),)), Sample((gen(rng, 2, 1, 2, 2),)),
                Sample((gen(rng, 3, 3),), noncontig=True)]
    return out


def _power(rng):
    return [Sample((_wellcond(rng, 3, 3) / 3, 3)), Sample((_wellcond(rng, 2, 3, 3) / 3, 2)),
            Sample((_wellcond(rng, 3, 3), -2)), Sample((_wellcond(rng, 3, 3), 1))]


def _solve(rng):
    r = rng.standard_normal
    A = lambda *s: _wellcond(rng, *s)  # noqa: E731
    return [Sample((A(3, 3), r((3,)))), Sample((A(3, 3), r((3, 2)))),
            Sample((A(2, 3, 3), r((2, 3)))), Sample((A(2, 3, 3), r((3,)))),
            Sample((A(2, 3, 3), r((3, 2)))), Sample((A(3, 3), r((2, 3, 4)))),
            Sample((A(2, 3, 3), r((4, 1, 3, 2)))),
            Sample((A(2, 3, 3), r((5, 3))), {"left": False}),
            Sample((A(3, 3), r((3, 2))), noncontig=True)]


def _rect(rng):
    r = rng.standard_normal
    return [Sample((r((4, 3)),)), Sample((r((3, 5)),)), Sample((r((2, 4, 3)),)),
            Sample((r((3, 3)),)), Sample((r((4, 3)),), noncontig=True)]


def _qr(rng):
    r = rng.standard_normal
    return [Sample((r((4, 3)),)), Sample((r((3, 5)),)), Sample((r((2, 4, 3)),)),
            Sample((r((3, 3)),)), Sample((r((3, 5)),), {"mode": "complete"}),
            Sample((r((4, 3)),), noncontig=True)]


def _vnorm(rng):
    r = rng.standard_normal
    x = r((3, 4))
    return [Sample((x,)), Sample((x, 1)), Sample((x, inf)), Sample((x, -inf)), Sample((x, 0)),
            Sample((x, 3)), Sample((x, 1.5)), Sample((x, 0.5)), Sample((x, -1)),
            Sample((x,), {"dim": 1}), Sample((x, 2, (0, 1), True)),
            Sample((r((2, 3, 4)), inf, (0, 2))), Sample((r((2, 3, 4)), 1, -1, True)),
            Sample((r(()),)), Sample((np.zeros((3,)),)), Sample((np.zeros((2, 3)), 2, 1)),
            Sample((np.array([1.0, -3.0, 3.0]), inf)), Sample((r((0, 3)), 2, 0)),
            *[Sample((np.zeros((2, 3)), o, 1)) for o in (1, inf, -inf, 3, 1.5, 0.5, 0)],
            Sample((x,), noncontig=True)]


def _mnorm(rng):
    r = rng.standard_normal
    x = r((3, 4))
    out = [Sample((x, o)) for o in ("fro", "nuc", inf, -inf, 1, -1, 2, -2)]
    return out + [Sample((r((2, 3, 3)), "fro", (0, 2))), Sample((r((2, 3, 4)), 2, (-1, -2), True)),
                  Sample((r((2, 3, 4)), 1, (0, 1), True)), Sample((r((2, 3, 4)), "nuc"))]


def _norm(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)),)), Sample((r((3, 4)), "fro")), Sample((r((3, 4)), 2)),
            Sample((r((4,)), 3)), Sample((r((2, 3, 4)), None, (1, 2))),
            Sample((r((2, 3, 4)), inf, 1)), Sample((r((2, 3, 4)),), {"dim": -1, "keepdim": True})]


def _pinv(rng):
    r = rng.standard_normal
    return [Sample((r((4, 3)),)), Sample((r((3, 5)),)), Sample((r((2, 3, 3)),)),
            Sample((r((4, 3)),), {"rtol": 1e-3}), Sample((r((4, 3)),), {"atol": 1e-3})]


def _multi_dot(rng):
    r = rng.standard_normal
    return [Sample(((r((2, 3)), r((3, 10)), r((10, 2))),)),
            Sample(((r((3,)), r((3, 4)), r((4,))),)),
            Sample(((r((3,)), r((3, 4)), r((4, 2)), r((2, 5))),)),
            Sample(((r((3, 4)), r((4,))),))]


def _multi_dot_wrap(fn):
    # the list of matrices must be passed as one list of tensors
    return lambda *ts: fn(list(ts))


def _multi_samples(rng):
    return [Sample(tuple(s.args[0])) for s in _multi_dot(rng)]


def _vecdot(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), r((3, 4)))), Sample((r((2, 1, 4)), r((3, 4)))),
            Sample((r((3, 4)), r((3, 4))), {"dim": 0})]


def _matrix_exp(rng):
    r = rng.standard_normal
    return [Sample((r((3, 3)) * 0.5,)), Sample((r((2, 2, 2)),)), Sample((r((3, 3)) * 3,))]


# gauge-invariant views of the decompositions
_W = np.linspace(0.5, 2.0, 3)


def _svd_recon(lib):
    def f(a):
        U, S, Vh = lib.linalg.svd(a, full_matrices=False)
        w = lib.tensor(np.linspace(0.5, 2.0, S.shape[-1]), dtype=a.dtype)
        return (U * w) @ Vh, S, U * U, Vh * Vh
    return f


def _svd_full(lib):
    # only the first k = min(m, n) singular vectors enter the gradient (torch's convention):
    # weight the extra columns by 0
    def f(a):
        U, S, Vh = lib.linalg.svd(a)
        m, n, k = U.shape[-1], Vh.shape[-1], S.shape[-1]
        wu = lib.tensor(np.r_[np.linspace(0.5, 2.0, k), np.zeros(m - k)], dtype=a.dtype)
        wv = lib.tensor(np.r_[np.linspace(1.0, 3.0, k), np.zeros(n - k)], dtype=a.dtype)
        return S, (U * wu) @ U.mT, (Vh.mT * wv) @ Vh
    return f


def _svd_u_only(lib):
    return lambda a: (lambda U: U * U)(lib.linalg.svd(a, full_matrices=False)[0])


def _svd_vh_only(lib):
    return lambda a: (lambda V: V * V)(lib.linalg.svd(a, full_matrices=False)[2])


def _eigh(lib, uplo="L"):
    def f(a):
        L, V = lib.linalg.eigh(_sym(a), UPLO=uplo)
        w = lib.tensor(np.linspace(0.5, 2.0, L.shape[-1]), dtype=a.dtype)
        return L, V * V, (V * w) @ V.mT
    return f


def _svd_old(lib):
    def f(a):
        U, S, V = lib.svd(a, some=True)
        w = lib.tensor(np.linspace(0.5, 2.0, S.shape[-1]), dtype=a.dtype)
        return S, (U * w) @ V.mT
    return f


def both(name, ef, tf, samples, f32_rtol=1e-4, f32_atol=1e-4, **kw):
    """A float64 entry at the default tolerance and a float32 entry at a looser one."""
    return [OpInfo(name, ef, tf, samples, dtypes=("float64",), **kw),
            OpInfo(name + "_f32", ef, tf, samples, dtypes=("float32",), rtol=f32_rtol,
                   atol=f32_atol, **kw)]


E, T = ember, torch
OPS = [
    OpInfo("matmul", E.matmul, T.matmul, _matmul),
    OpInfo("matmul_op", lambda a, b: a @ b, lambda a, b: a @ b, _matmul),
    OpInfo("mm", E.mm, T.mm, _mm), OpInfo("bmm", E.bmm, T.bmm, _bmm),
    OpInfo("mv", E.mv, T.mv, _mv), OpInfo("dot", E.dot, T.dot, _vv),
    OpInfo("vdot", E.vdot, T.vdot, _vv), OpInfo("inner", E.inner, T.inner, _inner),
    OpInfo("outer", E.outer, T.outer, _vv), OpInfo("ger", E.ger, T.ger, _vv),
    OpInfo("addmm", E.addmm, T.addmm, _addmm), OpInfo("addmv", E.addmv, T.addmv, _addmv),
    OpInfo("addr", E.addr, T.addr, _addr), OpInfo("baddbmm", E.baddbmm, T.baddbmm, _baddbmm),
    OpInfo("addbmm", E.addbmm, T.addbmm, _addbmm),
    OpInfo("einsum", E.einsum, T.einsum, _einsum),
    OpInfo("einsum_list", lambda eq, *ops: E.einsum(eq, list(ops)),
           lambda eq, *ops: T.einsum(eq, list(ops)), _einsum),
    OpInfo("einsum_sublist", lambda a, b: E.einsum(a, [0, 1], b, [1, 2], [0, 2]),
           lambda a, b: T.einsum(a, [0, 1], b, [1, 2], [0, 2]),
           lambda rng: [Sample((rng.standard_normal((2, 3)), rng.standard_normal((3, 4))))]),
    OpInfo("tensordot", E.tensordot, T.tensordot, _tensordot),
    OpInfo("kron", E.kron, T.kron, _kron), OpInfo("trace", E.trace, T.trace, _trace),
    OpInfo("cross", E.cross, T.cross, _cross),
    OpInfo("linalg.cross", E.linalg.cross, T.linalg.cross, _linalg_cross),
    OpInfo("chain_matmul", E.chain_matmul, T.chain_matmul,
           lambda rng: [Sample(tuple(rng.standard_normal(s) for s in ((2, 3), (3, 4), (4, 2))))]),
    OpInfo("multi_dot", _multi_dot_wrap(E.linalg.multi_dot), _multi_dot_wrap(T.linalg.multi_dot),
           _multi_samples),
    OpInfo("vecdot", E.linalg.vecdot, T.linalg.vecdot, _vecdot),
    OpInfo("linalg.matmul", E.linalg.matmul, T.linalg.matmul, _mm),
    *both("matrix_power", E.matrix_power, T.matrix_power, _power),
    *both("linalg.matrix_power", E.linalg.matrix_power, T.linalg.matrix_power, _power),
    *both("det", E.det, T.det, lambda rng: _square(rng)),
    *both("linalg.det", E.linalg.det, T.linalg.det, lambda rng: _square(rng)),
    *both("logdet", E.logdet, T.logdet, lambda rng: _square(rng, pd=True)),
    *both("slogdet", E.slogdet, T.slogdet, lambda rng: _square(rng)),
    *both("linalg.slogdet", E.linalg.slogdet, T.linalg.slogdet, lambda rng: _square(rng)),
    *both("inverse", E.inverse, T.inverse, lambda rng: _square(rng)),
    *both("linalg.inv", E.linalg.inv, T.linalg.inv, lambda rng: _square(rng)),
    *both("linalg.inv_ex", lambda a: E.linalg.inv_ex(a).inverse,
          lambda a: T.linalg.inv_ex(a).inverse, lambda rng: _square(rng, batch=False)),
    *both("linalg.solve", E.linalg.solve, T.linalg.solve, _solve),
    *both("cholesky", lambda a, **k: E.cholesky(_sym(a), **k),
          lambda a, **k: T.cholesky(_sym(a), **k),
          lambda rng: _square(rng, pd=True) + [Sample((_pd(rng, 3, 3),), {"upper": True})]),
    *both("linalg.cholesky", lambda a, **k: E.linalg.cholesky(_sym(a), **k),
          lambda a, **k: T.linalg.cholesky(_sym(a), **k),
          lambda rng: _square(rng, pd=True) + [Sample((_pd(rng, 2, 3, 3),), {"upper": True})]),
    *both("linalg.cholesky_ex", lambda a: E.linalg.cholesky_ex(_sym(a)).L,
          lambda a: T.linalg.cholesky_ex(_sym(a)).L, lambda rng: _square(rng, pd=True,
                                                                         batch=False)),
    *both("cholesky_solve", E.cholesky_solve, T.cholesky_solve,
          lambda rng: [Sample((rng.standard_normal((3, 2)), np.linalg.cholesky(_pd(rng, 3, 3))))]),
    *both("cholesky_inverse", E.cholesky_inverse, T.cholesky_inverse,
          lambda rng: [Sample((np.linalg.cholesky(_pd(rng, 3, 3)),))]),
    *both("linalg.qr", E.linalg.qr, T.linalg.qr, _qr),
    *both("qr", E.qr, T.qr, lambda rng: [Sample((rng.standard_normal((4, 3)),)),
                                         Sample((rng.standard_normal((3, 4)),), {"some": False})]),
    *both("linalg.svd", _svd_recon(E), _svd_recon(T), _rect),
    *both("linalg.svd_full", _svd_full(E), _svd_full(T),
          lambda rng: [Sample((rng.standard_normal((4, 3)),)),
                       Sample((rng.standard_normal((2, 3, 5)),))]),
    *both("linalg.svd_U", _svd_u_only(E), _svd_u_only(T), _rect),
    *both("linalg.svd_Vh", _svd_vh_only(E), _svd_vh_only(T), _rect),
    *both("svd", _svd_old(E), _svd_old(T), _rect),
    *both("linalg.svdvals", E.linalg.svdvals, T.linalg.svdvals, _rect),
    *both("linalg.eigh", _eigh(E), _eigh(T), lambda rng: _square(rng)),
    *both("linalg.eigh_U", _eigh(E, "U"), _eigh(T, "U"), lambda rng: _square(rng, batch=False)),
    *both("linalg.eigvalsh", lambda a: E.linalg.eigvalsh(_sym(a)),
          lambda a: T.linalg.eigvalsh(_sym(a)), lambda rng: _square(rng)),
    *both("linalg.pinv", E.linalg.pinv, T.linalg.pinv, _pinv),
    *both("linalg.pinv_hermitian", lambda a: E.linalg.pinv(_sym(a), hermitian=True),
          lambda a: T.linalg.pinv(_sym(a), hermitian=True),
          lambda rng: [Sample((_pd(rng, 3, 3),)), Sample((rng.standard_normal((2, 3, 3)),))]),
    *both("pinverse", E.pinverse, T.pinverse, _rect),
    *both("linalg.matrix_exp", E.linalg.matrix_exp, T.linalg.matrix_exp, _matrix_exp),
    *both("matrix_exp", E.matrix_exp, T.matrix_exp, _matrix_exp),
    *both("linalg.cond", E.linalg.cond, T.linalg.cond,
          lambda rng: [Sample((_wellcond(rng, 3, 3),)), Sample((_wellcond(rng, 3, 3), -2)),
                       Sample((rng.standard_normal((2, 4, 3)),))]),
    # torch's own backward fails for these orders (it modifies inv_ex's output in place)
    OpInfo("linalg.cond_p", E.linalg.cond, T.linalg.cond,
           lambda rng: [Sample((_wellcond(rng, 3, 3), "fro")), Sample((_wellcond(rng, 3, 3), 1)),
                        Sample((_wellcond(rng, 2, 3, 3), -inf)),
                        Sample((_wellcond(rng, 3, 3), "nuc"))], grad=False),
    OpInfo("linalg.qr_complete_tall", E.linalg.qr, T.linalg.qr,
           lambda rng: [Sample((rng.standard_normal((4, 3)),), {"mode": "complete"}),
                        Sample((rng.standard_normal((4, 3)),), {"mode": "r"})], grad=False),
    OpInfo("linalg.matrix_rank", E.linalg.matrix_rank, T.linalg.matrix_rank,
           lambda rng: [Sample((rng.standard_normal((4, 3)),)),
                        Sample((rng.standard_normal((4, 2)) @ rng.standard_normal((2, 5)),)),
                        Sample((_pd(rng, 3, 3),), {"hermitian": True}),
                        Sample((rng.standard_normal((2, 3, 3)),), {"atol": 0.5})], grad=False),
    *both("linalg.lstsq", lambda a, b, **k: E.linalg.lstsq(a, b, **k)[:2],
          lambda a, b, **k: T.linalg.lstsq(a, b, **k)[:2],
          lambda rng: [Sample((rng.standard_normal((5, 3)), rng.standard_normal((5, 2)))),
                       Sample((rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 5)))),
                       Sample((rng.standard_normal((5, 3)), rng.standard_normal((5, 2))),
                              {"driver": "gels"}),
                       Sample((rng.standard_normal((5, 3)), rng.standard_normal((5,))),
                              {"driver": "gelsd"}),
                       Sample((rng.standard_normal((3, 5)), rng.standard_normal((3, 2))),
                              {"driver": "gelsd"})]),
    OpInfo("linalg.lstsq_extra", lambda a, b, **k: E.linalg.lstsq(a, b, **k)[2:],
           lambda a, b, **k: T.linalg.lstsq(a, b, **k)[2:],
           lambda rng: [Sample((rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 5, 2))),
                               {"driver": d}) for d in ("gels", "gelsy", "gelsd", "gelss")]
           + [Sample((rng.standard_normal((5, 2)) @ rng.standard_normal((2, 3)),
                      rng.standard_normal((5, 2))), {"driver": "gelsd"})], grad=False),
    OpInfo("linalg.vector_norm", E.linalg.vector_norm, T.linalg.vector_norm, _vnorm),
    *both("linalg.matrix_norm", E.linalg.matrix_norm, T.linalg.matrix_norm, _mnorm),
    *both("linalg.norm", E.linalg.norm, T.linalg.norm, _norm),
]


def _cases_by_dtype(ops):
    """(op, sample, dtype) for the dtypes each entry declares (no empty combinations)."""
    return [pytest.param(*p.values, dt, id=f"{p.id}-{dt}") for p in cases(ops)
            for dt in p.values[0].dtypes]


@pytest.mark.parametrize("op,sample,dtype", _cases_by_dtype(OPS))
def test_op(op, sample, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch.cross without dim, chain_matmul
        run_generic(op, sample, dtype)


# ---------------------------------------------------------------- batching rules of matmul
@settings(max_examples=40, deadline=None)
@given(st.data())
def test_matmul_shapes_hypothesis(data):
    """Random 1-D/2-D/N-D operands with broadcastable (or not) batch dims: same shape, values
    and gradients as torch, or the same error."""
    nd_a = data.draw(st.integers(1, 4))
    nd_b = data.draw(st.integers(1, 4))
    dim = st.integers(1, 3)
    k = data.draw(dim)
    batch = [data.draw(dim) for _ in range(2)]
    sa = [data.draw(st.sampled_from([1, b])) for b in batch[:max(nd_a - 2, 0)]] + \
        ([data.draw(dim)] if nd_a >= 2 else []) + [k]
    kb = data.draw(st.sampled_from([k, k, k, k + 1]))    # sometimes a mismatch
    sb = [data.draw(st.sampled_from([1, b, b + 1])) for b in batch[:max(nd_b - 2, 0)]] + \
        [kb] + ([data.draw(dim)] if nd_b >= 2 else [])
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    ea, eb = ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)
    try:
        tout = ta @ tb
    except RuntimeError:
        with pytest.raises(RuntimeError):
            ea @ eb
        return
    eout = ea @ eb
    assert_close(eout, tout, 1e-10, 1e-10, "matmul")
    w = rng.standard_normal(tuple(tout.shape))
    (tout * torch.tensor(w)).sum().backward()
    (eout * ember.tensor(w)).sum().backward()
    assert_close(ea.grad, ta.grad, 1e-10, 1e-10, "grad a")
    assert_close(eb.grad, tb.grad, 1e-10, 1e-10, "grad b")


MATMUL_ERRORS = [((2, 3), (4, 5)), ((3,), (4,)), ((3,), (4, 5)), ((2, 3), (4,)),
                 ((2, 2, 3), (2, 4, 5)), ((2, 2, 3), (3, 4, 3, 5)), ((2, 3), (4, 4, 5)),
                 ((4,), (2, 3, 5)), ((2, 3, 4), (3,)), ((), (3,)), ((2, 2, 3), (4, 5))]


@pytest.mark.parametrize("sa,sb", MATMUL_ERRORS)
def test_matmul_errors_match_torch(sa, sb):
    with pytest.raises(RuntimeError) as t_err:
        torch.matmul(torch.zeros(sa), torch.zeros(sb))
    with pytest.raises(type(t_err.value)) as e_err:
        ember.matmul(ember.zeros(sa), ember.zeros(sb))
    assert str(e_err.value) == str(t_err.value)


# ---------------------------------------------------------------- errors as torch
def _z(*s, dtype="float32"):
    return np.zeros(s, dtype=dtype)


def _pair(arr):
    return ember.from_numpy(np.array(arr)), torch.from_numpy(np.array(arr))


ERRORS = [
    ("mm 3-D", lambda L: L.mm(_t(L, _z(2, 3, 1)), _t(L, _z(4, 5)))),
    ("mm mat2 1-D", lambda L: L.mm(_t(L, _z(2, 3)), _t(L, _z(5)))),
    ("mm dtype", lambda L: L.mm(_t(L, _z(2, 3)), _t(L, _z(3, 4, dtype="float64")))),
    ("matmul int/float", lambda L: L.matmul(_t(L, _z(2, 3, dtype="int32")), _t(L, _z(3, 4)))),
    ("matmul bool", lambda L: L.matmul(_t(L, _z(2, 3, dtype="bool")),
                                       _t(L, _z(3, 4, dtype="bool")))),
    ("bmm 2-D", lambda L: L.bmm(_t(L, _z(2, 3)), _t(L, _z(4, 5)))),
    ("bmm batch", lambda L: L.bmm(_t(L, _z(2, 2, 3)), _t(L, _z(3, 3, 5)))),
    ("mv", lambda L: L.mv(_t(L, _z(2, 3)), _t(L, _z(4)))),
    ("mv 2-D vec", lambda L: L.mv(_t(L, _z(2, 3)), _t(L, _z(3, 1)))),
    ("dot size", lambda L: L.dot(_t(L, _z(2)), _t(L, _z(3)))),
    ("dot 2-D", lambda L: L.dot(_t(L, _z(2, 1)), _t(L, _z(2)))),
    ("dot dtype", lambda L: L.dot(_t(L, _z(2)), _t(L, _z(2, dtype="float64")))),
    ("outer 2-D", lambda L: L.outer(_t(L, _z(2, 3)), _t(L, _z(4)))),
    ("inner", lambda L: L.inner(_t(L, _z(2, 3)), _t(L, _z(4, 4)))),
    ("addmm mat1", lambda L: L.addmm(_t(L, _z(2, 4)), _t(L, _z(2, 3, 1)), _t(L, _z(3, 4)))),
    ("addmm shapes", lambda L: L.addmm(_t(L, _z(2, 4)), _t(L, _z(2, 3)), _t(L, _z(4, 4)))),
    ("addmm input", lambda L: L.addmm(_t(L, _z(3, 1)), _t(L, _z(2, 3)), _t(L, _z(3, 4)))),
    ("addmv", lambda L: L.addmv(_t(L, _z(3)), _t(L, _z(2, 3)), _t(L, _z(3)))),
    ("addr", lambda L: L.addr(_t(L, _z(2, 3)), _t(L, _z(2)), _t(L, _z(3, 1)))),
    ("baddbmm", lambda L: L.baddbmm(_t(L, _z(2, 3, 4)), _t(L, _z(2, 3, 5)), _t(L, _z(3, 5, 4)))),
    ("einsum dtype", lambda L: L.einsum("ij,jk", _t(L, _z(2, 3)),
                                        _t(L, _z(3, 4, dtype="float64")))),
    ("einsum sizes", lambda L: L.einsum("ij,jk", _t(L, _z(2, 3)), _t(L, _z(4, 4)))),
    ("einsum few", lambda L: L.einsum("ij,jk", _t(L, _z(2, 3)))),
    ("einsum many", lambda L: L.einsum("i,i", _t(L, _z(2)), _t(L, _z(2)), _t(L, _z(2)))),
    ("einsum diag", lambda L: L.einsum("ii", _t(L, _z(2, 3)))),
    ("einsum out twice", lambda L: L.einsum("i->ii", _t(L, _z(2)))),
    ("einsum out unknown", lambda L: L.einsum("i->j", _t(L, _z(2)))),
    ("einsum ndim", lambda L: L.einsum("ij", _t(L, _z(2)))),
    ("tensordot", lambda L: L.tensordot(_t(L, _z(2, 3)), _t(L, _z(4, 4)), dims=1)),
    ("trace 3-D", lambda L: L.trace(_t(L, _z(2, 3, 4)))),
    ("cross len", lambda L: L.linalg.cross(_t(L, _z(3, 2)), _t(L, _z(3, 2)))),
    ("matrix_power", lambda L: L.matrix_power(_t(L, _z(2, 3)), 2)),
    ("det square", lambda L: L.linalg.det(_t(L, _z(2, 3)))),
    ("det 1-D", lambda L: L.linalg.det(_t(L, _z(3)))),
    ("det int", lambda L: L.linalg.det(_t(L, _z(3, 3, dtype="int64")))),
    ("inv singular", lambda L: L.linalg.inv(_t(L, _z(3, 3)))),
    ("inv singular batch", lambda L: L.linalg.inv(_t(L, np.stack([np.eye(3), np.zeros((3, 3))])))),
    ("inverse singular", lambda L: L.inverse(_t(L, np.array([[1.0, 2.0], [2.0, 4.0]])))),
    ("inv non-square", lambda L: L.linalg.inv(_t(L, _z(2, 3)))),
    ("solve singular", lambda L: L.linalg.solve(_t(L, _z(3, 3)), _t(L, _z(3)))),
    ("solve shapes", lambda L: L.linalg.solve(_t(L, np.eye(3)), _t(L, _z(4, dtype="float64")))),
    ("solve left", lambda L: L.linalg.solve(_t(L, np.eye(3)[None].repeat(2, 0)),
                                            _t(L, _z(3, 2, dtype="float64")), left=False)),
    ("solve left vector", lambda L: L.linalg.solve(_t(L, np.eye(3)), _t(L, np.ones(3)),
                                                   left=False)),
    ("solve dtype", lambda L: L.linalg.solve(_t(L, np.eye(3)), _t(L, _z(3)))),
    ("cholesky not PD", lambda L: L.linalg.cholesky(_t(L, -np.eye(3)))),
    ("cholesky batch", lambda L: L.linalg.cholesky(_t(L, np.stack([np.eye(3), -np.eye(3)])))),
    ("cholesky top", lambda L: L.cholesky(_t(L, np.array([[1.0, 2.0], [2.0, 1.0]])))),
    ("qr mode", lambda L: L.linalg.qr(_t(L, _z(3, 3)), mode="abc")),
    ("eigh non-square", lambda L: L.linalg.eigh(_t(L, _z(2, 3, 4)))),
    ("vector_norm int", lambda L: L.linalg.vector_norm(_t(L, _z(3, dtype="int64")))),
    ("vector_norm inf empty", lambda L: L.linalg.vector_norm(_t(L, _z(0, 3)), inf)),
    ("vector_norm inf empty dim", lambda L: L.linalg.vector_norm(_t(L, _z(0, 3)), inf, 0)),
    ("matrix_norm 1-D", lambda L: L.linalg.matrix_norm(_t(L, _z(3)))),
    ("matrix_norm ord", lambda L: L.linalg.matrix_norm(_t(L, _z(3, 3)), 3)),
    ("matrix_norm str", lambda L: L.linalg.matrix_norm(_t(L, _z(3, 3)), "abc")),
    ("matrix_norm dim", lambda L: L.linalg.matrix_norm(_t(L, _z(3, 3)), "fro", (0,))),
    ("norm 3-D ord", lambda L: L.linalg.norm(_t(L, _z(2, 3, 3)), 2)),
    ("multi_dot one", lambda L: L.linalg.multi_dot([_t(L, _z(3))])),
    ("multi_dot 1-D mid", lambda L: L.linalg.multi_dot([_t(L, _z(3)), _t(L, _z(3)),
                                                        _t(L, _z(3, 2))])),
    ("vecdot dtype", lambda L: L.linalg.vecdot(_t(L, _z(3)), _t(L, _z(3, dtype="float64")))),
]


def _t(L, arr):
    return torch.from_numpy(np.array(arr)) if L is torch else ember.from_numpy(np.array(arr))


@pytest.mark.parametrize("name,call", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_torch(name, call):
    with pytest.raises(Exception) as t_err:
        call(torch)
    expected = type(t_err.value)
    if expected.__name__ == "_LinAlgError":
        expected = ember.linalg.LinAlgError
    with pytest.raises(expected) as e_err:
        call(ember)
    if expected is ember.linalg.LinAlgError or name.startswith(("mm", "bmm", "mv", "dot")):
        assert str(e_err.value).split(": ", 1)[-1] == str(t_err.value).split(": ", 1)[-1]


def test_vector_norm_dtype_and_keepdim():
    x = np.random.default_rng(0).standard_normal((3, 4)).astype("float32")
    e = ember.linalg.vector_norm(ember.tensor(x, requires_grad=True), 3, 0, True,
                                 dtype=ember.float64)
    t = torch.linalg.vector_norm(torch.tensor(x, requires_grad=True), 3, 0, True,
                                 dtype=torch.float64)
    assert_close(e, t, 1e-12, 1e-12)
    m = ember.linalg.matrix_norm(ember.tensor(x), "nuc", dtype=ember.float64)
    assert_close(m, torch.linalg.matrix_norm(torch.tensor(x), "nuc", dtype=torch.float64),
                 1e-10, 1e-10)


def test_linalg_error_is_runtime_error():
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)
    with pytest.raises(RuntimeError):
        ember.linalg.inv(ember.zeros(2, 2))


def test_qr_backward_errors_as_torch():
    a = np.random.default_rng(0).standard_normal((4, 3))
    for lib in (torch, ember):
        x = _t(lib, a).requires_grad_()
        with pytest.raises(RuntimeError):
            lib.linalg.qr(x, mode="r")[1].sum().backward()
        x = _t(lib, a).requires_grad_()
        with pytest.raises(RuntimeError):
            lib.linalg.qr(x, mode="complete")[0].sum().backward()


def test_qr_mode_r_matches_reduced_R():
    a = np.random.default_rng(0).standard_normal((2, 5, 3))
    Q, R = ember.linalg.qr(ember.tensor(a), mode="r")
    tQ, tR = torch.linalg.qr(torch.tensor(a), mode="r")
    assert tuple(Q.shape) == tuple(tQ.shape)
    assert_close(R, tR, 1e-10, 1e-10, "R")


def test_inv_ex_and_cholesky_ex_info():
    a = np.stack([np.eye(3), np.zeros((3, 3))])
    e, t = ember.linalg.inv_ex(ember.tensor(a)), torch.linalg.inv_ex(torch.tensor(a))
    np.testing.assert_array_equal(e.info.numpy(), t.info.numpy())
    assert_close(e.inverse[0], t.inverse[0], 1e-12, 1e-12)
    b = np.stack([np.eye(3), np.diag([1.0, -1.0, 1.0])])
    e, t = ember.linalg.cholesky_ex(ember.tensor(b)), torch.linalg.cholesky_ex(torch.tensor(b))
    np.testing.assert_array_equal(e.info.numpy(), t.info.numpy())
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.cholesky_ex(ember.tensor(b), check_errors=True)


def test_singular_det_and_logdet_as_torch():
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    ea, ta = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ember.linalg.det(ea).backward()
    torch.linalg.det(ta).backward()
    assert_close(ea.grad, ta.grad, 1e-10, 1e-10, "det grad at a singular matrix")
    for m in (np.array([[1.0, 2.0], [2.0, 4.0]]), -np.eye(3), np.eye(2), np.diag([1.0, -2.0])):
        assert_close(ember.logdet(ember.tensor(m)), torch.logdet(torch.tensor(m)), 1e-12, 1e-12)


def test_namedtuples():
    a = ember.tensor(_pd(np.random.default_rng(0), 3, 3))
    assert ember.linalg.slogdet(a).sign.item() == 1.0
    assert ember.linalg.eigh(a).eigenvalues.shape == (3,)
    assert ember.linalg.svd(a).Vh.shape == (3, 3)
    assert ember.linalg.qr(a).R.shape == (3, 3)
    assert ember.svd(a).V.shape == (3, 3)


def test_beta_zero_ignores_nan():
    inp = np.full((2, 2), np.nan)
    a, b = np.ones((2, 3)), np.ones((3, 2))
    e = ember.addmm(_t(ember, inp), _t(ember, a), _t(ember, b), beta=0)
    t = torch.addmm(_t(torch, inp), _t(torch, a), _t(torch, b), beta=0)
    assert_close(e, t, 0, 0)


@pytest.mark.parametrize("name", ["addmm_", "addmv_", "addr_", "baddbmm_", "addbmm_"])
def test_inplace_variants(name):
    rng = np.random.default_rng(0)
    shapes = {"addmm_": ((3, 5), (3, 4), (4, 5)), "addmv_": ((3,), (3, 4), (4,)),
              "addr_": ((3, 4), (3,), (4,)), "baddbmm_": ((2, 3, 5), (2, 3, 4), (2, 4, 5)),
              "addbmm_": ((3, 5), (2, 3, 4), (2, 4, 5))}[name]
    arrs = [rng.standard_normal(s) for s in shapes]
    e = [_t(ember, x) for x in arrs]
    t = [_t(torch, x) for x in arrs]
    getattr(e[0], name)(e[1], e[2], beta=0.5, alpha=2)
    getattr(t[0], name)(t[1], t[2], beta=0.5, alpha=2)
    assert_close(e[0], t[0], 1e-12, 1e-12, name)


def test_tensor_methods_and_rmatmul():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 3)) + 3 * np.eye(3), rng.standard_normal((3, 3))
    ea, ta = _t(ember, a), _t(torch, a)
    for name in ("det", "inverse", "logdet", "trace", "pinverse", "matrix_exp"):
        assert_close(getattr(ea, name)(), getattr(ta, name)(), 1e-9, 1e-9, name)
    assert_close(ea.matrix_power(3), ta.matrix_power(3), 1e-9, 1e-9)
    assert_close(ea.mm(_t(ember, b)), ta.mm(_t(torch, b)), 1e-12, 1e-12)
    assert_close(b @ ea, b @ ta.numpy(), 1e-12, 1e-12, "ndarray @ Tensor")
    assert_close(ea.kron(_t(ember, b)), ta.kron(_t(torch, b)), 1e-12, 1e-12)


def test_cross_default_dim_warns_like_torch():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    with pytest.warns(UserWarning):
        e = ember.cross(_t(ember, a), _t(ember, b))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.cross(_t(torch, a), _t(torch, b))
    assert_close(e, t, 1e-12, 1e-12)


def test_matmul_skips_unneeded_grad():
    """The data batch of a linear layer gets no gradient computed (needs_input_grad)."""
    from ember.ops.linalg import Matmul
    calls = []
    x = ember.tensor(np.ones((4, 3)))
    w = ember.tensor(np.ones((3, 2)), requires_grad=True)
    out = x @ w
    assert isinstance(out.grad_fn, Matmul)
    assert out.grad_fn.needs_input_grad == (False, True)
    orig = Matmul.backward

    def spy(ctx, g):
        res = orig(ctx, g)
        calls.append(res)
        return res
    Matmul.backward = staticmethod(spy)
    try:
        out.sum().backward()
    finally:
        Matmul.backward = staticmethod(orig)
    assert calls[0][0] is None and calls[0][1] is not None


# ---------------------------------------------------------------- double backward
def _double(fn_e, fn_t, arrays, seed=0):
    """grad of sum(w * d/dx sum(v * f(x))) through create_graph, against torch."""
    rng = np.random.default_rng(seed)
    es = [ember.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    eo, to = fn_e(*es), fn_t(*ts)
    v = rng.standard_normal(tuple(to.shape))
    eg = ember.autograd.grad((eo * ember.tensor(v)).sum(), es, create_graph=True)
    tg = torch.autograd.grad((to * torch.tensor(v)).sum(), ts, create_graph=True)
    for e, t in zip(eg, tg):
        assert_close(e, t, 1e-8, 1e-9, "first grad")
    ws = [rng.standard_normal(tuple(t.shape)) for t in tg]
    e2 = ember.autograd.grad(sum((g * ember.tensor(w)).sum() for g, w in zip(eg, ws)), es,
                             allow_unused=True)
    t2 = torch.autograd.grad(sum((g * torch.tensor(w)).sum() for g, w in zip(tg, ws)), ts,
                             allow_unused=True)
    for e, t in zip(e2, t2):
        if t is None:
            assert e is None or not np.any(e.numpy())
        else:
            assert_close(e, t, 1e-7, 1e-9, "second grad")


DOUBLE = [
    ("matmul", lambda L: L.matmul, [(3, 4), (4, 2)]),
    ("matmul_batched", lambda L: L.matmul, [(2, 3, 4), (4, 2)]),
    ("matmul_bcast", lambda L: L.matmul, [(2, 1, 3, 4), (5, 4, 2)]),
    ("matmul_vec", lambda L: L.matmul, [(4,), (2, 4, 3)]),
    ("matvec", lambda L: L.matmul, [(2, 3, 4), (4,)]),
    ("dot", lambda L: L.matmul, [(4,), (4,)]),
    ("mm", lambda L: L.mm, [(3, 4), (4, 2)]),
    ("einsum", lambda L: (lambda a, b: L.einsum("ij,jk->ik", a, b)), [(2, 3), (3, 4)]),
    ("einsum_diag", lambda L: (lambda a, b: L.einsum("ii,ij->j", a, b)), [(3, 3), (3, 2)]),
    ("einsum_sum", lambda L: (lambda a, b: L.einsum("ij,k->jk", a, b)), [(3, 2), (4,)]),
    ("einsum_bcast", lambda L: (lambda a, b: L.einsum("...ij,...jk", a, b)),
     [(2, 1, 2, 3), (5, 3, 4)]),
    ("tensordot", lambda L: (lambda a, b: L.tensordot(a, b, dims=([0, 2], [1, 0]))),
     [(3, 2, 4), (4, 3, 2)]),
    ("svd", lambda L: (lambda a: _svd_recon(L)(a)[0]), [(4, 3)]),
    ("svd_U", lambda L: (lambda a: _svd_recon(L)(a)[2]), [(4, 3)]),
    ("eigh_V", lambda L: (lambda a: _eigh(L)(a)[2]), ["pd3"]),
    ("det", lambda L: L.linalg.det, ["wc3"]),
    ("det_batched", lambda L: L.linalg.det, ["wc2x3"]),
    ("inv", lambda L: L.linalg.inv, ["wc3"]),
    ("slogdet", lambda L: (lambda a: L.linalg.slogdet(a)[1]), ["wc3"]),
    ("solve", lambda L: L.linalg.solve, ["wc3", (3, 2)]),
    ("cholesky", lambda L: (lambda a: L.linalg.cholesky(_sym(a))), ["pd3"]),
    ("eigh", lambda L: (lambda a: L.linalg.eigh(_sym(a))[0]), ["pd3"]),
    ("svdvals", lambda L: L.linalg.svdvals, [(4, 3)]),
    ("pinv", lambda L: L.linalg.pinv, [(4, 3)]),
    ("qr", lambda L: (lambda a: L.linalg.qr(a)[1]), [(4, 3)]),
    ("vector_norm", lambda L: (lambda a: L.linalg.vector_norm(a, dim=1)), [(3, 4)]),
    ("vector_norm_1", lambda L: (lambda a: L.linalg.vector_norm(a, 1) * a), [(3, 4)]),
    ("vector_norm_inf", lambda L: (lambda a: L.linalg.vector_norm(a, inf, 0) * a), [(3, 4)]),
    ("matrix_norm_nuc", lambda L: (lambda a: L.linalg.matrix_norm(a, "nuc")), [(4, 3)]),
    ("matrix_exp", lambda L: L.linalg.matrix_exp, [(3, 3)]),
    ("cross", lambda L: (lambda a, b: L.linalg.cross(a, b)), [(2, 3), (2, 3)]),
    ("addmm", lambda L: (lambda c, a, b: L.addmm(c, a, b, beta=0.5, alpha=2)),
     [(3, 2), (3, 4), (4, 2)]),
]


@pytest.mark.parametrize("name,fn,shapes", DOUBLE, ids=[d[0] for d in DOUBLE])
def test_double_backward(name, fn, shapes):
    rng = np.random.default_rng(1)
    arrays = []
    for s in shapes:
        if s == "wc3":
            arrays.append(_wellcond(rng, 3, 3))
        elif s == "wc2x3":
            arrays.append(_wellcond(rng, 2, 3, 3))
        elif s == "pd3":
            arrays.append(_pd(rng, 3, 3))
        else:
            arrays.append(rng.standard_normal(s))
    _double(fn(ember), fn(torch), arrays)


# ---------------------------------------------------------------- solve_triangular
def _tri_samples(rng):
    """A well-conditioned (only one triangle is read: the other holds noise) with B for every
    (upper, left, unitriangular); broadcasting batches, a vector-like k = 1, empty B."""
    out = []
    for upper in (True, False):
        for left in (True, False):
            for unit in (False, True):
                kw = dict(upper=upper, left=left, unitriangular=unit)
                a = _wellcond(rng, 3, 3)
                b = rng.standard_normal((3, 2) if left else (2, 3))
                out.append(Sample((a, b), kw))
    out += [Sample((_wellcond(rng, 2, 1, 3, 3), rng.standard_normal((4, 3, 2))),
                   dict(upper=True)),
            Sample((_wellcond(rng, 3, 3), rng.standard_normal((2, 3, 1))), dict(upper=False)),
            Sample((_wellcond(rng, 3, 3), rng.standard_normal((3, 0))), dict(upper=True)),
            Sample((_wellcond(rng, 3, 3), rng.standard_normal((3, 2))), dict(upper=False),
                   noncontig=True)]
    return out


TRI_OPS = [OpInfo("solve_triangular", ember.linalg.solve_triangular,
                  torch.linalg.solve_triangular, _tri_samples)]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op,sample", cases(TRI_OPS))
def test_solve_triangular(op, sample, dtype):
    run_generic(op, sample, dtype)


@pytest.mark.parametrize("upper,left,unit", [(True, True, False), (False, False, True)])
def test_solve_triangular_double_backward(upper, left, unit):
    rng = np.random.default_rng(3)
    a, b = _wellcond(rng, 3, 3), rng.standard_normal((3, 2) if left else (2, 3))
    _double(lambda A, B: ember.linalg.solve_triangular(A, B, upper=upper, left=left,
                                                       unitriangular=unit),
            lambda A, B: torch.linalg.solve_triangular(A, B, upper=upper, left=left,
                                                       unitriangular=unit), [a, b])


def test_solve_triangular_singular_and_promotion_match_torch():
    a = np.array([[0.0, 1.0], [0.0, 1.0]])
    b = np.ones((2, 1))
    e = ember.linalg.solve_triangular(ember.tensor(a), ember.tensor(b), upper=True)
    t = torch.linalg.solve_triangular(torch.tensor(a), torch.tensor(b), upper=True)
    assert_close(e, t, 0, 0, "singular")
    e = ember.linalg.solve_triangular(ember.tensor(a + np.eye(2), dtype=ember.float32),
                                      ember.tensor(b), upper=False)
    t = torch.linalg.solve_triangular(torch.tensor(a + np.eye(2), dtype=torch.float32),
                                      torch.tensor(b), upper=False)
    assert_close(e, t, 1e-7, 0, "promotion")


@pytest.mark.parametrize("sa,sb,kw", [
    ((3,), (3, 2), {}), ((3, 3), (3,), {}), ((3, 4), (3, 2), {}), ((3, 3), (4, 2), {}),
    ((3, 3), (4, 2), {"left": False}), ((2, 3, 3), (3, 3, 2), {})])
def test_solve_triangular_errors_match_torch(sa, sb, kw):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    with pytest.raises(Exception) as te:
        torch.linalg.solve_triangular(torch.tensor(a), torch.tensor(b), upper=True, **kw)
    with pytest.raises(type(te.value)) as ee:
        ember.linalg.solve_triangular(ember.tensor(a), ember.tensor(b), upper=True, **kw)
    assert str(ee.value) == str(te.value)
    with pytest.raises(NotImplementedError):
        ember.linalg.solve_triangular(ember.ones(2, 2, dtype=ember.int64),
                                      ember.ones(2, 1, dtype=ember.int64), upper=True)
