"""Flatten, Unflatten, CosineSimilarity, PairwiseDistance, Bilinear and the functionals
normalize, cosine_similarity, pairwise_distance, pdist, cdist, bilinear against torch."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck, gradgradcheck
from tests.nn.layercheck import check_layer

F = ember.nn.functional
TF = torch.nn.functional
rng = np.random.default_rng(0)


def r(*shape):
    return rng.standard_normal(shape)


LAYERS = [
    ("flatten", lambda nn: nn.Flatten(), [r(2, 3, 4)]),
    ("flatten_range", lambda nn: nn.Flatten(0, 1), [r(2, 3, 4)]),
    ("unflatten", lambda nn: nn.Unflatten(1, (2, 2)), [r(3, 4, 2)]),
    ("unflatten_list", lambda nn: nn.Unflatten(-1, [2, -1]), [r(3, 4)]),
    ("cos", lambda nn: nn.CosineSimilarity(), [r(3, 4), r(3, 4)]),
    ("cos_bcast", lambda nn: nn.CosineSimilarity(dim=0, eps=1e-3), [r(3, 4), r(1, 4)]),
    ("cos_zero", lambda nn: nn.CosineSimilarity(dim=1), [np.zeros((2, 3)), r(2, 3)]),
    ("pdist2", lambda nn: nn.PairwiseDistance(), [r(3, 4), r(3, 4)]),
    ("pdist1_keep", lambda nn: nn.PairwiseDistance(p=1, keepdim=True), [r(3, 4), r(3, 4)]),
    ("pdist_inf_1d", lambda nn: nn.PairwiseDistance(p=math.inf), [r(4), r(4)]),
    ("pdist_bcast", lambda nn: nn.PairwiseDistance(p=3, eps=0.1), [r(3, 4), r(4)]),
    ("bilinear", lambda nn: nn.Bilinear(3, 4, 5), [r(6, 3), r(6, 4)]),
    ("bilinear_nobias_3d", lambda nn: nn.Bilinear(3, 4, 5, bias=False), [r(2, 6, 3), r(2, 6, 4)]),
    ("bilinear_1d", lambda nn: nn.Bilinear(2, 3, 4), [r(2), r(3)]),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,make,inputs", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_matches_torch(name, make, inputs, dtype):
    check_layer(make, inputs, dtype=dtype)
    t, e = make(torch.nn), make(ember.nn)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())


def _both(fn_e, fn_t, arrays, rtol=1e-7, atol=1e-9):
    """Values and gradients of every input, ember vs torch (float64)."""
    e_in = [ember.tensor(a, requires_grad=True) for a in arrays]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    e, t = fn_e(*e_in), fn_t(*t_in)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)
    w = r(*t.shape)
    (e * ember.tensor(w)).sum().backward()
    (t * torch.tensor(w)).sum().backward()
    for a, b in zip(e_in, t_in):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=rtol, atol=atol)


P_VALUES = [0, 0.5, 1, 1.5, 2, 3, math.inf]


@pytest.mark.parametrize("p", P_VALUES)
@pytest.mark.parametrize("mode", ["use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist",
                                  "use_mm_for_euclid_dist_if_necessary"])
def test_cdist(p, mode):
    x1 = r(5, 4)
    x1[1] = x1[0]
    x1[2, 1] = 7.0
    x2 = np.concatenate([x1[:2], r(6, 4)])   # zero distances and ties included
    _both(lambda a, b: F.cdist(a, b, p, mode), lambda a, b: torch.cdist(a, b, p, mode), [x1, x2])


def test_cdist_batched_broadcast_and_large():
    _both(lambda a, b: F.cdist(a, b, 1.0), lambda a, b: torch.cdist(a, b, 1.0),
          [r(2, 3, 4), r(1, 5, 4)])
    _both(lambda a, b: F.cdist(a, b), lambda a, b: torch.cdist(a, b), [r(30, 3), r(27, 3)],
          rtol=1e-6)


@pytest.mark.parametrize("p", P_VALUES)
def test_pdist(p):
    x = r(6, 3)
    x[2] = x[0]
    _both(lambda a: F.pdist(a, p), lambda a: torch.pdist(a, p), [x])


@pytest.mark.parametrize("p", [1, 2, 3, math.inf])
def test_normalize(p):
    x = r(3, 4, 2)
    x[0, :, 0] = 0
    _both(lambda a: F.normalize(a, p, dim=1), lambda a: TF.normalize(a, p, dim=1), [x])
    out_e, out_t = ember.empty(3, 4, 2, dtype=ember.float64), torch.empty(3, 4, 2,
                                                                          dtype=torch.float64)
    F.normalize(ember.tensor(x), p, 0, out=out_e)
    TF.normalize(torch.tensor(x), p, 0, out=out_t)
    np.testing.assert_allclose(out_e.numpy(), out_t.numpy(), rtol=1e-7)


def test_cosine_similarity_and_pairwise_distance_functionals():
    _both(lambda a, b: F.cosine_similarity(a, b, dim=-1),
          lambda a, b: TF.cosine_similarity(a, b, dim=-1), [r(2, 3, 4), r(3, 4)])
    _both(lambda a, b: F.pairwise_distance(a, b, 0.5, keepdim=True),
          lambda a, b: TF.pairwise_distance(a, b, 0.5, keepdim=True), [r(3, 4), r(3, 4)])
    _both(lambda a, b, w, c: F.bilinear(a, b, w, c), lambda a, b, w, c: TF.bilinear(a, b, w, c),
          [r(5, 3), r(5, 2), r(4, 3, 2), r(4)])


def test_gradcheck_float64():
    a = ember.tensor(r(4, 3), requires_grad=True)
    b = ember.tensor(r(5, 3), requires_grad=True)
    for p in (1.5, 2.0, 3.0):
        assert gradcheck(lambda a, b: F.cdist(a, b, p, "donot_use_mm_for_euclid_dist"), (a, b))
        assert gradcheck(lambda a: F.pdist(a, p), (a,))
    assert gradcheck(lambda a, b: F.cdist(a, b, 2.0, "use_mm_for_euclid_dist"), (a, b))
    assert gradgradcheck(lambda a, b: F.cdist(a, b, 2.0, "use_mm_for_euclid_dist"), (a, b))
    assert gradgradcheck(lambda a: F.pdist(a, 3.0), (a,))
    w = ember.tensor(r(2, 3, 3), requires_grad=True)
    assert gradcheck(lambda a, w: F.bilinear(a, a * 2, w), (a, w))
    assert gradcheck(lambda a, b: F.cosine_similarity(a[:, None], b[None], dim=-1), (a, b))


ERRORS = [
    ("cdist_cols", lambda lib: lib.cdist(lib.zeros(3, 4), lib.zeros(2, 5))),
    ("cdist_p", lambda lib: lib.cdist(lib.zeros(3, 4), lib.zeros(2, 4), p=-1)),
    ("cdist_1d", lambda lib: lib.cdist(lib.zeros(4), lib.zeros(2, 4))),
    ("cdist_mode", lambda lib: lib.cdist(lib.zeros(3, 4), lib.zeros(2, 4),
                                         compute_mode="fast")),
    ("pdist_3d", lambda lib: lib.pdist(lib.zeros(3, 4, 2))),
    ("pdist_p", lambda lib: lib.pdist(lib.zeros(3, 4), p=-1)),
    ("bilinear_in2", lambda lib: lib.nn.functional.bilinear(
        lib.zeros(3, 4), lib.zeros(3, 5), lib.zeros(6, 4, 4))),
    ("bilinear_batch", lambda lib: lib.nn.functional.bilinear(
        lib.zeros(3, 4), lib.zeros(2, 5), lib.zeros(6, 4, 5))),
    ("unflatten_type", lambda lib: lib.nn.Unflatten(1, 4)),
    ("unflatten_elem", lambda lib: lib.nn.Unflatten(1, (2, 2.0))),
    ("cos_shape", lambda lib: lib.nn.functional.cosine_similarity(lib.zeros(3, 4),
                                                                  lib.zeros(2, 4))),
]


@pytest.mark.parametrize("name,fn", ERRORS, ids=[c[0] for c in ERRORS])
def test_errors_match_torch(name, fn):
    with pytest.raises(Exception) as te:
        fn(torch)
    with pytest.raises(type(te.value)):
        fn(_Lib())


class _Lib:
    """``ember`` with torch's top-level cdist/pdist names pointing at the functionals (the
    top-level exports are not wired yet)."""

    def __getattr__(self, name):
        if name in ("cdist", "pdist"):
            return getattr(ember, name, getattr(ember.nn.functional, name))
        return getattr(ember, name)
