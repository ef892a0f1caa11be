"""Special functions (torch.special's kernels): the error function family (erf, erfc, erfinv,
erfcx, ndtr, log_ndtr), the gamma family (lgamma, digamma, polygamma, mvlgamma, the
regularised incomplete gamma functions igamma/igammac) and sinc, entr, xlog1py.
``ember.special`` gathers them under torch.special's names.

Each differentiable function is a Function with its backward right below its forward; the
kernels work on backend arrays (``xp`` is numpy or cupy) in float64 and the result is cast
back to the input's dtype. Under ``create_graph`` a backward calls the public function of the
next derivative, so ``lgamma`` is differentiable any number of times.

The algorithms are those PyTorch's CPU kernels use (W. J. Cody's erf, Cephes' ``lgam``,
``psi`` and ``zeta``; ATen's ``calc_trigamma``), so the values agree with torch's to a few
ulps.
"""
from __future__ import annotations

import functools
import math
from fractions import Fraction

from .. import dtypes as _dt
from ..autograd.function import Function
from .._tensor import Tensor
from ._util import inplace, promote, to_float
from .elementwise import _binary_fn, _float_unary, _into, _ip, _promote_float, _unary_fn

__all__ = ["erf", "erfc", "erfinv", "lgamma", "digamma", "polygamma", "mvlgamma", "igamma",
           "igammac", "sinc"]

_INF, _NAN = float("inf"), float("nan")
_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT2PI = 1 / math.sqrt(2 * math.pi)


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


def _erfcx_big(xp, y):
    """Cody's exp(y^2) erfc(y) for float64 ``y > 0.46875``: a rational function of y up to 4,
    an asymptotic one of 1 / y^2 beyond."""
    r = xp.empty_like(y)
    mid = y <= 4.0
    ym = y[mid]
    num, den = _ERF_C[8] * ym, ym
    for i in range(7):
        num = (num + _ERF_C[i]) * ym
        den = (den + _ERF_D[i]) * ym
    r[mid] = (num + _ERF_C[7]) / (den + _ERF_D[7])
    tail = ~mid
    yt = y[tail]
    z = 1.0 / (yt * yt)
    num, den = _ERF_P[5] * z, z
    for i in range(4):
        num = (num + _ERF_P[i]) * z
        den = (den + _ERF_Q[i]) * z
    r[tail] = (_SQRPI - z * (num + _ERF_P[4]) / (den + _ERF_Q[4])) / yt
    return r


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
    r = _erfcx_big(xp, yb)
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


def _polevl(x, coefs):
    acc = coefs[0]
    for c in coefs[1:]:
        acc = acc * x + c
    return acc


def _f64(xp, a):
    return a.astype(xp.float64) if a.dtype != xp.float64 else a


# ---------------------------------------------------------------- lgamma (Cephes lgam)
_LG_A = (8.11614167470508450300E-4, -5.95061904284301438324E-4, 7.93650340457716943945E-4,
         -2.77777777730099687205E-3, 8.33333333333331927722E-2)
_LG_B = (-1.37825152569120859100E3, -3.88016315134637840924E4, -3.31612992738871184744E5,
         -1.16237097492762307383E6, -1.72173700820839662146E6, -8.53555664245765465627E5)
_LG_C = (1.0, -3.51815701436523470549E2, -1.70642106651881159223E4,
         -2.20528590553854454839E5, -1.13933444367982507207E6, -2.53252307177582951285E6,
         -2.01889141433532773231E6)
_LS2PI = 0.91893853320467274178
_LOGPI = 1.14472988584940017414


def _lgamma_stirling(xp, x):
    """lgamma for x >= 13."""
    q = (x - 0.5) * xp.log(x) - x + _LS2PI
    p = 1.0 / (x * x)
    big = ((7.9365079365079365079365e-4 * p - 2.7777777777777777777778e-3) * p
           + 0.0833333333333333333333) / x
    mid = _polevl(p, _LG_A) / x
    return xp.where(x > 1.0e8, q, q + xp.where(x >= 1000.0, big, mid))


