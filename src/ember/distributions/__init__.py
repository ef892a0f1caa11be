r"""
The ``distributions`` package contains parameterizable probability distributions
and sampling functions, with PyTorch's API (``torch.distributions``). This allows the
construction of stochastic computation graphs and stochastic gradient estimators for
optimization.

Score function (REINFORCE)::

    >>> import ember
    >>> probs = ember.tensor([0.2, 0.3, 0.5], requires_grad=True)
    >>> m = Categorical(probs)
    >>> action = m.sample()
    >>> loss = -m.log_prob(action) * 1.5
    >>> loss.backward()

Pathwise derivative (reparameterisation)::

    >>> loc = ember.zeros(3, requires_grad=True)
    >>> m = Normal(loc, ember.ones(3))
    >>> m.rsample().sum().backward()
    >>> loc.grad
    tensor([1., 1., 1.])
"""
from __future__ import annotations

from . import constraints, kl, utils
from .bernoulli import Bernoulli
from .beta import Beta
from .categorical import Categorical
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .gamma import Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .uniform import Uniform

__all__ = [
    "Bernoulli", "Beta", "Categorical", "Dirichlet", "Distribution", "Exponential",
    "ExponentialFamily", "Gamma", "Independent", "Laplace", "MultivariateNormal", "Normal",
    "OneHotCategorical", "OneHotCategoricalStraightThrough", "Uniform", "constraints",
    "kl_divergence", "register_kl", "utils", "kl",
]
