"""SGD and Adam(W) update large parameters block by block (so the passes of an update stay in
cache): the blocked path, its partial last block, the whole-array fallback for
non-contiguous arrays and the per-thread scratch must all give torch's results."""
import threading

import numpy as np
import pytest
import torch

import ember
import ember.optim as eoptim
from ember.optim import optimizer as _optimizer

SHAPES = [(130, 270), (40000,), (7,)]


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Blocks of 4-8k elements (float64), so that these shapes make several, the last one
    partial."""
    monkeypatch.setattr(_optimizer, "_WORKING_SET_BYTES", 1 << 18)

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True, maximize=True)),
]


def _ids(cases):
    return [f"{n}-" + "-".join(f"{k}={v}" for k, v in kw.items()) for n, kw in cases]


def _run(name, kwargs, dtype=np.float64, steps=8, transposed_grads=False, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    ep = [ember.nn.Parameter(ember.tensor(a.copy())) for a in arrays]
    tp = [torch.nn.Parameter(torch.tensor(a.copy())) for a in arrays]
    eo = getattr(eoptim, name)(ep, **kwargs)
    to = getattr(torch.optim, name)(tp, **kwargs)
    for _ in range(steps):
        for e, t in zip(ep, tp):
            g = rng.standard_normal(tuple(e.shape)).astype(dtype)
            if transposed_grads and g.ndim == 2:
                # a non-contiguous gradient (a transposed view) takes the whole-array path
                e.grad = ember.tensor(np.ascontiguousarray(g.T)).t()
                assert not e.grad._data.flags.c_contiguous
            else:
                e.grad = ember.tensor(g)
            t.grad = torch.tensor(g)
        eo.step()
        to.step()
    return eo, to, ep, tp


def _assert_close(ep, tp, rtol, atol=None):
    for e, t in zip(ep, tp):
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol,
                                   atol=rtol * 1e-3 if atol is None else atol)


@pytest.mark.parametrize("name,kwargs", CASES, ids=_ids(CASES))
def test_blocked_matches_torch(name, kwargs):
    eo, to, ep, tp = _run(name, kwargs)
    _assert_close(ep, tp, 1e-9)
    es, ts = eo.state_dict()["state"], to.state_dict()["state"]
    assert list(es) == list(ts)
    for i in ts:
        assert list(es[i]) == list(ts[i])
        for key, value in ts[i].items():
            np.testing.assert_allclose(es[i][key].numpy(), value.numpy(), rtol=1e-9,
                                       atol=1e-12)
            if key != "step":
                assert es[i][key].shape == value.shape


@pytest.mark.parametrize("name,kwargs", CASES, ids=_ids(CASES))
def test_blocks_shared_by_two_threads_match_torch(monkeypatch, name, kwargs):
    """With intra-op threads, large arrays' blocks are updated by two threads at once."""
    from ember.backend import threads
    monkeypatch.setattr(threads, "_num_threads", 2)
    monkeypatch.setattr(_optimizer, "_PARALLEL_ELEMENTS", 1000)
    _assert_close(*_run(name, kwargs)[2:], 1e-9)


@pytest.mark.parametrize("name,kwargs", CASES[2::3], ids=_ids(CASES[2::3]))
def test_blocked_float32(name, kwargs):
    # torch rounds once where NumPy rounds twice (fused multiply-adds): float32 values that
    # cancel to near zero differ by an ulp of their inputs, hence the absolute tolerance
    _assert_close(*_run(name, kwargs, dtype=np.float32)[2:], 1e-5, atol=1e-6)


@pytest.mark.parametrize("name,kwargs", CASES[1::2], ids=_ids(CASES[1::2]))
def test_non_contiguous_grads(name, kwargs):
    _assert_close(*_run(name, kwargs, transposed_grads=True)[2:], 1e-9)


def test_blocks_are_views_with_a_partial_last_block(monkeypatch):
    a, b = np.zeros((130, 270)), np.ones((130, 270))
    for budget in (1 << 18, 1 << 20):  # the scratch grows when blocks do
        monkeypatch.setattr(_optimizer, "_WORKING_SET_BYTES", budget)
        blocks = _optimizer._blocks(np, [a, b], 2)
        assert len(blocks) > 1
        assert all(len(bl) == 4 and all(x.shape == bl[0].shape for x in bl) for bl in blocks)
        assert sum(bl[0].size for bl in blocks) == a.size
        assert blocks[-1][0].size < blocks[0][0].size
        for bl in blocks:
            bl[0] += bl[1]
    assert np.all(a == 2.0)
    # not all C-contiguous (or small): one block of the whole arrays
    assert len(_optimizer._blocks(np, [a, b.T.copy().T], 1)) == 1
    assert len(_optimizer._blocks(np, [a[:2], b[:2]], 1)) == 1


def test_updates_stay_in_place_views():
    """Blocks are views: the parameter and state arrays are updated where they live."""
    p = ember.nn.Parameter(ember.tensor(np.ones((300, 200))))
    data = p._data
    opt = eoptim.Adam([p], lr=0.1)
    p.grad = ember.ones(300, 200, dtype=ember.float64)
    opt.step()
    exp_avg = opt.state[p]["exp_avg"]._data
    opt.step()
    assert p._data is data and opt.state[p]["exp_avg"]._data is exp_avg
    assert np.all(data < 1.0) and np.all(exp_avg > 0.0)


def test_threads_do_not_share_scratch():
    """Two optimizers stepping at once in two threads give the results of sequential runs."""
    def make():
        rng = np.random.default_rng(1)
        ps = [ember.nn.Parameter(ember.tensor(rng.standard_normal((200, 300)))) for _ in range(2)]
        for p in ps:
            p.grad = ember.tensor(rng.standard_normal((200, 300)))
        return ps, eoptim.Adam(ps, lr=0.01)

    ref, ref_opt = make()
    for _ in range(20):
        ref_opt.step()
    runs = [make(), make()]

    def work(opt):
        for _ in range(20):
            opt.step()

    threads = [threading.Thread(target=work, args=(opt,)) for _, opt in runs]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for ps, _ in runs:
        for p, r in zip(ps, ref):
            np.testing.assert_array_equal(p.detach().numpy(), r.detach().numpy())