def _lgamma_kernel(xp, x):
    x = _f64(xp, x)
    out = xp.full(x.shape, math.inf)
    fin = xp.isfinite(x)
    out[xp.isnan(x)] = math.nan
    pole = fin & (x <= 0) & (x == xp.floor(x))
    hi = fin & (x >= 13.0)
    if hi.any():
        out[hi] = _lgamma_stirling(xp, x[hi])
    lo = fin & ~pole & (x < -34.0)
    if lo.any():
        q = -x[lo]
        w = _lgamma_stirling(xp, q)
        p = xp.floor(q)
        z = q - p
        up = z > 0.5
        z = xp.where(up, (p + 1.0) - q, z)
        z = q * xp.sin(math.pi * z)
        out[lo] = _LOGPI - xp.log(z) - w
    mid = fin & ~pole & (x >= -34.0) & (x < 13.0)
    if mid.any():
        xm = x[mid]
        z = xp.ones_like(xm)
        p = xp.zeros_like(xm)
        u = xm.copy()
        while True:
            m = u >= 3.0
            if not m.any():
                break
            p[m] -= 1.0
            u[m] = xm[m] + p[m]
            z[m] *= u[m]
        while True:
            m = u < 2.0
            if not m.any():
                break
            z[m] /= u[m]
            p[m] += 1.0
            u[m] = xm[m] + p[m]
        t = xm + (p - 2.0)
        r = t * _polevl(t, _LG_B) / _polevl(t, _LG_C)
        out[mid] = xp.log(xp.abs(z)) + xp.where(u == 2.0, 0.0, r)
    return out


# ---------------------------------------------------------------- digamma (ATen calc_digamma)
_PSI_A = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
          -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
          8.33333333333333333333E-2)
_PSI_10 = 2.25175258906672110764


def _digamma_pos(xp, x):
    """digamma for x > 0 (push x above 10, then the asymptotic series)."""
    x = x.copy()
    result = xp.zeros_like(x)
    while True:
        m = x < 10
        if not m.any():
            break
        result[m] -= 1 / x[m]
        x[m] += 1
    z = 1.0 / (x * x)
    y = xp.where(x < 1.0e17, z * _polevl(z, _PSI_A), 0.0)
    return xp.where(x == 10, result + _PSI_10, result + xp.log(x) - 0.5 / x - y)


def _digamma_kernel(xp, x):
    x = _f64(xp, x)
    out = xp.empty(x.shape)
    out[...] = math.nan
    zero = x == 0
    out[zero] = xp.copysign(math.inf, -x[zero])
    pos = x > 0
    if pos.any():
        out[pos] = _digamma_pos(xp, x[pos])
    neg = (x < 0) & (x != xp.trunc(x))
    if neg.any():
        xn = x[neg]
        r = xn - xp.trunc(xn)
        out[neg] = _digamma_pos(xp, 1 - xn) - math.pi / xp.tan(math.pi * r)
    out[x == math.inf] = math.inf
    return out


# ---------------------------------------------------------------- polygamma
def _trigamma_kernel(xp, x):
    """ATen's calc_trigamma."""
    x = _f64(xp, x)
    small = x < 0.5
    s = xp.sin(math.pi * x)
    result = xp.where(small, -(math.pi * math.pi) / (s * s), 0.0)
    sign = xp.where(small, -1.0, 1.0)
    x = xp.where(small, 1 - x, x)
    for _ in range(6):
        result = result + 1 / (x * x)
        x = x + 1
    ixx = 1 / (x * x)
    result = result + (1 + 1 / (2 * x) + ixx * (1. / 6 - ixx * (1. / 30 - ixx * (1. / 42)))) / x
    return sign * result


