"""Embedding, EmbeddingBag, F.embedding, F.embedding_bag and F.one_hot against torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.autograd import gradcheck, gradgradcheck
from tests.nn.layercheck import check_layer

F = ember.nn.functional
TF = torch.nn.functional
rng = np.random.default_rng(0)
IDX = rng.integers(0, 10, (4, 5))
FLAT = IDX.reshape(-1)

LAYERS = [
    ("emb", lambda nn: nn.Embedding(10, 3), [IDX]),
    ("emb_pad", lambda nn: nn.Embedding(10, 3, padding_idx=2), [IDX]),
    ("emb_pad_neg", lambda nn: nn.Embedding(10, 3, padding_idx=-1), [IDX]),
    ("emb_maxnorm", lambda nn: nn.Embedding(10, 3, max_norm=1.0), [IDX]),
    ("emb_maxnorm_p1", lambda nn: nn.Embedding(10, 3, max_norm=0.5, norm_type=1.0), [IDX]),
    ("emb_freq", lambda nn: nn.Embedding(10, 3, scale_grad_by_freq=True), [IDX]),
    ("emb_3d_int32", lambda nn: nn.Embedding(10, 2), [IDX.reshape(2, 2, 5).astype("int32")]),
    ("bag_mean", lambda nn: nn.EmbeddingBag(10, 3), [IDX]),
    ("bag_sum_pad", lambda nn: nn.EmbeddingBag(10, 3, mode="sum", padding_idx=1), [IDX]),
    ("bag_mean_pad", lambda nn: nn.EmbeddingBag(10, 3, padding_idx=IDX[0, 0]), [IDX]),
    ("bag_max", lambda nn: nn.EmbeddingBag(10, 3, mode="max"), [IDX]),
    ("bag_max_pad", lambda nn: nn.EmbeddingBag(10, 3, mode="max", padding_idx=3), [IDX]),
    ("bag_offsets", lambda nn: nn.EmbeddingBag(10, 3, mode="sum"),
     [FLAT, np.array([0, 3, 3, 10])]),
    ("bag_max_offsets", lambda nn: nn.EmbeddingBag(10, 3, mode="max"),
     [FLAT, np.array([0, 3, 3, 10])]),
    ("bag_last_offset",
     lambda nn: nn.EmbeddingBag(10, 3, include_last_offset=True, padding_idx=0),
     [FLAT, np.array([0, 3, 3, 10, 20])]),
    ("bag_psw", lambda nn: nn.EmbeddingBag(10, 3, mode="sum"),
     [FLAT, np.array([0, 3, 3, 10]), rng.standard_normal(20)]),
    ("bag_psw_2d", lambda nn: nn.EmbeddingBag(10, 3, mode="sum", padding_idx=4),
     [IDX, None, rng.standard_normal((4, 5))]),
    # unique indices: torch 2.13's CPU scale_grad_by_freq for bags divides by a wrong count
    # when counts differ (pytorch#190063); here every count is one
    ("bag_freq", lambda nn: nn.EmbeddingBag(10, 3, mode="sum", scale_grad_by_freq=True),
     [rng.permutation(10)[:8].reshape(2, 4)]),
    ("bag_maxnorm", lambda nn: nn.EmbeddingBag(10, 3, max_norm=1.0), [IDX]),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,make,inputs", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_matches_torch(name, make, inputs, dtype):
    t, e = check_layer(make, inputs, dtype=dtype)
    # max_norm renormalises the weight in place, as torch
    np.testing.assert_allclose(e.weight.detach().numpy(), t.weight.detach().numpy(),
                               rtol=1e-5)


@pytest.mark.parametrize("name,make,inputs", LAYERS, ids=[c[0] for c in LAYERS])
def test_repr_and_keys(name, make, inputs):
    t, e = make(torch.nn), make(ember.nn)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())


def test_padding_row_initialised_to_zero_and_scale_grad_by_freq_semantics():
    e = ember.nn.Embedding(5, 2, padding_idx=3)
    assert float(e.weight[3].abs().sum().item()) == 0.0
    bag = ember.nn.EmbeddingBag(4, 1, mode="sum", scale_grad_by_freq=True)
    F.embedding_bag(ember.tensor([[1, 1, 3]]), bag.weight, mode="sum",
                    scale_grad_by_freq=True).sum().backward()
    # every index contributes in total 1 (documented semantics; torch 2.13 CPU gives 0.5 for
    # row 3, pytorch#190063)
    np.testing.assert_allclose(bag.weight.grad.numpy()[:, 0], [0, 1, 0, 1])


def test_from_pretrained():
    w = rng.standard_normal((4, 3))
    for freeze in (True, False):
        t = torch.nn.Embedding.from_pretrained(torch.tensor(w), freeze=freeze, padding_idx=1)
        e = ember.nn.Embedding.from_pretrained(ember.tensor(w), freeze=freeze, padding_idx=1)
        assert e.weight.requires_grad == t.weight.requires_grad
        assert repr(e) == repr(t)
        tb = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), freeze=freeze, mode="max")
        eb = ember.nn.EmbeddingBag.from_pretrained(ember.tensor(w), freeze=freeze, mode="max")
        assert eb.weight.requires_grad == tb.weight.requires_grad
        x = np.array([[0, 1], [3, 2]])
        np.testing.assert_allclose(eb(ember.tensor(x)).detach().numpy(),
                                   tb(torch.tensor(x)).detach().numpy())


def test_embedding_gradcheck_and_double_backward():
    idx = ember.tensor(IDX)
    w = ember.tensor(rng.standard_normal((10, 3)), requires_grad=True)
    assert gradcheck(lambda w: F.embedding(idx, w) ** 2, (w,))
    assert gradgradcheck(lambda w: F.embedding(idx, w) ** 2, (w,))
    psw = ember.tensor(rng.standard_normal(20), requires_grad=True)
    offs = ember.tensor([0, 3, 3, 10])
    fl = ember.tensor(FLAT)
    assert gradcheck(lambda w, p: F.embedding_bag(fl, w, offs, mode="sum",
                                                  per_sample_weights=p) ** 2, (w, psw))
    assert gradgradcheck(lambda w, p: F.embedding_bag(fl, w, offs, mode="sum",
                                                      per_sample_weights=p) ** 2, (w, psw))
    assert gradcheck(lambda w: F.embedding_bag(idx, w, mode="max"), (w,))


def test_embedding_backward_is_scatter_add_of_rows():
    """A large lookup: the weight gradient equals np.add.at's."""
    idx = rng.integers(0, 50, 5000)
    g = rng.standard_normal((5000, 8))
    w = ember.tensor(rng.standard_normal((50, 8)), requires_grad=True)
    F.embedding(ember.tensor(idx), w).backward(ember.tensor(g))
    ref = np.zeros((50, 8))
    np.add.at(ref, idx, g)
    np.testing.assert_allclose(w.grad.numpy(), ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("num_classes", [-1, 7])
def test_one_hot(num_classes):
    x = rng.integers(0, 5, (3, 4))
    e = F.one_hot(ember.tensor(x), num_classes)
    t = TF.one_hot(torch.tensor(x), num_classes)
    assert e.dtype == ember.int64
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    assert F.one_hot(ember.zeros(0, dtype=ember.int64), 3).shape == (0, 3)


ERRORS = [
    ("oob", lambda lib: lib.nn.functional.embedding(lib.tensor([5]), lib.zeros(3, 2))),
    ("neg", lambda lib: lib.nn.functional.embedding(lib.tensor([-1]), lib.zeros(3, 2))),
    ("float_idx", lambda lib: lib.nn.functional.embedding(lib.tensor([1.0]), lib.zeros(3, 2))),
    ("pad_range", lambda lib: lib.nn.Embedding(3, 2, padding_idx=3)),
    ("bag_offsets0", lambda lib: lib.nn.functional.embedding_bag(
        lib.tensor([1, 2]), lib.zeros(3, 2), lib.tensor([1]))),
    ("bag_2d_offsets", lambda lib: lib.nn.functional.embedding_bag(
        lib.tensor([[1, 2]]), lib.zeros(3, 2), lib.tensor([0]))),
    ("bag_1d_no_offsets", lambda lib: lib.nn.functional.embedding_bag(
        lib.tensor([1, 2]), lib.zeros(3, 2))),
    ("bag_mode", lambda lib: lib.nn.functional.embedding_bag(
        lib.tensor([[1, 2]]), lib.zeros(3, 2), mode="min")),
    ("bag_psw_mean", lambda lib: lib.nn.functional.embedding_bag(
        lib.tensor([[1, 2]]), lib.zeros(3, 2), per_sample_weights=lib.ones(1, 2))),
    ("bag_psw_shape", lambda lib: lib.nn.functional.embedding_bag(
        lib.tensor([[1, 2]]), lib.zeros(3, 2), mode="sum", per_sample_weights=lib.ones(2))),
    ("bag_max_freq", lambda lib: lib.nn.functional.embedding_bag(
        lib.tensor([[1, 2]]), lib.zeros(3, 2), mode="max", scale_grad_by_freq=True)),
    ("bag_3d", lambda lib: lib.nn.functional.embedding_bag(
        lib.zeros(1, 1, 1, dtype=lib.int64), lib.zeros(3, 2))),
    ("onehot_float", lambda lib: lib.nn.functional.one_hot(lib.tensor([1.0]))),
    ("onehot_big", lambda lib: lib.nn.functional.one_hot(lib.tensor([3]), 2)),
    ("onehot_neg", lambda lib: lib.nn.functional.one_hot(lib.tensor([-1]))),
    ("onehot_empty", lambda lib: lib.nn.functional.one_hot(lib.zeros(0, dtype=lib.int64))),
]


@pytest.mark.parametrize("name,fn", ERRORS, ids=[c[0] for c in ERRORS])
def test_errors_match_torch(name, fn):
    with pytest.raises(Exception) as te:
        fn(torch)
    with pytest.raises(type(te.value)):
        fn(ember)
