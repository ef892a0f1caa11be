"""Losses: F.* against torch.nn.functional (values, gradients of input and float targets,
float64 gradcheck), every loss module through layercheck, the fused cross-entropy against its
composite twin, double backward, legacy reduction arguments, CTC against torch, errors."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as F
from tests.nn.layercheck import check_layer
from tests.ops.opinfo import OpInfo, Sample, cases, run_generic

REDS = ("mean", "sum", "none")


def _lib(nn):
    return torch if nn is torch.nn else ember


def _op(name, samples, **kw):
    return OpInfo(name, getattr(F, name), getattr(TF, name), samples, **kw)


def _reg(rng):
    r = rng.standard_normal
    out = [Sample((r((3, 4)), r((3, 4))), {"reduction": red}) for red in REDS]
    out += [Sample((r(()), r(()))), Sample((r((2, 3)), r((2, 3))), noncontig=True),
            Sample((r((0, 3)), r((0, 3))), {"reduction": "sum"})]
    return out


def _reg_beta(key, value):
    def gen(rng):
        return [Sample(s.args, {**s.kwargs, key: value}, noncontig=s.noncontig)
                for s in _reg(rng)[:3]] + [Sample((rng.standard_normal((3, 4)) * 3,
                                                   rng.standard_normal((3, 4))), {key: value})]
    return gen


def _ce(rng):
    r = rng.standard_normal
    t = rng.integers(0, 5, 6)
    ti = t.copy()
    ti[[1, 4]] = -100
    w = rng.uniform(0.5, 2.0, 5)
    out = []
    for red in REDS:
        for ls in (0.0, 0.3):
            out.append(Sample((r((6, 5)), t), {"reduction": red, "label_smoothing": ls}))
            out.append(Sample((r((6, 5)), ti, w), {"reduction": red, "label_smoothing": ls},
                              grad=(0,)))
    out += [Sample((r((2, 5, 3, 2)), rng.integers(0, 5, (2, 3, 2))), {"label_smoothing": 0.1}),
            Sample((r((2, 5, 3)), rng.integers(0, 5, (2, 3)), w), {"reduction": "none"},
                   grad=(0,)),
            Sample((r((2, 5, 2, 2, 2)), rng.integers(0, 5, (2, 2, 2, 2))),),
            Sample((r((5,)), np.array(3)), {"label_smoothing": 0.2}),
            Sample((r((5,)), np.array(3), w), {"reduction": "none"}, grad=(0,)),
            Sample((r((6, 5)), t), noncontig=True),
            Sample((r((6, 5)), np.full(6, 7)), {"ignore_index": 7, "reduction": "sum"}),
            Sample((r((6, 5)), np.where(t > 2, 3, t)), {"ignore_index": 3}),
            Sample((r((6, 5)), t.astype(np.uint8)),),
            Sample((r((0, 5)), np.zeros(0, np.int64)), {"reduction": "sum"}),
            # class probabilities
            Sample((r((6, 5)), rng.dirichlet(np.ones(5), 6))),
            Sample((r((6, 5)), rng.dirichlet(np.ones(5), 6), w), {"label_smoothing": 0.2},
                   grad=(0, 1)),
            Sample((r((2, 5, 3)), rng.uniform(0, 1, (2, 5, 3))), {"reduction": "none"}),
            Sample((r((5,)), rng.uniform(0, 1, (5,))), {"reduction": "sum"})]
    return out


def _nll(rng):
    r = rng.standard_normal
    t = rng.integers(0, 4, 5)
    ti = t.copy()
    ti[2] = 1
    w = rng.uniform(0.5, 2.0, 4)
    out = [Sample((r((5, 4)), t), {"reduction": red}) for red in REDS]
    out += [Sample((r((5, 4)), ti, w), {"ignore_index": 1, "reduction": red}, grad=(0,))
            for red in REDS]
    out += [Sample((r((2, 4, 3)), rng.integers(0, 4, (2, 3)), w), grad=(0,)),
            Sample((r((2, 4, 3, 2)), rng.integers(0, 4, (2, 3, 2))), {"reduction": "none"}),
            Sample((r((4,)), np.array(1))), Sample((r((5, 4)), t), noncontig=True)]
    return out


def _bce(rng):
    def p(s):
        return rng.uniform(0.05, 0.95, s)
    out = [Sample((p((3, 4)), p((3, 4))), {"reduction": red}) for red in REDS]
    out += [Sample((p((3, 4)), p((3, 4)), rng.uniform(0, 2, (4,))), grad=(0, 1)),
            Sample((p((3, 4)), p((3, 4)), rng.uniform(0, 2, (3, 1))), {"reduction": "sum"},
                   grad=(0, 1)),
            Sample((p(()), p(()))), Sample((p((3, 4)), (p((3, 4)) > 0.5) * 1.0), grad=(0,)),
            Sample((p((3, 4)), p((3, 4))), noncontig=True)]
    return out


def _bcel(rng):
    r = rng.standard_normal

    def u(s):
        return rng.uniform(0, 1, s)
    out = [Sample((r((3, 4)), u((3, 4))), {"reduction": red}) for red in REDS]
    out += [Sample((r((3, 4)), u((3, 4)), None, u((4,)) * 3), {"reduction": red},
                   grad=(0, 1)) for red in REDS]
    out += [Sample((r((3, 4)), u((3, 4)), u((4,)), u((3, 4))), grad=(0, 1)),
            Sample((r((3, 4)), u((3, 4)), u((3, 1))), {"reduction": "none"}, grad=(0, 1)),
            Sample((np.asarray(r(()) * 30), u(()))),
            Sample((r((3, 4)), u((3, 4))), noncontig=True)]
    return out


def _kl(rng):
    r = rng.standard_normal
    out = [Sample((r((3, 4)), rng.uniform(0, 1, (3, 4))), {"reduction": red})
           for red in ("batchmean", "sum", "none")]
    out += [Sample((r((3, 4)), r((3, 4))), {"reduction": "sum", "log_target": True}),
            Sample((r((3, 4)), np.where(r((3, 4)) > 0, rng.uniform(0, 1, (3, 4)), 0.0)),
                   {"reduction": "sum"}, grad=(0,))]
    return out


def _poisson(rng):
    r = rng.standard_normal
    t = rng.poisson(2.0, (3, 4)).astype(float) + rng.uniform(0, 0.5, (3, 4))
    return [Sample((r((3, 4)), t), {"reduction": red}) for red in REDS] + [
        Sample((r((3, 4)), t), {"full": True}),
        Sample((rng.uniform(0.1, 3, (3, 4)), t), {"log_input": False, "eps": 1e-6}),
        Sample((rng.uniform(0.1, 3, (3, 4)), t), {"log_input": False, "full": True,
                                                  "reduction": "sum"})]


def _gauss(rng):
    r = rng.standard_normal

    def v(s):
        return rng.uniform(0.1, 2, s)
    return [Sample((r((3, 4)), r((3, 4)), v((3, 4))), {"reduction": red}) for red in REDS] + [
        Sample((r((3, 4)), r((3, 4)), v((3,))), {"full": True}),
        Sample((r((3, 4)), r((3, 4)), v((3, 1))), {"reduction": "sum"}),
        # var clamped at eps: torch passes the gradient through the clamp (no gradcheck)
        Sample((r((3, 4)), r((3, 4)), v((3, 4)) * 1e-8), {"eps": 1e-3}, grad=(0, 1))]


def _pm1(rng, s):
    return np.where(rng.standard_normal(s) > 0, 1.0, -1.0)


def _cos(rng):
    r = rng.standard_normal
    return [Sample((r((5, 4)), r((5, 4)), _pm1(rng, (5,))), {"reduction": red}, grad=(0, 1))
            for red in REDS] + [
        Sample((r((5, 4)), r((5, 4)), _pm1(rng, (5,))), {"margin": 0.3}, grad=(0, 1)),
        Sample((r((4,)), r((4,)), np.array(-1.0)), {"margin": -0.5}, grad=(0, 1))]


def _rank(rng):
    r = rng.standard_normal
    return [Sample((r((6,)), r((6,)), _pm1(rng, (6,))), {"reduction": red}, grad=(0, 1))
            for red in REDS] + [Sample((r((6,)), r((6,)), _pm1(rng, (6,))), {"margin": 0.5},
                                       grad=(0, 1))]


def _hinge(rng):
    r = rng.standard_normal
    return [Sample((r((3, 4)), _pm1(rng, (3, 4))), {"reduction": red}, grad=(0,))
            for red in REDS] + [Sample((r((3, 4)) * 2, _pm1(rng, (3, 4))), {"margin": 0.5},
                                       grad=(0,))]


def _soft_margin(rng):
    return [Sample((rng.standard_normal((3, 4)), _pm1(rng, (3, 4))), {"reduction": red},
                   grad=(0,)) for red in REDS]


def _triplet(rng):
    r = rng.standard_normal
    return [Sample((r((5, 4)), r((5, 4)), r((5, 4))), {"reduction": red}) for red in REDS] + [
        Sample((r((5, 4)), r((5, 4)), r((5, 4))), {"swap": True, "p": 1.0, "margin": 2.0}),
        Sample((r((5, 4)), r((5, 4)), r((5, 4))), {"p": 3.0, "eps": 1e-3}),
        Sample((r((4,)), r((4,)), r((4,))), {"margin": 3.0})]


def _mlsm(rng):
    r = rng.standard_normal
    t = (r((3, 4)) > 0) * 1.0
    return [Sample((r((3, 4)), t), {"reduction": red}, grad=(0,)) for red in REDS] + [
        Sample((r((3, 4)), t, rng.uniform(0, 2, (4,))), grad=(0,))]


def _mlm(rng):
    r = rng.standard_normal
    t = np.array([[3, 0, -1, 1], [1, 2, 3, -1], [0, -1, 2, 2], [-1, 0, 0, 0], [2, 2, -1, 0]])
    return [Sample((r((5, 4)), t), {"reduction": red}) for red in REDS] + [
        Sample((r((4,)), np.array([2, 1, -1, 0])),)]


def _mm(rng):
    r = rng.standard_normal
    t = rng.integers(0, 4, 5)
    w = rng.uniform(0.5, 2, 4)
    return [Sample((r((5, 4)), t), {"reduction": red}) for red in REDS] + [
        Sample((r((5, 4)), t, w), {"p": 2, "margin": 0.7}, grad=(0,)),
        Sample((r((5, 4)), t, w), {"reduction": "none"}, grad=(0,)),
        Sample((r((4,)), np.array([2])), {"p": 2})]


OPS = [
    _op("mse_loss", _reg), _op("l1_loss", _reg), _op("smooth_l1_loss", _reg),
    _op("huber_loss", _reg), _op("smooth_l1_loss", _reg_beta("beta", 0.5)),
    _op("smooth_l1_loss", _reg_beta("beta", 0.0)), _op("huber_loss", _reg_beta("delta", 0.3)),
    _op("cross_entropy", _ce), _op("nll_loss", _nll), _op("binary_cross_entropy", _bce),
    OpInfo("binary_cross_entropy_with_logits",
           lambda x, t, w=None, pw=None, **kw: F.binary_cross_entropy_with_logits(
               x, t, w, pos_weight=pw, **kw),
           lambda x, t, w=None, pw=None, **kw: TF.binary_cross_entropy_with_logits(
               x, t, w, pos_weight=pw, **kw), _bcel),
    _op("kl_div", _kl),
    _op("poisson_nll_loss", _poisson), _op("gaussian_nll_loss", _gauss),
    _op("cosine_embedding_loss", _cos), _op("margin_ranking_loss", _rank),
    _op("hinge_embedding_loss", _hinge), _op("soft_margin_loss", _soft_margin),
    _op("triplet_margin_loss", _triplet), _op("multilabel_soft_margin_loss", _mlsm),
    _op("multilabel_margin_loss", _mlm),
    OpInfo("multi_margin_loss",
           lambda x, t, w=None, **kw: F.multi_margin_loss(x, t, weight=w, **kw),
           lambda x, t, w=None, **kw: TF.multi_margin_loss(x, t, weight=w, **kw), _mm),
    OpInfo("triplet_margin_with_distance_loss", F.triplet_margin_with_distance_loss,
           TF.triplet_margin_with_distance_loss,
           lambda rng: [Sample(s.args, {k: v for k, v in s.kwargs.items()
                                        if k in ("reduction", "swap", "margin")})
                        for s in _triplet(rng)[:4]]),
    OpInfo("mse_loss_weight", lambda a, b, w: F.mse_loss(a, b, weight=w, reduction="mean"),
           lambda a, b, w: TF.mse_loss(a, b, weight=w, reduction="mean"),
           lambda rng: [Sample((rng.standard_normal((3, 4)), rng.standard_normal((3, 4)),
                                rng.uniform(0, 1, (3, 4))))]),
    OpInfo("l1_loss_weight", lambda a, b, w: F.l1_loss(a, b, weight=w, reduction="none"),
           lambda a, b, w: TF.l1_loss(a, b, weight=w, reduction="none"),
           lambda rng: [Sample((rng.standard_normal((3, 4)), rng.standard_normal((3, 4)),
                                rng.uniform(0, 1, (3, 4))))]),
    OpInfo("huber_loss_weight", lambda a, b, w: F.huber_loss(a, b, weight=w),
           lambda a, b, w: TF.huber_loss(a, b, weight=w),
           lambda rng: [Sample((rng.standard_normal((3, 4)) * 2, rng.standard_normal((3, 4)),
                                rng.uniform(0, 1, (3, 4))))]),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op,sample", cases(OPS))
def test_functional(op, sample, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_generic(op, sample, dtype)


def test_broadcast_warning_and_result():
    a, b = np.random.default_rng(0).standard_normal((2, 3, 4)), np.ones(4)
    for name in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"):
        with pytest.warns(UserWarning, match="different to the input size"):
            e = getattr(F, name)(ember.tensor(a), ember.tensor(b))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = getattr(TF, name)(torch.tensor(a), torch.tensor(b))
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-7)


# ---------------------------------------------------------------- cross-entropy kernel
def _composite_ce(x, t, weight, ignore_index, ls, reduction):
    """torch's own recipe from basic ember ops: log_softmax then nll (plus the smoothing)."""
    logp = x - ember.logsumexp(x, 1, keepdim=True)
    nll = F.nll_loss(logp, t, weight, ignore_index=ignore_index, reduction=reduction)
    if ls == 0:
        return nll
    valid = (t != ignore_index).to(x.dtype)
    wv = weight.reshape(1, -1) if weight is not None else 1.0
    smooth = -(logp * wv).sum(1) * valid
    if reduction == "none":
        red = smooth
    elif reduction == "sum":
        red = smooth.sum()
    else:
        tc = ember.where(t == ignore_index, ember.zeros_like(t), t)
        denom = (weight[tc] * valid).sum() if weight is not None else valid.sum()
        red = smooth.sum() / denom
    return nll * (1 - ls) + red * (ls / x.shape[1])


