"""Special functions: the error function family (erf, erfc, erfinv) and their kernels.
"""
from __future__ import annotations

from .. import dtypes as _dt
from .elementwise import _float_unary, _ip, _unary_fn

__all__ = ["erf", "erfc", "erfinv"]

_INF, _NAN = float("inf"), float("nan")


# ---------------------------------------------------------------- erf, erfc, erfinv
# W. J. Cody's rational Chebyshev approximations (CALERF; Math. Comp. 23, 1969): erf for
# |x| <= 0.46875, erfc(|x|) beyond, in three intervals; about 1e-16 relative error.
_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
          3.20937758913846947e03, 1.85777706184603153e-1)
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
          2.84423683343917062e03)
_ERF_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
          2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
          2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_ERF_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
          1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
          3.43936767414372164e03, 1.23033935480374942e03)
_ERF_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
          1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_ERF_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
          6.05183413124413191e-2, 2.33520497626869185e-3)
_SQRPI = 5.6418958354775628695e-1  # 1 / sqrt(pi)


# erfc(|x|) to 1.2e-7 relative everywhere (Numerical Recipes' Chebyshev fit), for float32
_ERFC_NR = (-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807,
            -1.13520398, 1.48851587, -0.82215223, 0.17087277)


def _calerf_single(xp, x, complement):
    """erf/erfc for float32/float16 inputs: accurate to float32's precision, computed on whole
    arrays (no masked gathers, which cost more than the arithmetic on large tensors)."""
    x = xp.asarray(x, dtype=_dt.float64.np)
    a = xp.abs(x)
    t = 1.0 / (1.0 + 0.5 * a)
    p = _ERFC_NR[9]
    for c in _ERFC_NR[8::-1]:
        p = p * t + c
    r = t * xp.exp(p - a * a)                      # erfc(|x|)
    z = x * x                                       # Cody's small-|x| branch for erf
    num, den = _ERF_A[4] * z, z
    for i in range(3):
        num = (num + _ERF_A[i]) * z
        den = (den + _ERF_B[i]) * z
    small = x * (num + _ERF_A[3]) / (den + _ERF_B[3])
    neg = x < 0
    if complement:
        return xp.where(a <= 0.46875, 1.0 - small, xp.where(neg, 2.0 - r, r))
    return xp.where(a <= 0.46875, small, xp.where(neg, r - 1.0, 1.0 - r))


_CHUNK = 16384  # elements per pass: long formulas stay in cache instead of streaming memory


def _calerf(xp, x, complement):
    """erf(x), or erfc(x) when ``complement``, of an array, computed in float64."""
    single = x.dtype.itemsize < 8 and x.dtype.kind == "f"
    if x.size > _CHUNK and getattr(xp, "__name__", "") == "numpy":
        out = xp.empty(x.shape, _dt.float64.np)
        flat_in, flat_out = x.reshape(-1), out.reshape(-1)
        kernel = _calerf_single if single else _calerf_exact
        for i in range(0, flat_in.size, _CHUNK):
            flat_out[i:i + _CHUNK] = kernel(xp, flat_in[i:i + _CHUNK], complement)
        return out
    return (_calerf_single if single else _calerf_exact)(xp, x, complement)


def _calerf_exact(xp, x, complement):
    """Cody's erf/erfc, accurate to float64 precision."""
    x = xp.asarray(x, dtype=_dt.float64.np)
    y = xp.abs(x)
    res = xp.empty_like(x)
    small = y <= 0.46875
    xs = x[small]
    z = xs * xs
    num, den = _ERF_A[4] * z, z
    for i in range(3):
        num = (num + _ERF_A[i]) * z
        den = (den + _ERF_B[i]) * z
    r = xs * (num + _ERF_A[3]) / (den + _ERF_B[3])
    res[small] = 1.0 - r if complement else r
    big = ~small
    yb = xp.minimum(y[big], 40.0)  # erfc(40) underflows to 0; keeps inf out of the algebra
    r = xp.empty_like(yb)
    mid = yb <= 4.0
    ym = yb[mid]
    num, den = _ERF_C[8] * ym, ym
    for i in range(7):
        num = (num + _ERF_C[i]) * ym
        den = (den + _ERF_D[i]) * ym
    r[mid] = (num + _ERF_C[7]) / (den + _ERF_D[7])
    tail = ~mid
    yt = yb[tail]
    z = 1.0 / (yt * yt)
    num, den = _ERF_P[5] * z, z
    for i in range(4):
        num = (num + _ERF_P[i]) * z
        den = (den + _ERF_Q[i]) * z
    r[tail] = (_SQRPI - z * (num + _ERF_P[4]) / (den + _ERF_Q[4])) / yt
    ysq = xp.trunc(yb * 16.0) / 16.0
    r *= xp.exp(-ysq * ysq) * xp.exp(-(yb - ysq) * (yb + ysq))  # erfc(|x|)
    neg = x[big] < 0
    if complement:
        res[big] = xp.where(neg, 2.0 - r, r)
    else:
        res[big] = xp.where(neg, r - 1.0, 1.0 - r)
    return res


