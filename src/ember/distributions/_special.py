"""Special functions the distributions need and NumPy lacks: ``lgamma``, ``digamma``,
``polygamma``, the regularised incomplete gamma ``gammainc``, and the implicit
reparameterisation gradients of Gamma and Dirichlet samples.

Each differentiable function is a ``Function`` with its backward right below its forward;
the kernels work on backend arrays (``xp`` is numpy or cupy) in float64 and the result is
cast back to the input's dtype. Under ``create_graph`` a backward calls the public function
of the next derivative, so ``lgamma`` is differentiable any number of times.

The algorithms are those PyTorch's CPU kernels use (Cephes' ``lgam``, ``psi`` and ``zeta``;
ATen's ``calc_trigamma``; ATen's ``standard_gamma_grad_one`` and ``dirichlet_grad_one``), so
the values agree with torch's to a few ulps.
"""
from __future__ import annotations

import math
from fractions import Fraction

from ..autograd.function import Function
from ..backend import get_xp
from .._tensor import Tensor, _make
from ..ops._util import promote, to_float

__all__ = ["lgamma", "digamma", "polygamma", "gammainc", "standard_gamma_grad",
           "dirichlet_grad"]

_F32 = {0.8: 0.800000011920929, 0.9: 0.8999999761581421, 1.1: 1.100000023841858}


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


# (2k)! / B_2k for k = 1..12: the Euler-Maclaurin coefficients of Cephes' zeta
_B = _bernoulli_numbers(24)
_ZETA_A = tuple(float(Fraction(math.factorial(2 * k)) / _B[2 * k]) for k in range(1, 13))


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
    for coef in _ZETA_A:
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


# ---------------------------------------------------------------- Functions
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


def lgamma(input):
    """Computes the natural logarithm of the absolute value of the gamma function on
    ``input``.

    .. math::
        \\text{out}_{i} = \\ln |\\Gamma(\\text{input}_{i})|
    """
    return Lgamma.apply(input)


def digamma(input):
    """Computes the logarithmic derivative of the gamma function on ``input``.

    .. math::
        \\digamma(x) = \\frac{d}{dx} \\ln\\left(\\Gamma\\left(x\\right)\\right)
    """
    return Polygamma.apply(input, 0)