@pytest.mark.parametrize("reduction", REDS)
@pytest.mark.parametrize("ls", [0.0, 0.25])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_matches_composite_twin(reduction, ls, weighted):
    rng = np.random.default_rng(11)
    a = rng.standard_normal((7, 5)) * 3
    t = rng.integers(0, 5, 7)
    t[3] = -100
    w = ember.tensor(rng.uniform(0.2, 2.0, 5)) if weighted else None
    res = []
    for fn in (lambda x: F.cross_entropy(x, ember.tensor(t), w, reduction=reduction,
                                         label_smoothing=ls),
               lambda x: _composite_ce(x, ember.tensor(t), w, -100, ls, reduction)):
        x = ember.tensor(a, requires_grad=True)
        y = fn(x)
        v = np.random.default_rng(1).standard_normal(tuple(y.shape))
        (y * ember.tensor(v)).sum().backward()
        res.append((y.detach().numpy(), x.grad.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-9, atol=1e-12)


def test_cross_entropy_is_one_node():
    x = ember.randn(4, 3, requires_grad=True)
    loss = F.cross_entropy(x, ember.tensor([0, 2, 1, 1]))
    assert [e[0].variable for e in loss.grad_fn.next_functions if e[0] is not None] == [x]
    loss = F.nll_loss(x, ember.tensor([0, 2, 1, 1]))
    assert [e[0].variable for e in loss.grad_fn.next_functions if e[0] is not None] == [x]


DOUBLE = [
    ("mse_loss", lambda L, a, b: L.nn.functional.mse_loss(a, b)),
    ("mse_loss_none", lambda L, a, b: L.nn.functional.mse_loss(a, b, reduction="none")),
    ("cross_entropy", lambda L, a, b: L.nn.functional.cross_entropy(a, b)),
    ("cross_entropy_ls_w", lambda L, a, b: L.nn.functional.cross_entropy(
        a, b, L.tensor([1.0, 2.0, 0.5, 1.5], dtype=L.float64), label_smoothing=0.2,
        reduction="sum")),
    ("cross_entropy_none", lambda L, a, b: L.nn.functional.cross_entropy(a, b,
                                                                        reduction="none")),
    ("cross_entropy_probs", lambda L, a, b: L.nn.functional.cross_entropy(
        a, L.nn.functional.softmax(b.to(a.dtype).reshape(-1, 1).expand(-1, 4) * 0.3, 1))),
    ("nll_loss", lambda L, a, b: L.nn.functional.nll_loss(a, b)),
    ("bce_logits", lambda L, a, b: L.nn.functional.binary_cross_entropy_with_logits(
        a, L.sigmoid(a.detach() * 0 + 0.3))),
    ("smooth_l1", lambda L, a, b: L.nn.functional.smooth_l1_loss(a, a.detach() * 0.5 + 0.1)),
    ("huber", lambda L, a, b: L.nn.functional.huber_loss(a, a.detach() * 0.5 + 0.1)),
]


@pytest.mark.parametrize("name,fn", DOUBLE)
def test_double_backward(name, fn):
    rng = np.random.default_rng(4)
    a = rng.standard_normal((5, 4))
    tgt = rng.integers(0, 4, 5)
    v = rng.standard_normal((5, 4))
    res = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        t = lib.tensor(tgt) if "mse" not in name else lib.tensor(a[::-1].copy())
        loss = fn(lib, x, t)
        if loss.ndim:
            loss = (loss * lib.tensor(np.arange(1.0, loss.numel() + 1).reshape(
                tuple(loss.shape)))).sum()
        g, = lib.autograd.grad(loss, x, create_graph=True)
        gg, = lib.autograd.grad((g * lib.tensor(v)).sum(), x, allow_unused=True)
        res.append((g.detach().numpy(), None if gg is None else gg.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-7, atol=1e-12)
    if res[1][1] is None or res[0][1] is None:
        assert res[1][1] is None or not np.any(res[1][1])
        assert res[0][1] is None or not np.any(res[0][1])
    else:
        np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-7, atol=1e-12)


def test_legacy_size_average_reduce():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    for sa, rd in [(False, None), (None, False), (True, True), (False, True), (True, False)]:
        with pytest.warns(UserWarning, match="size_average and reduce"):
            e = F.mse_loss(ember.tensor(a), ember.tensor(b), size_average=sa, reduce=rd)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = TF.mse_loss(torch.tensor(a), torch.tensor(b), size_average=sa, reduce=rd)
            em = ember.nn.CrossEntropyLoss(size_average=sa, reduce=rd)
            tm = torch.nn.CrossEntropyLoss(size_average=sa, reduce=rd)
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-7)
        assert em.reduction == tm.reduction
    for name in ("l1_loss", "nll_loss", "cross_entropy", "binary_cross_entropy",
                 "soft_margin_loss", "kl_div", "poisson_nll_loss", "hinge_embedding_loss",
                 "multilabel_soft_margin_loss"):
        args = [rng.uniform(0.1, 0.9, (3, 4)), rng.uniform(0.1, 0.9, (3, 4))]
        if name in ("nll_loss",):
            args[1] = np.array([0, 3, 1])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            e = getattr(F, name)(*map(ember.tensor, args), size_average=False)
            t = getattr(TF, name)(*map(torch.tensor, args), size_average=False)
        np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-7, err_msg=name)


