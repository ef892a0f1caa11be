"""The Dirichlet distribution, with reparameterised samples by implicit differentiation."""
from __future__ import annotations

import ember
from ..ops.random import _finish, _generator
from . import constraints
from ._special import _constant, _data, _ReparameterizedSample, digamma, dirichlet_grad, lgamma
from .exp_family import ExponentialFamily

__all__ = ["Dirichlet"]


def _sample_dirichlet(concentration):
    """Draws from Dirichlet(concentration) with ember's generator (no history): normalised
    Gamma draws, each clamped to the smallest positive normal number of the dtype."""
    alpha = concentration.detach()._host()
    g = _generator(None, concentration.device).standard_gamma(alpha.astype("float64"),
                                                              size=alpha.shape)
    tiny = ember.finfo(concentration.dtype).tiny
    g[g < tiny] = tiny
    x = g / g.sum(-1, keepdims=True)
    x[x < tiny] = tiny
    return _finish(x, alpha.dtype, concentration.device)


class _Dirichlet(_ReparameterizedSample):
    """A Dirichlet sample ``x`` of ``concentration`` with torch's reparameterised gradient
    (each coordinate through its Beta marginal, corrected for the simplex constraint)."""

    @staticmethod
    def backward(ctx, g):
        concentration, x = ctx.saved_tensors
        xa, ca = _data(x), _data(concentration)
        total = ca.sum(-1, keepdims=True)
        grad = _constant(x, dirichlet_grad(xa, ca, total).astype(xa.dtype))
        return grad * (g - (x * g).sum(axis=-1, keepdims=True)), None


class Dirichlet(ExponentialFamily):
    r"""
    Creates a Dirichlet distribution parameterized by concentration :attr:`concentration`.

    Example::

        >>> m = Dirichlet(ember.tensor([0.5, 0.5]))
        >>> round(m.sample().sum().item(), 4)  # Dirichlet distributed with concentration [0.5, 0.5]
        1.0

    Args:
        concentration (Tensor): concentration parameter of the distribution
            (often referred to as alpha)
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        batch_shape, event_shape = concentration.shape[:-1], concentration.shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = ember.Size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape + self.event_shape)
        return self._finish_expand(Dirichlet, new, batch_shape, self.event_shape)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        concentration = self.concentration.expand(shape)
        return _Dirichlet.apply(concentration, _sample_dirichlet(concentration))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return (ember.xlogy(self.concentration - 1.0, value).sum(-1)
                + lgamma(self.concentration.sum(-1))
                - lgamma(self.concentration).sum(-1))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        concentrationm1 = (self.concentration - 1).clamp(min=0.0)
        mode = concentrationm1 / concentrationm1.sum(-1, True)
        mask = (self.concentration < 1).all(dim=-1)
        mode[mask] = ember.nn.functional.one_hot(mode[mask].argmax(dim=-1),
                                                 concentrationm1.shape[-1]).to(mode)
        return mode

    @property
    def variance(self):
        con0 = self.concentration.sum(-1, True)
        return self.concentration * (con0 - self.concentration) / (con0.pow(2) * (con0 + 1))

    def entropy(self):
        k = self.concentration.size(-1)
        a0 = self.concentration.sum(-1)
        return (lgamma(self.concentration).sum(-1) - lgamma(a0) - (k - a0) * digamma(a0)
                - ((self.concentration - 1.0) * digamma(self.concentration)).sum(-1))

    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, x):
        return lgamma(x).sum(-1) - lgamma(x.sum(-1))
