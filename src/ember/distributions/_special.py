"""The implicit reparameterisation gradients of Gamma and Dirichlet samples, and (re-exported
from :mod:`ember.ops.special`, where they live as ops with gradients) the special functions
the distributions need: ``lgamma``, ``digamma``, ``polygamma`` and ``gammainc``.

The algorithms are those of ATen's ``standard_gamma_grad_one`` and ``dirichlet_grad_one``, so
the values agree with torch's to a few ulps.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..backend import get_xp
from .._tensor import Tensor, _make
from ..ops.special import (_digamma_kernel, _f64, _gammainc_kernel, _lgamma_kernel,  # noqa: F401
                           _polygamma_kernel, digamma, gammainc, lgamma, polygamma)

__all__ = ["lgamma", "digamma", "polygamma", "gammainc", "standard_gamma_grad",
           "dirichlet_grad"]

_F32 = {0.8: 0.800000011920929, 0.9: 0.8999999761581421, 1.1: 1.100000023841858}


# ---------------------------------------------------------------- reparameterised gradients
class _ReparameterizedSample(Function):
    """Base of the autograd functions that give a sample drawn outside the graph (Gamma,
    Dirichlet) its implicit reparameterisation gradient: ``forward(concentration, sample)``
    passes the sample through and saves both; subclasses define ``backward``."""
    _arrays = True

    @staticmethod
    def forward(ctx, concentration, sample):
        ctx.save_for_backward(concentration, sample)
        return sample.copy()


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