def test_kl_div_mean_warns():
    a = np.random.default_rng(0).standard_normal((2, 3))
    with pytest.warns(UserWarning, match="batchmean"):
        e = F.kl_div(ember.tensor(a), ember.tensor(np.abs(a)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = TF.kl_div(torch.tensor(a), torch.tensor(np.abs(a)))
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-7)


def test_cross_entropy_all_ignored_is_nan_like_torch():
    a = np.random.default_rng(0).standard_normal((3, 4))
    t = np.full(3, -100)
    for ls in (0.0, 0.1):
        xe, xt = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        e = F.cross_entropy(xe, ember.tensor(t), label_smoothing=ls)
        tt = TF.cross_entropy(xt, torch.tensor(t), label_smoothing=ls)
        assert np.isnan(e.item()) and np.isnan(tt.item())
        e.backward()
        tt.backward()
        np.testing.assert_array_equal(xe.grad.numpy(), xt.grad.numpy())


def test_cross_entropy_float16_and_float32_big_batch():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((256, 10)).astype(np.float32) * 4
    t = rng.integers(0, 10, 256)
    xe, xt = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    F.cross_entropy(xe, ember.tensor(t)).backward()
    TF.cross_entropy(xt, torch.tensor(t)).backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-7)
    h = F.cross_entropy(ember.tensor(a[:4]).half(), ember.tensor(t[:4]))
    assert h.dtype is ember.float16
    np.testing.assert_allclose(float(h.item()),
                               TF.cross_entropy(torch.tensor(a[:4]), torch.tensor(t[:4])).item(),
                               rtol=2e-3)


