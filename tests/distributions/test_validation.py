"""Argument and value validation: the same ValueErrors as torch, and the switch to turn it
off (``validate_args`` and ``Distribution.set_default_validate_args``)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED
from .cases import E, T


def _both(build, *args):
    """build(D, conv) must raise the same exception type in ember and torch."""
    with pytest.raises(Exception) as et:
        build(TD, T)
    with pytest.raises(type(et.value)) as ee:
        build(ED, E)
    return str(ee.value), str(et.value)


BAD_PARAMS = [
    lambda D, c: D.Normal(c([0.0, 1.0]), c([1.0, -1.0])),
    lambda D, c: D.Normal(c([np.nan]), c([1.0])),
    lambda D, c: D.Laplace(c([0.0]), c([0.0])),
    lambda D, c: D.Bernoulli(probs=c([0.5, 1.5])),
    lambda D, c: D.Bernoulli(probs=c([0.5]), logits=c([0.0])),
    lambda D, c: D.Bernoulli(),
    lambda D, c: D.Categorical(probs=c([0.5, -0.5, 1.0])),
    lambda D, c: D.Categorical(probs=c(0.5)),
    lambda D, c: D.Categorical(logits=c(0.5)),
    lambda D, c: D.Categorical(logits=c([0.0, np.nan])),
    lambda D, c: D.OneHotCategorical(probs=c([0.5, -0.5, 1.0])),
    lambda D, c: D.Uniform(c([1.0]), c([0.0])),
    lambda D, c: D.Beta(c([0.5]), c([-1.0])),
    lambda D, c: D.Gamma(c([0.0]), c([1.0])),
    lambda D, c: D.Dirichlet(c([1.0, -1.0])),
    lambda D, c: D.Dirichlet(c(1.0)),
    lambda D, c: D.Exponential(c([-1.0])),
    lambda D, c: D.MultivariateNormal(c(0.0), covariance_matrix=c(np.eye(2))),
    lambda D, c: D.MultivariateNormal(c(np.zeros(2))),
    lambda D, c: D.MultivariateNormal(c(np.zeros(2)), covariance_matrix=c(np.eye(2)),
                                      scale_tril=c(np.eye(2))),
    lambda D, c: D.MultivariateNormal(c(np.zeros(2)), covariance_matrix=c([[1.0, 2.0],
                                                                            [2.0, 1.0]])),
    lambda D, c: D.MultivariateNormal(c(np.zeros(2)), scale_tril=c([[1.0, 1.0], [0.0, 1.0]])),
    lambda D, c: D.MultivariateNormal(c(np.zeros(2)), scale_tril=c(np.ones(2))),
    lambda D, c: D.MultivariateNormal(c(np.zeros(2)), covariance_matrix=c(np.ones(2))),
    lambda D, c: D.MultivariateNormal(c(np.zeros(2)), precision_matrix=c(np.ones(2))),
    lambda D, c: D.Independent(D.Normal(c([0.0]), c([1.0])), 2),
]


@pytest.mark.parametrize("build", BAD_PARAMS)
def test_invalid_parameters(build):
    msg_e, msg_t = _both(build)
    if msg_t.startswith("Expected parameter"):
        # same parameter, shape and constraint named
        assert msg_e.split(" of distribution")[0] == msg_t.split(" of distribution")[0]
        assert msg_e.split("to satisfy the constraint")[1].split(",")[0] == \
            msg_t.split("to satisfy the constraint")[1].split(",")[0]
    else:
        assert msg_e == msg_t


BAD_VALUES = [
    (lambda D, c: D.Normal(c([0.0, 1.0]), c([1.0, 1.0])), [np.nan, 0.0]),
    (lambda D, c: D.Normal(c([0.0, 1.0]), c([1.0, 1.0])), [0.0, 0.0, 0.0]),
    (lambda D, c: D.Bernoulli(c([0.3])), [0.5]),
    (lambda D, c: D.Categorical(c([0.3, 0.7])), [2.0]),
    (lambda D, c: D.OneHotCategorical(c([0.3, 0.7])), [1.0, 1.0]),
    (lambda D, c: D.OneHotCategorical(c([0.3, 0.7])), [1.0, 0.0, 0.0]),
    (lambda D, c: D.Uniform(c([0.0]), c([1.0])), [1.5]),
    (lambda D, c: D.Beta(c([2.0]), c([1.0])), [1.5]),
    (lambda D, c: D.Gamma(c([2.0]), c([1.0])), [-1.0]),
    (lambda D, c: D.Exponential(c([2.0])), [-1.0]),
    (lambda D, c: D.Dirichlet(c([2.0, 1.0])), [0.3, 0.3]),
    (lambda D, c: D.MultivariateNormal(c(np.zeros(2)), c(np.eye(2))), [0.0, 0.0, 0.0]),
    (lambda D, c: D.Independent(D.Normal(c(np.zeros(2)), c(np.ones(2))), 1), [np.nan, 0.0]),
]


@pytest.mark.parametrize("build,value", BAD_VALUES)
def test_invalid_values(build, value):
    msg_e, msg_t = _both(lambda D, c: build(D, c).log_prob(c(value)))
    assert msg_e.split("(")[0].replace("ember", "torch") == msg_t.split("(")[0]


def test_value_must_be_tensor():
    _both(lambda D, c: D.Normal(c([0.0]), c([1.0])).log_prob([0.0]))


def test_validate_args_switch():
    ED.Normal(E([0.0]), E([-1.0]), validate_args=False)  # no error
    assert ED.Distribution._validate_args is True
    ED.Distribution.set_default_validate_args(False)
    try:
        d = ED.Normal(E([0.0]), E([-1.0]))
        assert not d._validate_args
        d.log_prob(E([np.nan]))
    finally:
        ED.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        ED.Normal(E([0.0]), E([-1.0]))
    with pytest.raises(ValueError):
        ED.Distribution.set_default_validate_args(3)
    assert not ED.Normal(E([0.0]), E([1.0]), validate_args=False).expand((2,))._validate_args
    with pytest.raises(ValueError):
        ED.Normal(E([0.0]), E([1.0]), validate_args=True).expand((2,)).log_prob(E([np.nan]))


def test_repr_and_shapes():
    d = ED.Normal(E([0.0, 1.0]), E([1.0, 2.0]))
    t = TD.Normal(T([0.0, 1.0]), T([1.0, 2.0]))
    assert repr(d).replace("ember", "torch") == repr(t)
    assert repr(ED.Normal(0.0, 1.0)) == repr(TD.Normal(0.0, 1.0))
    assert isinstance(d.batch_shape, ember.Size)
    assert ED.Normal(0.0, 1.0).batch_shape == ember.Size()
    with pytest.warns(UserWarning, match="does not define `arg_constraints`"):
        base = ED.Distribution()
    with pytest.raises(NotImplementedError):
        base.mean  # noqa: B018
    assert isinstance(torch.Size(), tuple) and isinstance(ember.Size(), tuple)


def test_broadcast_all_rejects_non_numbers():
    with pytest.raises(ValueError):
        ED.utils.broadcast_all(E([0.0]), "a")


def test_probs_logits_conversions(rng):
    p = rng.uniform(0.05, 0.95, 4)
    for binary in (True, False):
        np.testing.assert_allclose(
            ED.utils.probs_to_logits(E(p), binary).numpy(),
            TD.utils.probs_to_logits(T(p), binary).numpy(), rtol=1e-12)
        np.testing.assert_allclose(
            ED.utils.logits_to_probs(E(p), binary).numpy(),
            TD.utils.logits_to_probs(T(p), binary).numpy(), rtol=1e-12)
    v = rng.normal(size=(2, 6))
    m = ED.utils.vec_to_tril_matrix(E(v))
    np.testing.assert_array_equal(m.numpy(), TD.utils.vec_to_tril_matrix(T(v)).numpy())
    np.testing.assert_array_equal(ED.utils.tril_matrix_to_vec(m).numpy(), v)
    with pytest.raises(ValueError):
        ED.utils.vec_to_tril_matrix(E(np.zeros(5)))
