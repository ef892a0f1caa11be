"""The Gamma distribution, with reparameterised samples by implicit differentiation."""
from __future__ import annotations

import ember
from ..ops.random import _finish, _generator
from . import constraints
from ._special import (_constant, _data, _ReparameterizedSample, digamma, gammainc, lgamma,
                       standard_gamma_grad)
from .exp_family import ExponentialFamily

__all__ = ["Gamma"]


def _sample_standard_gamma(concentration):
    """Draws from Gamma(concentration, 1) with ember's generator (no history); samples are
    clamped to the smallest positive normal number of their dtype, as in torch."""
    alpha = concentration.detach()._host()
    x = _generator(None, concentration.device).standard_gamma(alpha.astype("float64"),
                                                              size=alpha.shape)
    tiny = ember.finfo(concentration.dtype).tiny
    x[x < tiny] = tiny
    return _finish(x, alpha.dtype, concentration.device)


class _StandardGamma(_ReparameterizedSample):
    """A standard Gamma sample ``x`` of ``concentration``; its gradient is the implicit
    reparameterisation ``dx/dalpha = -(dCDF(x; alpha)/dalpha) / pdf(x; alpha)``."""

    @staticmethod
    def backward(ctx, g):
        alpha, x = ctx.saved_tensors
        grad = standard_gamma_grad(_data(alpha), _data(x)).astype(_data(x).dtype)
        return g * _constant(alpha, grad), None


def _standard_gamma(concentration):
    return _StandardGamma.apply(concentration, _sample_standard_gamma(concentration))


class Gamma(ExponentialFamily):
    r"""
    Creates a Gamma distribution parameterized by shape :attr:`concentration` and
    :attr:`rate`.

    Example::

        >>> m = Gamma(ember.tensor([1.0]), ember.tensor([1.0]))
        >>> bool((m.sample() > 0).all())  # Gamma distributed with concentration=1 and rate=1
        True

    Args:
        concentration (float or Tensor): shape parameter of the distribution
            (often referred to as alpha)
        rate (float or Tensor): rate parameter of the distribution
            (often referred to as beta), rate = 1 / scale
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def __init__(self, concentration, rate, validate_args=None):
        batch_shape = self._broadcast_params(concentration=concentration, rate=rate)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Gamma, batch_shape, _instance, "concentration", "rate")

    def rsample(self, sample_shape=ember.Size()):
        shape = self._extended_shape(sample_shape)
        value = _standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        data = value._data  # clamp without recording it in the autograd graph
        tiny = ember.finfo(value.dtype).tiny
        data[data < tiny] = tiny
        return value

    def log_prob(self, value):
        value = ember.as_tensor(value, dtype=self.rate.dtype, device=self.rate.device)
        if self._validate_args:
            self._validate_sample(value)
        return (ember.xlogy(self.concentration, self.rate)
                + ember.xlogy(self.concentration - 1, value)
                - self.rate * value
                - lgamma(self.concentration))

    def entropy(self):
        return (self.concentration - ember.log(self.rate) + lgamma(self.concentration)
                + (1.0 - self.concentration) * digamma(self.concentration))

    @property
    def _natural_params(self):
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x, y):
        return lgamma(x + 1) + (x + 1) * ember.log(-y.reciprocal())

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return gammainc(self.concentration, self.rate * value)