# ---------------------------------------------------------------- CTC
def _ctc_case(rng, T, N, C, S, concat, tensors, blank=0, short=True):
    lp = torch.randn(T, N, C, dtype=torch.float64,
                     generator=torch.Generator().manual_seed(int(rng.integers(1e6))))
    lp = lp.log_softmax(2).numpy()
    tl = rng.integers(0 if short else 1, S + 1, N)
    il = rng.integers(max(2 * S + 1, 1), T + 1, N)
    il[0] = T
    labels = [c for c in range(C) if c != blank]
    tg = rng.choice(labels, (N, S))
    if concat:
        tg = np.concatenate([tg[b, :tl[b]] for b in range(N)]).astype(np.int64)
    lens = (il, tl) if tensors else (tuple(int(v) for v in il), tuple(int(v) for v in tl))
    return lp, tg, lens


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("reduction", REDS)
def test_ctc_loss_matches_torch(seed, reduction):
    rng = np.random.default_rng(seed)
    T, N, C, S = int(rng.integers(8, 16)), int(rng.integers(1, 5)), int(rng.integers(3, 7)), \
        int(rng.integers(1, 4))
    blank = int(rng.integers(0, C))
    lp, tg, (il, tl) = _ctc_case(rng, T, N, C, S, concat=seed % 2 == 1, tensors=seed % 3 != 0,
                                 blank=blank)
    zi = seed % 2 == 0
    for dtype in ("float64", "float32"):
        tol = dict(rtol=1e-7, atol=1e-10) if dtype == "float64" else dict(rtol=1e-5, atol=1e-6)
        out = []
        for lib in (ember, torch):
            x = lib.tensor(lp.astype(dtype), requires_grad=True)
            lens = [lib.tensor(v) if isinstance(v, np.ndarray) else v for v in (il, tl)]
            loss = lib.nn.functional.ctc_loss(x, lib.tensor(tg), *lens, blank=blank,
                                              reduction=reduction, zero_infinity=zi)
            w = np.random.default_rng(1).standard_normal(tuple(loss.shape)).astype(dtype)
            (loss * lib.tensor(w)).sum().backward()
            out.append((loss.detach().numpy(), x.grad.numpy()))
        np.testing.assert_allclose(out[0][0], out[1][0], **tol)
        np.testing.assert_allclose(out[0][1], out[1][1], **tol)