def _bernoulli_numbers(n):
    b = [Fraction(0)] * (n + 1)
    for m in range(n + 1):
        a = [Fraction(0)] * (m + 1)
        for j in range(m + 1):
            a[j] = Fraction(1, j + 1)
            for k in range(j, 0, -1):
                a[k - 1] = k * (a[k - 1] - a[k])
        b[m] = a[0]
    return b


@functools.cache
def _zeta_coefficients():
    """(2k)! / B_2k for k = 1..12: the Euler-Maclaurin coefficients of Cephes' zeta (exact
    fractions, computed on first use: 20 ms that `import ember` should not pay)."""
    b = _bernoulli_numbers(24)
    return tuple(float(Fraction(math.factorial(2 * k)) / b[2 * k]) for k in range(1, 13))


def _zeta_kernel(xp, s, q):
    """Hurwitz zeta(s, q) for an integer s > 1 and real q (Cephes' Euler-Maclaurin sum)."""
    q = _f64(xp, q)
    out = xp.empty(q.shape)
    pole = (q <= 0) & (q == xp.floor(q))
    out[pole] = math.inf
    ok = ~pole & ~xp.isnan(q)
    out[xp.isnan(q)] = math.nan
    qq = q[ok]
    total = qq ** -s
    a = qq.copy()
    b = xp.zeros_like(qq)
    active = xp.ones(qq.shape, dtype=bool)
    i = 0
    while active.any() and i < 100000:
        i += 1
        a = xp.where(active, a + 1.0, a)
        bn = a ** -s
        total = xp.where(active, total + bn, total)
        b = xp.where(active, bn, b)
        active = (i < 9) | (a <= 9.0)
    w = a
    total = total + b * w / (s - 1.0) - 0.5 * b
    fac = 1.0
    k = 0.0
    for coef in _zeta_coefficients():
        fac *= s + k
        b = b / w
        total = total + fac * b / coef
        k += 1.0
        fac *= s + k
        b = b / w
        k += 1.0
    big = qq > 1e8
    total = xp.where(big, (1 / (s - 1) + 1 / (2 * qq)) * qq ** (1 - s), total)
    out[ok] = total
    return out


def _polygamma_kernel(xp, n, x):
    if n == 0:
        return _digamma_kernel(xp, x)
    if n == 1:
        return _trigamma_kernel(xp, x)
    sign = 1.0 if n % 2 else -1.0
    return sign * math.exp(math.lgamma(n + 1.0)) * _zeta_kernel(xp, n + 1, x)


# ---------------------------------------------------------------- lgamma, digamma, polygamma
def _cast_like(res, a):
    return res.astype(a.dtype, copy=False)