def polygamma(n, input):
    """Computes the :math:`n^{th}` derivative of the digamma function on ``input``.
    :math:`n \\geq 0` is called the order of the polygamma function."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return Polygamma.apply(input, int(n))


# ---------------------------------------------------------------- gammainc
def _gammainc_kernel(xp, a, x):
    """Regularised lower incomplete gamma P(a, x): a series below a + 1, Lentz's continued
    fraction for the upper function above."""
    a, x = xp.broadcast_arrays(_f64(xp, a), _f64(xp, x))
    out = xp.full(a.shape, math.nan)
    out[(x == 0) & (a >= 0)] = 0.0
    out[(a == 0) & (x > 0)] = 1.0
    out[(x == math.inf) & (a > 0)] = 1.0
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
        out[ser] = total * xp.exp(lp)
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
        out[cf] = 1 - xp.exp(lq) * h
    return out


class Gammainc(Function):
    _arrays = True

    @staticmethod
    def forward(ctx, a, x):
        ctx.save_for_backward(a, x)
        a, x = promote(to_float(a), to_float(x))
        return _gammainc_kernel(ctx.xp, a, x).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        if ctx.needs_input_grad[0]:
            raise RuntimeError("the derivative for 'igamma: input' is not implemented.")
        a, x = ctx.saved_tensors
        xp = ctx.xp
        lg = lgamma(a) if isinstance(a, Tensor) else _lgamma_kernel(xp, a)
        return None, g * xp.exp((a - 1) * xp.log(x) - x - lg)


def gammainc(input, other):
    """Computes the regularized lower incomplete gamma function:

    .. math::
        \\text{out}_{i} = \\frac{1}{\\Gamma(\\text{input}_i)} \\int_0^{\\text{other}_i}
        t^{\\text{input}_i-1} e^{-t} dt
    """
    return Gammainc.apply(input, other)


# ---------------------------------------------------------------- reparameterised gradients
def standard_gamma_grad(alpha, x):
    """``-(d/dalpha cdf(x; alpha)) / pdf(x; alpha)`` for a sample ``x`` of the standard
    Gamma(alpha) (ATen's ``standard_gamma_grad_one``: a Taylor series for small x, Rice's
    saddle-point expansion for large alpha, a bivariate rational approximation otherwise).
    Arrays in, a float64 array out."""
    xp = get_xp(alpha)
    alpha, x = xp.broadcast_arrays(_f64(xp, alpha), _f64(xp, x))
    out = xp.empty(alpha.shape)
    small = x < _F32[0.8]
    if small.any():
        a, xs = alpha[small], x[small]
        numer = xp.ones_like(a)
        denom = a.copy()
        s1 = numer / denom
        s2 = numer / (denom * denom)
        for i in range(1, 6):
            numer = numer * (-xs / i)
            denom = denom + 1
            s1 = s1 + numer / denom
            s2 = s2 + numer / (denom * denom)
        pow_xa = xs ** a
        pdf = xs ** (a - 1) * xp.exp(-xs)
        cdf = pow_xa * s1
        cdf_alpha = (xp.log(xs) - _digamma_kernel(xp, a)) * cdf - pow_xa * s2
        res = -cdf_alpha / pdf
        out[small] = xp.where(xp.isnan(res), 0.0, res)
    large = ~small & (alpha > 8.0)
    if large.any():
        a, xs = alpha[large], x[large]
        near = (_F32[0.9] * a <= xs) & (xs <= _F32[1.1] * a)
        numer_1 = 1 + 24 * a * (1 + 12 * a)
        numer_2 = 1440 * (a * a) + 6 * xs * (53 - 120 * xs) - 65 * xs * xs / a \
            + a * (107 + 3600 * xs)
        r_near = numer_1 * numer_2 / (1244160 * (a * a) * (a * a))
        denom = xp.sqrt(8 * a)
        term2 = denom / (a - xs)
        term3 = xp.abs(xs - a - a * xp.log(xs / a)) ** -1.5
        term23 = xp.where(xs < a, term2 - term3, term2 + term3)
        term1 = xp.log(xs / a) * term23 - xp.sqrt(2 / a) * (a + xs) / ((a - xs) * (a - xs))
        stirling = 1 + 1 / (12 * a) * (1 + 1 / (24 * a))
        r_far = -stirling * xs * term1 / denom
        out[large] = xp.where(near, r_near, r_far)
    rest = ~small & ~large
    if rest.any():
        a, xs = alpha[rest], x[rest]
        u = xp.log(xs / a)
        v = xp.log(a)
        cv = [c0 + u * (c1 + u * c2) for c0, c1, c2 in zip(*_GAMMA_UV)]
        p = cv[0] + v * (cv[1] + v * (cv[2] + v * cv[3]))
        q = cv[4] + v * (cv[5] + v * (cv[6] + v * cv[7]))
        out[rest] = xp.exp(p / q)
    return out


_GAMMA_UV = (
    (0.16009398, -0.094634809, 0.025146376, -0.0030648343,
     1, 0.32668115, 0.10406089, 0.0014179084),
    (0.53487893, 0.1298071, 0.065735949, -0.0015649758,
     0.16639465, 0.020070113, -0.0035938915, -0.00058392623),
    (0.040121004, -0.0065914022, -0.0026286047, -0.0013441777,
     0.017050642, -0.0021309326, 0.00085092367, -1.5247877e-07),
)


def _beta_grad_alpha_small(xp, x, alpha, beta):
    factor = _digamma_kernel(xp, alpha) - _digamma_kernel(xp, alpha + beta) - xp.log(x)
    numer = xp.ones_like(x)
    series = numer / alpha * (factor + 1 / alpha)
    for i in range(1, 11):
        numer = numer * ((i - beta) * x / i)
        denom = alpha + i
        series = series + numer / denom * (factor + 1 / denom)
    res = x * (1 - x) ** -beta * series
    return xp.where(xp.isnan(res), 0.0, res)


def _beta_grad_beta_small(xp, x, alpha, beta):
    factor = _digamma_kernel(xp, alpha + beta) - _digamma_kernel(xp, beta)
    numer = xp.ones_like(x)
    betas = xp.ones_like(x)
    dbetas = xp.zeros_like(x)
    series = factor / alpha
    for i in range(1, 9):
        numer = numer * (-x / i)
        dbetas = dbetas * (beta - i) + betas
        betas = betas * (beta - i)
        series = series + numer / (alpha + i) * (dbetas + factor * betas)
    res = -(1 - x) ** (1 - beta) * series
    return xp.where(xp.isnan(res), 0.0, res)


def _beta_grad_alpha_mid(xp, x, alpha, beta):
    total = alpha + beta
    mean = alpha / total
    std = xp.sqrt(alpha * beta / (total + 1)) / total
    near = (mean - 0.1 * std <= x) & (x <= mean + 0.1 * std)
    bb = beta * beta
    poly = 47 * x * bb * bb + alpha * (
        (43 + 20 * (16 + 27 * beta) * x) * bb * beta + alpha * (
            3 * (59 + 180 * beta - 90 * x) * bb + alpha * (
                (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (
                    8 * (1 - x) * (135 * beta - 11)))))
    pre_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
    pre_den = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total)
    r_near = pre_num / (1 - x) * poly / pre_den
    prefactor = -x / xp.sqrt(2 * alpha * beta / total)
    stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha))
                * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    term1_num = 2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * bb
    axbx = alpha * (x - 1) + beta * x
    term1_den = xp.sqrt(2 * alpha / beta) * total ** 1.5 * axbx * axbx
    term1 = term1_num / term1_den
    term2 = 0.5 * xp.log(alpha / (total * x))
    term3 = xp.sqrt(8 * alpha * beta / total) / (beta * x + alpha * (x - 1))
    t4b = beta * xp.log(beta / (total * (1 - x))) + alpha * xp.log(alpha / (total * x))
    term4 = xp.abs(t4b) ** -1.5
    r_far = stirling * prefactor * (term1 + term2 * (term3 + xp.where(x < mean, term4, -term4)))
    return xp.where(near, r_near, r_far)


_DIR_C = (
    (((1.003668233, -0.01061107488, -0.0657888334, 0.01201642863),
      (0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033),
      (-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013)),
     ((0.221950385, -0.3187676331, 0.01799915743, 0.01074823814),
      (-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057),
      (0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05)),
     ((-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565),
      (0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181),
      (0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05))),
    (((1, -0.02924021934, -0.04438342661, 0.007285809825),
      (0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521),
      (-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149)),
     ((0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273),
      (0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956),
      (-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05)),
     ((0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05),
      (0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05),
      (-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06))),
)


def dirichlet_grad(x, alpha, total):
    """The scaled reparameterised gradient ``-(d/dalpha cdf(x; alpha, total - alpha)) /
    pdf(x; alpha, total - alpha) / (1 - x)`` of a Beta marginal of a Dirichlet sample (ATen's
    ``dirichlet_grad_one``). Arrays in, a float64 array out."""
    xp = get_xp(x)
    x, alpha, total = xp.broadcast_arrays(_f64(xp, x), _f64(xp, alpha), _f64(xp, total))
    out = xp.empty(x.shape)
    beta = total - alpha
    boundary = total * x * (1 - x)
    near0 = (x <= 0.5) & (boundary < 2.5)
    if near0.any():
        out[near0] = _beta_grad_alpha_small(xp, x[near0], alpha[near0], beta[near0])
    near1 = ~near0 & (x >= 0.5) & (boundary < 0.75)
    if near1.any():
        out[near1] = -_beta_grad_beta_small(xp, 1 - x[near1], beta[near1], alpha[near1])
    mid = ~near0 & ~near1 & (alpha > 6) & (beta > 6)
    if mid.any():
        out[mid] = _beta_grad_alpha_mid(xp, x[mid], alpha[mid], beta[mid])
    rest = ~near0 & ~near1 & ~mid
    if rest.any():
        xr, ar, tr = x[rest], alpha[rest], total[rest]
        u = xp.log(xr)
        a = xp.log(ar) - u
        b = xp.log(tr) - a
        pow_u = (1.0, u, u * u)
        pow_a = (1.0, a, a * a)
        p = 0.0
        q = 0.0
        for i in range(3):
            for j in range(3):
                ua = pow_u[i] * pow_a[j]
                c0, c1 = _DIR_C[0][i][j], _DIR_C[1][i][j]
                p = p + ua * (c0[0] + b * (c0[1] + b * (c0[2] + b * c0[3])))
                q = q + ua * (c1[0] + b * (c1[1] + b * (c1[2] + b * c1[3])))
        approx = xr * (_digamma_kernel(xp, tr) - _digamma_kernel(xp, ar)) / (tr - ar)
        out[rest] = p / q * approx
    return out


def _constant(like, arr):
    """``arr`` as a Tensor with no history, or as is when ``like`` is an array."""
    if isinstance(like, Tensor):
        return _make(arr, False, None, 0)
    return arr


def _data(a):
    return a._data if isinstance(a, Tensor) else a