@pytest.mark.parametrize("zero_infinity", [False, True])
def test_ctc_impossible_alignment(zero_infinity):
    # repeated labels need a blank between them: 4 repeats cannot fit in 5 frames
    rng = np.random.default_rng(3)
    lp = torch.randn(6, 2, 4, dtype=torch.float64).log_softmax(2).numpy()
    tg = np.array([[1, 1, 1, 1], [2, 3, 1, 2]])
    il, tl = np.array([5, 6]), np.array([4, 3])
    out = []
    for lib in (ember, torch):
        x = lib.tensor(lp, requires_grad=True)
        loss = lib.nn.functional.ctc_loss(x, lib.tensor(tg), lib.tensor(il), lib.tensor(tl),
                                          reduction="none", zero_infinity=zero_infinity)
        loss.sum().backward()
        out.append((loss.detach().numpy(), x.grad.numpy()))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-7)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-7, equal_nan=True)
    del rng


def test_ctc_unbatched_and_module():
    rng = np.random.default_rng(5)
    lp = torch.randn(10, 5, dtype=torch.float64).log_softmax(1).numpy()
    tg = np.array([1, 3, 3, 4])
    for reduction in REDS:
        out = []
        for lib in (ember, torch):
            x = lib.tensor(lp, requires_grad=True)
            loss = lib.nn.CTCLoss(blank=2, reduction=reduction)(
                x, lib.tensor(tg), lib.tensor(10), lib.tensor(4))
            loss.sum().backward()
            out.append((loss.detach().numpy(), x.grad.numpy()))
        assert out[0][0].shape == out[1][0].shape
        np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-7)
        np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-7, atol=1e-12)
    del rng