# erfinv: the rational first guess PyTorch uses, then two Newton steps on erf(x) = |y| (or
# on erfc(x) = 1 - |y|, exact in floating point, towards +-1: no cancellation).
_INV_A = (0.886226899, -1.645349621, 0.914624893, -0.140543331)
_INV_B = (-2.118377725, 1.442710462, -0.329097515, 0.012229801)
_INV_C = (-1.970840454, -1.624906493, 3.429567803, 1.641345311)
_INV_D = (3.543889200, 1.637067800)


def _erfinv(xp, y):
    y = xp.asarray(y, dtype=_dt.float64.np)
    ya = xp.abs(y)
    x = xp.zeros_like(y)
    c = ya <= 0.7
    z = ya[c] * ya[c]
    num = ((_INV_A[3] * z + _INV_A[2]) * z + _INV_A[1]) * z + _INV_A[0]
    den = (((_INV_B[3] * z + _INV_B[2]) * z + _INV_B[1]) * z + _INV_B[0]) * z + 1.0
    x[c] = ya[c] * num / den
    t = (ya > 0.7) & (ya < 1.0)
    z = xp.sqrt(-xp.log((1.0 - ya[t]) / 2.0))
    num = ((_INV_C[3] * z + _INV_C[2]) * z + _INV_C[1]) * z + _INV_C[0]
    x[t] = num / ((_INV_D[1] * z + _INV_D[0]) * z + 1.0)
    lo, hi = ya <= 0.5, (ya > 0.5) & (ya < 1.0)
    ylo, qhi = ya[lo], 1.0 - ya[hi]
    for _ in range(2):
        xl, xh = x[lo], x[hi]
        x[lo] = xl - (_calerf(xp, xl, False) - ylo) / (1.1283791670955126 * xp.exp(-xl * xl))
        x[hi] = xh + (_calerf(xp, xh, True) - qhi) / (1.1283791670955126 * xp.exp(-xh * xh))
    x[ya == 1.0] = _INF
    x[~(ya <= 1.0)] = _NAN
    return xp.copysign(x, y)


Erf = _float_unary("Erf", lambda xp, x: _calerf(xp, x, False).astype(x.dtype, copy=False),
                   lambda xp, g, x: g * (xp.exp(-(x * x)) * 1.1283791670955126))
Erfc = _float_unary("Erfc", lambda xp, x: _calerf(xp, x, True).astype(x.dtype, copy=False),
                    lambda xp, g, x: g * (xp.exp(-(x * x)) * -1.1283791670955126))
Erfinv = _float_unary("Erfinv", lambda xp, x: _erfinv(xp, x).astype(x.dtype, copy=False),
                      lambda xp, g, y: g * (xp.exp(y * y) * 0.88622692545275801), "y")
erf = _unary_fn("erf", Erf, "Computes the error function of ``input``.")
erfc = _unary_fn("erfc", Erfc, "Computes the complementary error function of ``input``.")
erfinv = _unary_fn("erfinv", Erfinv, "Computes the inverse error function of ``input``, "
                   "defined in the range :math:`(-1, 1)`.")


# ---------------------------------------------------------------- Tensor methods
TENSOR_METHODS = {fn.__name__: fn for fn in (erf, erfc, erfinv)}
TENSOR_METHODS.update({name + "_": _ip(fn) for name, fn in list(TENSOR_METHODS.items())})
