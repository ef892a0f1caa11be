"""Intra-op threads: torch's thread API, and the ops that split over threads give the same
results as torch when they do."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.backend import threads


@pytest.fixture
def two_threads(monkeypatch):
    """Split every op that can split, however small (the suite runs with one thread)."""
    monkeypatch.setattr(threads, "THREAD_FLOPS", 0)
    monkeypatch.setattr(threads, "_num_threads", 2)


def test_set_and_get_num_threads(monkeypatch):
    monkeypatch.setattr(threads, "_num_threads", threads._num_threads)
    ember.set_num_threads(3)
    assert ember.get_num_threads() == 3
    for bad in (0, -1, 1.5):
        for lib in (ember, torch):  # the same error type and words as torch's
            with pytest.raises(RuntimeError, match="set_num_threads expects"):
                lib.set_num_threads(bad)
    assert ember.get_num_interop_threads() >= 1


def test_set_num_threads_puts_blas_on_one_thread(monkeypatch):
    pytest.importorskip("threadpoolctl")
    from threadpoolctl import threadpool_info, threadpool_limits
    monkeypatch.setattr(threads, "_num_threads", threads._num_threads)
    with threadpool_limits(2, user_api="blas"):
        ember.set_num_threads(2)
        assert all(i["num_threads"] == 1 for i in threadpool_info() if i["user_api"] == "blas")


@pytest.mark.parametrize("shape", [((7, 5), (5, 3)), ((3, 5), (5, 8)), ((4, 6, 5), (4, 5, 3)),
                                   ((1, 5), (5, 3))],
                         ids=str)
def test_split_matmul_matches_numpy(two_threads, shape):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(shape[0]), rng.standard_normal(shape[1])
    np.testing.assert_allclose(threads.matmul(np, a, b), a @ b, rtol=1e-13)
    out = np.empty(shape[0][:-1] + shape[1][-1:])
    assert threads.matmul(np, a, b, out=out) is out
    np.testing.assert_allclose(out, a @ b, rtol=1e-13)


def test_linear_split_over_threads_matches_torch(two_threads):
    rng = np.random.default_rng(1)
    x, w, b = (rng.standard_normal(s) for s in ((9, 2, 6), (5, 6), (5,)))
    grads = {}
    for lib in (ember, torch):
        xs, ws, bs = (lib.tensor(v, requires_grad=True) for v in (x, w, b))
        out = lib.nn.functional.linear(xs, ws, bs)
        (out * out).sum().backward()
        grads[lib] = [out.detach().numpy()] + [t.grad.numpy() for t in (xs, ws, bs)]
    for e, t in zip(grads[ember], grads[torch]):
        np.testing.assert_allclose(e, t, rtol=1e-12)


def test_linear_double_backward_with_threads(two_threads):
    """Under create_graph the products run on Tensors (recorded), not split."""
    for lib in (ember, torch):
        x = lib.tensor(np.linspace(-1, 1, 12).reshape(4, 3), requires_grad=True)
        w = lib.tensor(np.linspace(0.5, -0.5, 6).reshape(2, 3), requires_grad=True)
        y = lib.nn.functional.linear(x, w).pow(2).sum()
        (gx,) = lib.autograd.grad(y, x, create_graph=True)
        gx.sum().backward()
        if lib is ember:
            e = w.grad.numpy().copy()
    np.testing.assert_allclose(e, w.grad.numpy(), rtol=1e-12)