def test_ctc_errors_and_no_double_backward():
    lp = np.log(np.full((6, 2, 4), 0.25))
    tg = np.array([[1, 2], [3, 3]])

    def both(fn, exc):
        with pytest.raises(exc):
            fn(torch)
        with pytest.raises(exc):
            fn(ember)

    def run(lib, il=(6, 6), tl=(2, 2), blank=0, t=tg):
        return lib.nn.functional.ctc_loss(lib.tensor(lp), lib.tensor(t), lib.tensor(il),
                                          lib.tensor(tl), blank=blank)

    both(lambda L: run(L, blank=4), RuntimeError)
    both(lambda L: run(L, il=(6,)), RuntimeError)
    both(lambda L: run(L, tl=(2, 2, 1)), RuntimeError)
    both(lambda L: run(L, il=(7, 6)), RuntimeError)
    both(lambda L: run(L, tl=(3, 2)), RuntimeError)
    both(lambda L: run(L, t=np.array([1, 2, 3])), RuntimeError)
    both(lambda L: L.nn.functional.ctc_loss(L.tensor(lp), L.tensor(tg), L.tensor([6.0, 6.0]),
                                            L.tensor([2, 2])), RuntimeError)
    both(lambda L: L.nn.functional.ctc_loss(L.tensor(lp), L.tensor(tg), L.tensor([6, 6]),
                                            L.tensor([2, 2]), reduction="bad"), ValueError)
    x = ember.tensor(lp, requires_grad=True)
    loss = F.ctc_loss(x, ember.tensor(tg), (6, 6), (2, 2))
    g, = ember.autograd.grad(loss, x, create_graph=True)
    with pytest.raises(RuntimeError, match="not implemented"):
        ember.autograd.grad(g.sum(), x)