class Lgamma(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        a = to_float(a)
        return _cast_like(_lgamma_kernel(ctx.xp, a), a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * _polygamma_any(ctx.xp, 0, a)


class Polygamma(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, n):
        ctx.save_for_backward(a)
        ctx.n = n
        a = to_float(a)
        return _cast_like(_polygamma_kernel(ctx.xp, n, a), a)

    @staticmethod
    def backward(ctx, g):
        a, = ctx.saved_tensors
        return g * _polygamma_any(ctx.xp, ctx.n + 1, a), None


def _polygamma_any(xp, n, a):
    """polygamma of an array (kernel) or of a Tensor (recorded, for create_graph)."""
    if isinstance(a, Tensor):
        return Polygamma.apply(a, n)
    a = to_float(a)
    return _cast_like(_polygamma_kernel(xp, n, a), a)


def lgamma(input, *, out=None):
    """Computes the natural logarithm of the absolute value of the gamma function on
    ``input``.

    .. math::
        \\text{out}_{i} = \\ln |\\Gamma(\\text{input}_{i})|
    """
    r = Lgamma.apply(input)
    return r if out is None else _into(r, out)


def digamma(input, *, out=None):
    """Computes the logarithmic derivative of the gamma function on ``input``.

    .. math::
        \\digamma(x) = \\frac{d}{dx} \\ln\\left(\\Gamma\\left(x\\right)\\right)
    """
    r = Polygamma.apply(input, 0)
    return r if out is None else _into(r, out)


def polygamma(n, input, *, out=None):
    """Computes the :math:`n^{th}` derivative of the digamma function on ``input``.
    :math:`n \\geq 0` is called the order of the polygamma function."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    r = Polygamma.apply(input, int(n))
    return r if out is None else _into(r, out)


def mvlgamma(input, p, *, out=None):
    """Computes the multivariate log-gamma function with dimension :math:`p` element-wise:
    :math:`\\log(\\Gamma_{p}(a)) = C + \\sum_{i=1}^{p} \\log\\left(\\Gamma\\left(a -
    \\frac{i - 1}{2}\\right)\\right)` with :math:`C = \\log(\\pi) \\cdot
    \\frac{p (p - 1)}{4}`."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    from .creation import arange
    x = input if input.is_floating_point() else input.to(_dt.get_default_dtype())
    args = x.unsqueeze(-1) + arange(-p * 0.5 + 0.5, 0.5, 0.5, dtype=x.dtype)
    r = lgamma(args).sum(-1) + p * (p - 1) / 4 * math.log(math.pi)
    return r if out is None else _into(r, out)


# ---------------------------------------------------------------- gammainc
def _gammainc_kernel(xp, a, x, upper=False):
    """Regularised lower incomplete gamma P(a, x), or the upper one Q = 1 - P with ``upper``:
    a series for P below a + 1, Lentz's continued fraction for Q above (each computed
    directly, the other by subtraction)."""
    a, x = xp.broadcast_arrays(_f64(xp, a), _f64(xp, x))
    out = xp.full(a.shape, math.nan)
    lo, hi = (1.0, 0.0) if upper else (0.0, 1.0)
    out[(x == 0) & (a > 0)] = lo
    out[(a == 0) & (x > 0)] = hi
    out[(x == math.inf) & (a > 0)] = hi
    ok = (a > 0) & (x > 0) & xp.isfinite(x) & xp.isfinite(a)
    ser = ok & (x < a + 1)
    eps = 1e-16
    if ser.any():
        aa, xx = a[ser], x[ser]
        term = 1.0 / aa
        total = term.copy()
        ap = aa.copy()
        for _ in range(100000):
            ap = ap + 1
            term = term * xx / ap
            total = total + term
            if not (xp.abs(term) > xp.abs(total) * eps).any():
                break
        lp = aa * xp.log(xx) - xx - _lgamma_kernel(xp, aa)
        p = total * xp.exp(lp)
        out[ser] = 1 - p if upper else p
    cf = ok & ~ser
    if cf.any():
        aa, xx = a[cf], x[cf]
        tiny = 1e-300
        b = xx + 1 - aa
        c = xp.full(aa.shape, 1 / tiny)
        d = 1 / b
        h = d.copy()
        for i in range(1, 100000):
            an = -i * (i - aa)
            b = b + 2
            d = an * d + b
            d = xp.where(xp.abs(d) < tiny, tiny, d)
            c = b + an / c
            c = xp.where(xp.abs(c) < tiny, tiny, c)
            d = 1 / d
            delta = d * c
            h = h * delta
            if not (xp.abs(delta - 1) > 4 * eps).any():
                break
        lq = aa * xp.log(xx) - xx - _lgamma_kernel(xp, aa)
        q = xp.exp(lq) * h
        out[cf] = q if upper else 1 - q
    return out


class Igamma(Function):
    """P(a, x) (or Q(a, x) with ``upper``); the gradient in ``x`` only, as in torch."""
    _arrays = True
    upper = False

    @staticmethod
    def forward(ctx, a, x):
        ctx.save_for_backward(a, x)
        a, x = promote(to_float(a), to_float(x))
        return _gammainc_kernel(ctx.xp, a, x, ctx.upper).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        if ctx.needs_input_grad[0]:
            name = "igammac" if ctx.upper else "igamma"
            raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")
        a, x = ctx.saved_tensors
        xp = ctx.xp
        lg = lgamma(a) if isinstance(a, Tensor) else _lgamma_kernel(xp, a)
        d = g * xp.exp((a - 1) * xp.log(x) - x - lg)
        return None, (-d if ctx.upper else d)


class Igammac(Igamma):
    _arrays = True
    upper = True


def igamma(input, other, *, out=None):
    """Computes the regularized lower incomplete gamma function:

    .. math::
        \\text{out}_{i} = \\frac{1}{\\Gamma(\\text{input}_i)} \\int_0^{\\text{other}_i}
        t^{\\text{input}_i-1} e^{-t} dt
    """
    r = Igamma.apply(input, other)
    return r if out is None else _into(r, out)


def igammac(input, other, *, out=None):
    """Computes the regularized upper incomplete gamma function:

    .. math::
        \\text{out}_{i} = \\frac{1}{\\Gamma(\\text{input}_i)}
        \\int_{\\text{other}_i}^{\\infty} t^{\\text{input}_i-1} e^{-t} dt
    """
    r = Igammac.apply(input, other)
    return r if out is None else _into(r, out)


gammainc, gammaincc = igamma, igammac




# ---------------------------------------------------------------- erfcx, ndtr, log_ndtr
def _erfcx(xp, x):
    """exp(x^2) erfc(x) of a float64 array, without overflow or cancellation."""
    y = xp.abs(x)
    big = y > 0.46875
    out = xp.empty_like(x)
    xs = x[~big]
    out[~big] = xp.exp(xs * xs) * _calerf_exact(xp, xs, True)
    r = _erfcx_big(xp, y[big])
    xb = x[big]
    with _quiet(xp):
        out[big] = xp.where(xb < 0, 2 * xp.exp(xb * xb) - r, r)
    return out


class _quiet:
    """numpy's errstate (over/under/invalid/divide ignored); nothing for other backends."""
    __slots__ = ("cm",)

    def __init__(self, xp):
        self.cm = xp.errstate(all="ignore") if hasattr(xp, "errstate") else None

    def __enter__(self):
        if self.cm is not None:
            self.cm.__enter__()

    def __exit__(self, *exc):
        if self.cm is not None:
            self.cm.__exit__(*exc)


def _ndtr(xp, x):
    return (0.5 * _calerf(xp, -x * _SQRT1_2, True)).astype(x.dtype, copy=False)


def _log_ndtr(xp, x):
    """log(ndtr(x)): log1p(-ndtr(-x)) above -1, log(erfcx(-x / sqrt 2) / 2) - x^2 / 2 below."""
    x64 = _f64(xp, x)
    z = -x64 * _SQRT1_2
    low = x64 < -1
    out = xp.empty_like(x64)
    zl = z[low]
    with _quiet(xp):
        out[low] = xp.log(_erfcx(xp, zl) * 0.5) - zl * zl
        out[~low] = xp.log1p(-0.5 * _calerf_exact(xp, -z[~low], True))
    return out.astype(x.dtype, copy=False)


class Erfcx(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        x = to_float(a)
        y = _erfcx(ctx.xp, _f64(ctx.xp, x)).astype(x.dtype, copy=False)
        ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * (2 * x * y - 2 * _SQRPI)


class LogNdtr(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a):
        y = _log_ndtr(ctx.xp, to_float(a))
        ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * (ctx.xp.exp(-(x * x) * 0.5 - y) * _INV_SQRT2PI)


Ndtr = _float_unary("Ndtr", _ndtr, lambda xp, g, x: g * (xp.exp(-(x * x) * 0.5) * _INV_SQRT2PI))


def erfcx(input, *, out=None):
    """Computes the scaled complementary error function for each element of ``input``:
    :math:`\\mathrm{erfcx}(x) = e^{x^2} \\mathrm{erfc}(x)`."""
    r = Erfcx.apply(input)
    return r if out is None else _into(r, out)


ndtr = _unary_fn("ndtr", Ndtr, "Computes the area under the standard Gaussian probability "
                 "density function, integrated from minus infinity to ``input``, elementwise.")


def log_ndtr(input, *, out=None):
    """Computes the log of the area under the standard Gaussian probability density function,
    integrated from minus infinity to ``input``, elementwise."""
    r = LogNdtr.apply(input)
    return r if out is None else _into(r, out)


# ---------------------------------------------------------------- sinc, entr, xlog1py
def _sinc(xp, x):
    zero = x == 0
    px = xp.where(zero, 1.0, x) * math.pi
    return xp.where(zero, 1.0, xp.sin(px) / px).astype(x.dtype, copy=False)


def _dsinc(xp, g, x):
    zero = x == 0
    xs = xp.where(zero, 1.0, x)
    px = xs * math.pi
    d = (px * xp.cos(px) - xp.sin(px)) / (xs * xs * math.pi)
    return g * xp.where(zero, 0.0, d)


def _entr(xp, x):
    pos = x > 0
    val = -x * xp.log(xp.where(pos, x, 1.0))
    out = xp.where(pos, val, xp.where(x == 0, 0.0, -_INF))
    return xp.where(xp.isnan(x), x, out).astype(x.dtype, copy=False)


Sinc = _float_unary("Sinc", _sinc, _dsinc)
Entr = _float_unary("Entr", _entr, lambda xp, g, x: g * -(xp.log(x) + 1))

sinc = _unary_fn("sinc", Sinc, "Returns a new tensor with the normalized sinc of the elements "
                 "of ``input``: :math:`\\sin(\\pi x) / (\\pi x)`, 1 at 0.")
entr = _unary_fn("entr", Entr, "Computes the entropy on ``input`` (as defined below), "
                 "elementwise: :math:`-x \\ln(x)` for :math:`x > 0`, 0 at 0, "
                 ":math:`-\\infty` below.")


def _xlog1py(xp, x, y):
    """x * log1p(y), 0 where x == 0 unless y is NaN (works on arrays and Tensors)."""
    return xp.where((x == 0) & ~xp.isnan(y), 0.0, x * xp.log1p(y))


class Xlog1py(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        a, b = _promote_float(a, b)
        if not hasattr(b, "dtype"):
            b = ctx.xp.asarray(b, a.dtype)
        return _xlog1py(ctx.xp, a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        xp = ctx.xp
        need_a, need_b = ctx.needs_input_grad
        ga = xp.where((a == 0) & (b <= -1), 0.0, _xlog1py(xp, g, b)) if need_a else None
        return ga, (g * a / (b + 1) if need_b else None)


xlog1py = _binary_fn("xlog1py", Xlog1py, "Computes ``input * log1p(other)`` with the following "
                     "cases: 0 where ``input`` is 0 and ``other`` is not NaN.")


# ---------------------------------------------------------------- Tensor methods
def _polygamma_method(self, n):
    return polygamma(n, self)


def _polygamma_method_(self, n):
    return inplace(_polygamma_method, self, n)


_polygamma_method.__name__ = _polygamma_method.__qualname__ = "polygamma"
_polygamma_method_.__name__ = _polygamma_method_.__qualname__ = "polygamma_"

TENSOR_METHODS = {fn.__name__: fn for fn in (erf, erfc, erfinv, lgamma, digamma, mvlgamma,
                                              igamma, igammac, sinc)}
TENSOR_METHODS.update({name + "_": _ip(fn) for name, fn in list(TENSOR_METHODS.items())})
TENSOR_METHODS.update({"polygamma": _polygamma_method, "polygamma_": _polygamma_method_})