# ---------------------------------------------------------------- errors
def test_errors_match_torch():
    r = np.random.default_rng(0)

    def both(fn, exc):
        with pytest.raises(exc):
            fn(torch, TF)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(exc):
                fn(ember, F)

    x = r.standard_normal((3, 4))
    X = lambda L: L.tensor(x)  # noqa: E731
    both(lambda L, f: f.cross_entropy(X(L), L.tensor([0, 1, 5])), IndexError)
    both(lambda L, f: f.cross_entropy(X(L), L.tensor([0, 1, -1])), IndexError)
    both(lambda L, f: f.nll_loss(X(L), L.tensor([0, 1, 4])), IndexError)
    both(lambda L, f: f.cross_entropy(X(L), L.tensor([0, 1])), ValueError)
    both(lambda L, f: f.cross_entropy(X(L), L.tensor([0, 1, 2], dtype=L.int32)), RuntimeError)
    both(lambda L, f: f.cross_entropy(X(L), L.tensor(r.uniform(size=(3, 4))),
                                      ignore_index=1), RuntimeError)
    both(lambda L, f: f.cross_entropy(X(L), L.ones((3, 4), dtype=L.int64)), RuntimeError)
    both(lambda L, f: f.cross_entropy(X(L), L.tensor([0, 1, 2]), label_smoothing=1.5),
         RuntimeError)
    both(lambda L, f: f.cross_entropy(X(L), L.tensor([0, 1, 2]), weight=L.ones(3,
                                      dtype=L.float64)), RuntimeError)
    both(lambda L, f: f.cross_entropy(L.tensor(r.standard_normal((2, 3, 4))),
                                      L.zeros((2, 5), dtype=L.int64)), RuntimeError)
    both(lambda L, f: f.cross_entropy(L.tensor(r.standard_normal((2, 3, 4, 5))),
                                      L.zeros((2, 4), dtype=L.int64)), RuntimeError)
    both(lambda L, f: f.cross_entropy(L.tensor(r.standard_normal((2, 3, 4, 5))),
                                      L.zeros((2, 4, 4), dtype=L.int64)), RuntimeError)
    both(lambda L, f: f.nll_loss(X(L), L.tensor([[0, 1, 2]])), ValueError)
    both(lambda L, f: f.mse_loss(X(L), L.tensor(r.standard_normal((3, 5)))), RuntimeError)
    both(lambda L, f: f.mse_loss(X(L), X(L), reduction="bad"), ValueError)
    both(lambda L, f: f.mse_loss(X(L), X(L), weight=L.ones(4, dtype=L.float64)), ValueError)
    both(lambda L, f: f.smooth_l1_loss(X(L), X(L), beta=-1.0), RuntimeError)
    both(lambda L, f: f.huber_loss(X(L), X(L), delta=0.0), RuntimeError)
    both(lambda L, f: f.binary_cross_entropy(L.tensor([0.5, 1.5]), L.tensor([0.0, 1.0])),
         RuntimeError)
    both(lambda L, f: f.binary_cross_entropy(L.tensor([0.5, 0.5]), L.tensor([0.0, 1.5])),
         RuntimeError)
    both(lambda L, f: f.binary_cross_entropy(L.tensor([0.5, 0.5]), L.tensor([0.0, 1.0, 1.0])),
         ValueError)
    both(lambda L, f: f.binary_cross_entropy_with_logits(L.tensor([0.5, 0.5]),
                                                         L.tensor([0.0, 1.0, 1.0])), ValueError)
    both(lambda L, f: f.multilabel_margin_loss(X(L), L.tensor([[5, -1, 0, 0]] * 3)),
         RuntimeError)
    both(lambda L, f: f.multilabel_margin_loss(X(L), L.tensor([[1, -1, 0, 0]] * 2)),
         RuntimeError)
    both(lambda L, f: f.multi_margin_loss(X(L), L.tensor([1, 5, 0])), RuntimeError)
    both(lambda L, f: f.multi_margin_loss(X(L), L.tensor([1, 2])), RuntimeError)
    both(lambda L, f: f.multi_margin_loss(X(L), L.tensor([1, 2, 0]), p=3), ValueError)
    both(lambda L, f: f.cosine_embedding_loss(X(L), X(L), L.ones((3, 1))), RuntimeError)
    both(lambda L, f: f.cosine_embedding_loss(X(L), X(L), L.ones(())), RuntimeError)
    both(lambda L, f: f.triplet_margin_loss(X(L), X(L), L.ones(4)), RuntimeError)
    both(lambda L, f: f.triplet_margin_loss(X(L), X(L), X(L), margin=0.0), ValueError)
    both(lambda L, f: f.margin_ranking_loss(L.ones(3), L.ones(3), L.ones((3, 1))), RuntimeError)
    both(lambda L, f: f.hinge_embedding_loss(L.ones(3), L.ones(4)), RuntimeError)
    both(lambda L, f: f.poisson_nll_loss(X(L), X(L), reduction="bad"), ValueError)
    both(lambda L, f: f.gaussian_nll_loss(X(L), X(L), L.ones((3, 2))), ValueError)
    both(lambda L, f: f.gaussian_nll_loss(X(L), X(L), -L.ones((3, 4))), ValueError)
    both(lambda L, f: f.multilabel_soft_margin_loss(X(L), X(L), reduction="x"), ValueError)
    both(lambda L, f: L.nn.MultiMarginLoss(p=3), ValueError)
    both(lambda L, f: L.nn.TripletMarginLoss(margin=-1.0), ValueError)
    both(lambda L, f: L.nn.HuberLoss(delta="1"), TypeError)


# ---------------------------------------------------------------- layers
def _w(nn, arr):
    return _lib(nn).tensor(arr)


_R = np.random.default_rng(21)
_X = _R.standard_normal((6, 5))
_T = _R.integers(0, 5, 6)
_TI = _T.copy()
_TI[2] = -100
_W5 = _R.uniform(0.5, 2, 5)
_P = _R.uniform(0.05, 0.95, (6, 5))
_Y = _R.uniform(0, 1, (6, 5))
_PM = np.where(_R.standard_normal(6) > 0, 1.0, -1.0)

LAYERS = []
for _red in REDS:
    LAYERS += [
        (f"MSELoss(reduction='{_red}')", [_X, _Y], (0, 1)),
        (f"L1Loss(reduction='{_red}')", [_X, _Y], (0, 1)),
        (f"SmoothL1Loss(reduction='{_red}', beta=0.5)", [_X, _Y], (0, 1)),
        (f"HuberLoss(reduction='{_red}', delta=0.7)", [_X, _Y], (0, 1)),
        (f"CrossEntropyLoss(reduction='{_red}')", [_X, _T], (0,)),
        (f"CrossEntropyLoss(weight=W(nn, _W5), ignore_index=-100, reduction='{_red}', "
         "label_smoothing=0.1)", [_X, _TI], (0,)),
        (f"CrossEntropyLoss(reduction='{_red}')", [_X, _Y], (0, 1)),
        (f"NLLLoss(weight=W(nn, _W5), reduction='{_red}')", [_X, _TI], (0,)),
        (f"BCELoss(weight=W(nn, _W5), reduction='{_red}')", [_P, _Y], (0, 1)),
        (f"BCEWithLogitsLoss(reduction='{_red}', pos_weight=W(nn, _W5))", [_X, _Y], (0, 1)),
        (f"KLDivLoss(reduction='{_red}')", [_X, _Y], (0, 1)),
        (f"PoissonNLLLoss(reduction='{_red}')", [_X, _Y], (0, 1)),
        (f"GaussianNLLLoss(reduction='{_red}')", [_X, _Y, _P], (0, 1, 2)),
        (f"CosineEmbeddingLoss(margin=0.2, reduction='{_red}')", [_X, _Y, _PM], (0, 1)),
        (f"MarginRankingLoss(margin=0.1, reduction='{_red}')", [_X[:, 0].copy(), _Y[:, 0].copy(),
                                                                _PM], (0, 1)),
        (f"HingeEmbeddingLoss(margin=0.5, reduction='{_red}')", [_X[:, 0].copy(), _PM], (0,)),
        (f"SoftMarginLoss(reduction='{_red}')", [_X[:, 0].copy(), _PM], (0,)),
        (f"TripletMarginLoss(reduction='{_red}', swap=True)", [_X, _Y, _P], (0, 1, 2)),
        (f"MultiLabelSoftMarginLoss(weight=W(nn, _W5), reduction='{_red}')",
         [_X, (_Y > 0.5) * 1.0], (0,)),
        (f"MultiLabelMarginLoss(reduction='{_red}')",
         [_X, np.array([[3, 0, -1, 1, 2]] * 3 + [[1, 2, 3, 4, -1]] * 3)], (0,)),
        (f"MultiMarginLoss(p=2, margin=0.5, weight=W(nn, _W5), reduction='{_red}')",
         [_X, _T], (0,)),
        (f"TripletMarginWithDistanceLoss(reduction='{_red}', margin=0.5)", [_X, _Y, _P],
         (0, 1, 2)),
    ]
LAYERS += [
    ("KLDivLoss(reduction='batchmean', log_target=True)", [_X, _Y], (0, 1)),
    ("PoissonNLLLoss(log_input=False, full=True, eps=1e-6)", [_P, _Y * 3], (0, 1)),
    ("GaussianNLLLoss(full=True, eps=1e-3)", [_X, _Y, _P[:, :1].copy()], (0, 1, 2)),
    ("CrossEntropyLoss(label_smoothing=0.2)", [_R.standard_normal((2, 5, 3)),
                                               _R.integers(0, 5, (2, 3))], (0,)),
    ("NLLLoss(ignore_index=1)", [_R.standard_normal((2, 5, 2, 2)),
                                 _R.integers(0, 5, (2, 2, 2))], (0,)),
    ("BCEWithLogitsLoss(weight=W(nn, _W5))", [_X, _Y], (0, 1)),
    ("CTCLoss(blank=1, zero_infinity=True)", [], (0,)),
]


@pytest.mark.parametrize("spec,inputs,grads", LAYERS)
def test_layer(spec, inputs, grads):
    def make(nn):
        return eval("nn." + spec, {"nn": nn, "W": _w, "_W5": _W5})
    if spec.startswith("CTCLoss"):
        lp = torch.randn(8, 2, 4, dtype=torch.float64).log_softmax(2).numpy()
        inputs = [lp, np.array([[2, 3, 2], [3, 0, 0]]), (8, 6), (3, 1)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for dtype in ("float32", "float64"):
            for train in (True, False):
                check_layer(make, inputs, dtype=dtype, train=train, grad_inputs=grads)


@pytest.mark.parametrize("spec,inputs,grads", LAYERS[:22] + LAYERS[-7:])
def test_repr_and_state_dict_match_torch(spec, inputs, grads):
    def make(nn):
        return eval("nn." + spec, {"nn": nn, "W": _w, "_W5": _W5})
    e, t = make(ember.nn), make(torch.nn)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    for k, v in t.state_dict().items():
        np.testing.assert_allclose(e.state_dict()[k].numpy(), v.numpy())


def test_nllloss2d_deprecated():
    with pytest.warns(FutureWarning):
        m = ember.nn.NLLLoss2d()
    assert isinstance(m, ember.nn.NLLLoss)
