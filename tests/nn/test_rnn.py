"""Recurrent layers (RNN, LSTM, GRU, cells) and nn.utils.rnn, checked against torch."""
import itertools
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.ops import rnn as K

from .layercheck import check_layer

RNG = np.random.default_rng(0)
T, B, IN, HID = 4, 3, 5, 6


def _x(*shape):
    return RNG.standard_normal(shape)


def _mode_layer(nn, mode, *args, **kwargs):
    if mode == "LSTM":
        return nn.LSTM(*args, **kwargs)
    if mode == "GRU":
        return nn.GRU(*args, **kwargs)
    return nn.RNN(*args, nonlinearity=mode, **kwargs)


def _with_state(nn, layer, lstm):
    """``forward(x, h0[, c0])`` wrapper: the states go in as a tensor / tuple of tensors."""
    class W(nn.Module):
        def __init__(self):
            super().__init__()
            self.m = layer

        def forward(self, x, h0, c0=None):
            return self.m(x, (h0, c0) if lstm else h0)
    return W()


# ---------------------------------------------------------------- layers vs torch
MODES = ["tanh", "relu", "LSTM", "GRU"]
COMBOS = [  # (num_layers, bidirectional, batch_first, bias, proj)
    (1, False, False, True, 0), (2, False, True, True, 0), (1, True, False, False, 0),
    (2, True, True, True, 0), (2, True, False, True, 3), (1, False, True, False, 2),
]
LAYER_CASES = [(m, c) for m in MODES for c in COMBOS if m == "LSTM" or not c[4]]


@pytest.mark.parametrize("mode,combo", LAYER_CASES,
                         ids=["{}-L{}-bi{:d}-bf{:d}-b{:d}-p{}".format(m, *c)
                              for m, c in LAYER_CASES])
@pytest.mark.parametrize("state", [False, True], ids=["h0none", "h0"])
def test_layer_matches_torch(mode, combo, state):
    layers, bi, bf, bias, proj = combo
    D = 2 if bi else 1
    kw = dict(num_layers=layers, bidirectional=bi, batch_first=bf, bias=bias)
    if proj:
        kw["proj_size"] = proj
    x = _x(B, T, IN) if bf else _x(T, B, IN)
    if not state:
        check_layer(lambda nn: _mode_layer(nn, mode, IN, HID, **kw), [x])
        return
    lstm = mode == "LSTM"
    inputs = [x, _x(layers * D, B, proj or HID)] + ([_x(layers * D, B, HID)] if lstm else [])
    check_layer(lambda nn: _with_state(nn, _mode_layer(nn, mode, IN, HID, **kw), lstm), inputs)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("bf", [False, True])
@pytest.mark.parametrize("state", [False, True])
def test_unbatched_input(mode, bf, state):
    kw = dict(num_layers=2, bidirectional=True, batch_first=bf)
    x = _x(T, IN)
    if not state:
        check_layer(lambda nn: _mode_layer(nn, mode, IN, HID, **kw), [x])
        return
    lstm = mode == "LSTM"
    inputs = [x, _x(4, HID)] + ([_x(4, HID)] if lstm else [])
    check_layer(lambda nn: _with_state(nn, _mode_layer(nn, mode, IN, HID, **kw), lstm), inputs)


@pytest.mark.parametrize("mode", MODES)
def test_float32(mode):
    kw = dict(num_layers=2, bidirectional=True)
    check_layer(lambda nn: _mode_layer(nn, mode, IN, HID, **kw), [_x(T, B, IN)],
                dtype="float32")


@pytest.mark.parametrize("mode", MODES)
def test_dropout_eval_and_train_without_dropout(mode):
    x = _x(T, B, IN)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_layer(lambda nn: _mode_layer(nn, mode, IN, HID, num_layers=3, dropout=0.5), [x],
                    train=False)
        check_layer(lambda nn: _mode_layer(nn, mode, IN, HID, num_layers=2, dropout=0.0), [x],
                    train=True)
        # p = 1 zeroes every value between layers: deterministic in both libraries
        check_layer(lambda nn: _mode_layer(nn, mode, IN, HID, num_layers=2, dropout=1.0), [x],
                    train=True)


def test_dropout_train_is_random_and_scaled():
    lstm = ember.nn.LSTM(IN, HID, num_layers=2, dropout=0.5)
    x = ember.tensor(_x(T, B, IN), dtype=ember.float32)
    ember.manual_seed(0)
    a = lstm(x)[0]
    b = lstm(x)[0]
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    lstm.eval()
    c, d = lstm(x)[0], lstm(x)[0]
    np.testing.assert_array_equal(c.detach().numpy(), d.detach().numpy())


# ---------------------------------------------------------------- packed sequences
def _packed(nn, layer, lengths, batch_first=False, state=0):
    R = nn.utils.rnn

    class W(nn.Module):
        def __init__(self):
            super().__init__()
            self.m = layer

        def forward(self, x, *hc):
            p = R.pack_padded_sequence(x, lengths, batch_first=batch_first,
                                       enforce_sorted=False)
            hx = None if not hc else (tuple(hc) if len(hc) == 2 else hc[0])
            out, h = self.m(p, hx)
            pad, lens = R.pad_packed_sequence(out, batch_first=batch_first)
            return pad, h, out.data, lens
    return W()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("bi", [False, True])
@pytest.mark.parametrize("state", [False, True])
def test_packed_unsorted_lengths(mode, bi, state):
    lengths = [2, 5, 1, 5]
    bf = bi
    x = _x(4, 5, IN) if bf else _x(5, 4, IN)
    D = 2 if bi else 1
    proj = 2 if mode == "LSTM" and bi else 0
    kw = dict(num_layers=2, bidirectional=bi, batch_first=bf)
    if proj:
        kw["proj_size"] = proj
    inputs = [x]
    if state:
        inputs.append(_x(2 * D, 4, proj or HID))
        if mode == "LSTM":
            inputs.append(_x(2 * D, 4, HID))
    check_layer(lambda nn: _packed(nn, _mode_layer(nn, mode, IN, HID, **kw), lengths, bf),
                inputs)


def test_packed_float32_sorted():
    x = _x(5, 3, IN)

    def make(nn):
        return _packed(nn, nn.LSTM(IN, HID, bidirectional=True), [5, 3, 2])
    check_layer(make, [x], dtype="float32")


# ---------------------------------------------------------------- cells
CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("LSTMCell", {}),
         ("GRUCell", {})]


@pytest.mark.parametrize("cell,kw", CELLS, ids=["tanh", "relu", "lstm", "gru"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("state", [False, True])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_cells_match_torch(cell, kw, bias, batched, state, dtype):
    lstm = cell == "LSTMCell"
    x = _x(B, IN) if batched else _x(IN)
    hshape = (B, HID) if batched else (HID,)

    def make(nn):
        layer = getattr(nn, cell)(IN, HID, bias=bias, **kw)
        if not state:
            return layer
        return _with_state(nn, layer, lstm)
    inputs = [x] + ([_x(*hshape)] + ([_x(*hshape)] if lstm else []) if state else [])
    check_layer(make, inputs, dtype=dtype)


def test_cell_unrolled_sequence_matches_torch():
    xs = _x(T, B, IN)

    def make(nn):
        class Unroll(nn.Module):
            def __init__(self):
                super().__init__()
                self.cell = nn.LSTMCell(IN, HID)

            def forward(self, x):
                hc = None
                outs = []
                for t in range(x.shape[0]):
                    hc = self.cell(x[t], hc)
                    outs.append(hc[0])
                return outs
        return Unroll()
    check_layer(make, [xs])


# ---------------------------------------------------------------- module contract
@pytest.mark.parametrize("make", [
    lambda nn: nn.LSTM(3, 4, 2, bias=False, batch_first=True, dropout=0.5, bidirectional=True,
                       proj_size=2),
    lambda nn: nn.RNN(3, 4, nonlinearity="relu"), lambda nn: nn.RNN(3, 4, 2, "relu", False),
    lambda nn: nn.GRU(3, 4, num_layers=3, dropout=0.25), lambda nn: nn.LSTM(3, 4),
    lambda nn: nn.RNNCell(3, 4, bias=False, nonlinearity="relu"), lambda nn: nn.LSTMCell(3, 4),
    lambda nn: nn.GRUCell(3, 4, bias=False),
])
def test_repr_state_dict_and_init_match_torch(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t, e = make(torch.nn), make(ember.nn)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    assert [tuple(p.shape) for p in e.parameters()] == [tuple(p.shape) for p in t.parameters()]
    bound = 1 / np.sqrt(t.hidden_size)
    values = np.concatenate([p.detach().numpy().ravel() for p in e.parameters()])
    assert values.dtype == np.float32
    # U(-bound, bound) over all the layer's weights: inside the bound, and spread out
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.5 * bound
    if hasattr(t, "_flat_weights_names"):
        assert e._flat_weights_names == t._flat_weights_names
        assert [[tuple(p.shape) for p in w] for w in e.all_weights] == \
            [[tuple(p.shape) for p in w] for w in t.all_weights]
        assert e.flatten_parameters() is None


def test_dtype_and_reset_parameters():
    e = ember.nn.GRU(3, 4, dtype=ember.float64)
    assert all(p.dtype == ember.float64 for p in e.parameters())
    before = e.weight_hh_l0.detach().numpy().copy()
    e.reset_parameters()
    assert not np.array_equal(before, e.weight_hh_l0.detach().numpy())


# ---------------------------------------------------------------- fused kernel vs composite twin
def _twin_case(mode, bi, packed, proj, cell=False):
    rng = np.random.default_rng(3)
    D = 2 if bi else 1
    H = 4
    P = proj or H
    K_ = K.GATES[mode]
    batch_sizes = (3, 3, 2, 1) if packed else None
    x = rng.standard_normal((9, 3) if packed else (4, 3, 3))
    if cell:
        batch_sizes, x = (3,), rng.standard_normal((3, 3))
    w = []
    for _ in range(D):
        w += [rng.standard_normal((K_ * H, 3)), rng.standard_normal((K_ * H, P)),
              rng.standard_normal(K_ * H), rng.standard_normal(K_ * H),
              rng.standard_normal((P, H)) if proj else None]
    hshape = (3, P) if cell else (D, 3, P)
    h0 = rng.standard_normal(hshape)
    c0 = rng.standard_normal(hshape[:-1] + (H,)) if mode == "LSTM" else None
    t = [None if a is None else ember.tensor(a, requires_grad=True) for a in [x, h0, c0] + w]
    return t, dict(mode=mode, batch_sizes=batch_sizes, num_directions=D, cell=cell)


TWIN_CASES = [(m, *c) for m in ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"]
              for c in [(False, False, 0, False), (True, True, 0, False), (True, True, 2, False),
                        (False, True, 0, True), (True, False, 0, False)]
              if m == "LSTM" or not c[2]]


@pytest.mark.parametrize("mode,bi,packed,proj,cell", TWIN_CASES)
def test_fused_layer_matches_composite_twin(mode, bi, packed, proj, cell):
    t, opts = _twin_case(mode, bi, packed, proj, cell)
    fused = K.RNNLayer.apply(*t, **opts)
    twin = K.composite_layer(opts["mode"], t[0], t[1], t[2], t[3:], opts["batch_sizes"],
                             opts["num_directions"], opts["cell"])
    leaves = [a for a in t if a is not None]
    rng = np.random.default_rng(5)
    ws = [ember.tensor(rng.standard_normal(tuple(o.shape))) for o in fused]
    gf = ember.autograd.grad(sum((o * w).sum() for o, w in zip(fused, ws)), leaves)
    gt = ember.autograd.grad(sum((o * w).sum() for o, w in zip(twin, ws)), leaves)
    for a, b in zip(fused, twin):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10,
                                   atol=1e-12)
    for a, b in zip(gf, gt):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN_TANH"])
def test_gradcheck_and_gradgradcheck(mode):
    t, opts = _twin_case(mode, True, True, 0)
    t = [a if a is None else (a * 0.5).detach().requires_grad_() for a in t]
    nw = len(t)

    def f(*args):
        return K.RNNLayer.apply(*args, **opts)
    assert ember.autograd.gradcheck(f, tuple(t[:nw]), atol=1e-6)
    small = _twin_case(mode, False, False, 0, cell=True)[0]
    small = [a if a is None else (a * 0.5).detach().requires_grad_() for a in small]
    copts = dict(mode=mode, batch_sizes=(3,), num_directions=1, cell=True)
    assert ember.autograd.gradgradcheck(lambda *a: K.RNNLayer.apply(*a, **copts)[1],
                                        tuple(small), atol=1e-5)


@pytest.mark.parametrize("make", [lambda nn: nn.LSTM(3, 4, 2, bidirectional=True),
                                  lambda nn: nn.GRU(3, 4, batch_first=True),
                                  lambda nn: nn.LSTMCell(3, 4), lambda nn: nn.RNNCell(3, 4)])
def test_double_backward_matches_torch(make):
    torch.manual_seed(0)
    tl = make(torch.nn).double()
    el = make(ember.nn).double()
    el.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tl.state_dict().items()})
    cell = "Cell" in type(tl).__name__
    x = _x(B, 3) if cell else _x(T, B, 3)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)

    def loss(lib, layer, xx):
        out = layer(xx)
        o = out[0] if isinstance(out, tuple) else out
        g = lib.autograd.grad((o ** 3).sum(), [xx] + list(layer.parameters()),
                              create_graph=True)
        return sum((gi ** 2).sum() for gi in g)
    lt, le = loss(torch, tl, tx), loss(ember, el, ex)
    np.testing.assert_allclose(le.item(), lt.item(), rtol=1e-9)
    lt.backward()
    le.backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-7, atol=1e-10)
    for pe, pt in zip(el.parameters(), tl.parameters()):
        np.testing.assert_allclose(pe.grad.numpy(), pt.grad.numpy(), rtol=1e-7, atol=1e-10)


def test_third_order_gradient_matches_torch():
    rng = np.random.default_rng(7)
    x, w1, w2, b1, b2 = (rng.standard_normal(s) for s in [(2, 3), (12, 3), (12, 4), 12, 12])

    def third(lib, cell):
        xx = lib.tensor(x, requires_grad=True)
        ws = [lib.tensor(a, requires_grad=True) for a in (w1, w2, b1, b2)]
        g, = lib.autograd.grad((cell(xx, *ws) ** 2).sum(), xx, create_graph=True)
        g, = lib.autograd.grad((g ** 2).sum(), xx, create_graph=True)
        g, = lib.autograd.grad((g ** 2).sum(), xx)
        return g.detach().numpy()
    zeros = torch.zeros(2, 4, dtype=torch.float64)
    expect = third(torch, lambda xx, *w: torch._VF.gru_cell(xx, zeros, *w))
    got = third(ember, lambda xx, *w: K.rnn_cell("GRU", xx, None, None, *w))
    np.testing.assert_allclose(got, expect, rtol=1e-9, atol=1e-12)


def test_workspace_reuse_never_overwrites_live_results():
    """Kernel buffers are pooled: outputs, saved activations and grads still referenced must
    keep their values across later calls."""
    torch.manual_seed(0)
    tl = torch.nn.LSTM(IN, 32, 2, bidirectional=True)
    el = ember.nn.LSTM(IN, 32, 2, bidirectional=True)
    el.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tl.state_dict().items()})
    xs = [_x(30, 8, IN).astype(np.float32) for _ in range(3)]
    outs = [el(ember.tensor(x, requires_grad=True)) for x in xs]   # three live graphs
    for x, (o, (h, c)) in zip(xs, outs):
        to, (th, tc) = tl(torch.tensor(x))
        np.testing.assert_allclose(o.detach().numpy(), to.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)
        np.testing.assert_allclose(c.detach().numpy(), tc.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)
    for k in (2, 0, 1):
        el.zero_grad()
        tl.zero_grad()
        outs[k][0].sum().backward()
        tl(torch.tensor(xs[k]))[0].sum().backward()
        np.testing.assert_allclose(el.weight_hh_l1.grad.numpy(), tl.weight_hh_l1.grad.numpy(),
                                   rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("make", [lambda nn: nn.LSTM(IN, HID), lambda nn: nn.GRU(IN, HID, 2),
                                  lambda nn: nn.RNN(IN, HID, bidirectional=True)])
def test_output_modified_in_place_keeps_gradients_right(make):
    def f(nn):
        class W(nn.Module):
            def __init__(self):
                super().__init__()
                self.m = make(nn)

            def forward(self, x):
                out, _ = self.m(x)
                return out.mul_(2.0)
        return W()
    check_layer(f, [_x(T, B, IN)])


def test_backward_twice_needs_retain_graph():
    lstm = ember.nn.LSTM(3, 4)
    x = ember.randn(2, 2, 3, requires_grad=True)
    out, _ = lstm(x)
    out.sum().backward(retain_graph=True)
    g1 = x.grad.numpy().copy()
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * g1, rtol=1e-6)
    with pytest.raises(RuntimeError):
        out.sum().backward()


# ---------------------------------------------------------------- nn.utils.rnn vs torch
def _pair(lib, arrs):
    return [lib.tensor(a) for a in arrs]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pad_sequence_and_unpad(batch_first, side, dtype):
    arrs = [_x(n, 2, 3).astype(dtype) for n in (3, 5, 1)]
    te = [ember.tensor(a, requires_grad=True) for a in arrs]
    tt = [torch.tensor(a, requires_grad=True) for a in arrs]
    pe = ember.nn.utils.rnn.pad_sequence(te, batch_first, -1.5, side)
    pt = torch.nn.utils.rnn.pad_sequence(tt, batch_first, -1.5, side)
    np.testing.assert_array_equal(pe.detach().numpy(), pt.detach().numpy())
    w = _x(*pt.shape)
    (pe * ember.tensor(w)).sum().backward()
    (pt * torch.tensor(w)).sum().backward()
    for a, b in zip(te, tt):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())
    if side == "right":
        lens = [3, 5, 1]
        ue = ember.nn.utils.rnn.unpad_sequence(pe, ember.tensor(lens), batch_first)
        ut = torch.nn.utils.rnn.unpad_sequence(pt.clone(), torch.tensor(lens), batch_first)
        for a, b in zip(ue, ut):
            np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_pad_sequence_of_a_tensor_and_1d():
    a = _x(3, 4)
    np.testing.assert_array_equal(ember.nn.utils.rnn.pad_sequence(ember.tensor(a)).numpy(),
                                  torch.nn.utils.rnn.pad_sequence(torch.tensor(a)).numpy())
    seqs = [_x(2), _x(3)]
    np.testing.assert_array_equal(
        ember.nn.utils.rnn.pad_sequence(_pair(ember, seqs), True, 1.0, "left").numpy(),
        torch.nn.utils.rnn.pad_sequence(_pair(torch, seqs), True, 1.0, "left").numpy())


def _cmp_packed(pe, pt):
    np.testing.assert_array_equal(pe.data.detach().numpy(), pt.data.detach().numpy())
    np.testing.assert_array_equal(pe.batch_sizes.numpy(), pt.batch_sizes.numpy())
    assert pe.batch_sizes.dtype == ember.int64
    for a, b in ((pe.sorted_indices, pt.sorted_indices),
                 (pe.unsorted_indices, pt.unsorted_indices)):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths,sort", [([5, 3, 3, 1], True), ([2, 5, 3, 5], False),
                                          ([1, 1, 1, 1], False)])
@pytest.mark.parametrize("as_tensor", [False, True])
def test_pack_pad_round_trip(batch_first, lengths, sort, as_tensor):
    x = _x(4, 6, 2) if batch_first else _x(6, 4, 2)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    le = ember.tensor(lengths) if as_tensor else lengths
    lt = torch.tensor(lengths) if as_tensor else lengths
    pe = ember.nn.utils.rnn.pack_padded_sequence(xe, le, batch_first, sort)
    pt = torch.nn.utils.rnn.pack_padded_sequence(xt, lt, batch_first, sort)
    assert isinstance(pe, ember.nn.utils.rnn.PackedSequence) and isinstance(pe, tuple)
    _cmp_packed(pe, pt)
    for total in (None, 8):
        ye, ne = ember.nn.utils.rnn.pad_packed_sequence(pe, batch_first, 0.5, total)
        yt, nt = torch.nn.utils.rnn.pad_packed_sequence(pt, batch_first, 0.5, total)
        np.testing.assert_array_equal(ye.detach().numpy(), yt.detach().numpy())
        np.testing.assert_array_equal(ne.numpy(), nt.numpy())
        assert ne.dtype == ember.int64
    w = _x(*yt.shape)
    (ye * ember.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy())


@pytest.mark.parametrize("sort", [True, False])
def test_pack_and_unpack_sequence(sort):
    lens = (4, 3, 1) if sort else (2, 4, 1)
    arrs = [_x(n, 3) for n in lens]
    pe = ember.nn.utils.rnn.pack_sequence(_pair(ember, arrs), enforce_sorted=sort)
    pt = torch.nn.utils.rnn.pack_sequence(_pair(torch, arrs), enforce_sorted=sort)
    _cmp_packed(pe, pt)
    for a, b in zip(ember.nn.utils.rnn.unpack_sequence(pe),
                    torch.nn.utils.rnn.unpack_sequence(pt)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_packed_sequence_methods():
    R = ember.nn.utils.rnn
    p = R.pack_sequence([ember.randn(3, 2), ember.randn(2, 2)])
    q = p.to(ember.float64)
    assert q.data.dtype == ember.float64 and q.batch_sizes is p.batch_sizes
    assert p.to(ember.float32) is p
    assert p.double().data.dtype == ember.float64 and p.float() is p
    assert not p.is_cuda and not p.is_pinned()
    data, bs, si, ui = p
    assert p._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
    r = R.PackedSequence((data, bs))
    assert r.sorted_indices is None and r.batch_sizes is bs
    perm = torch.tensor([2, 0, 3, 1])
    np.testing.assert_array_equal(R.invert_permutation(ember.tensor([2, 0, 3, 1])).numpy(),
                                  torch.nn.utils.rnn.invert_permutation(perm).numpy())
    assert R.invert_permutation(None) is None
    s = R.pack_sequence([ember.randn(2, 2), ember.randn(3, 2)], enforce_sorted=False)
    s64 = s.to(ember.float64)
    np.testing.assert_array_equal(s64.unsorted_indices.numpy(), s.unsorted_indices.numpy())


# ---------------------------------------------------------------- errors vs torch
def _raises_like(fn):
    try:
        fn(torch)
    except Exception as e:  # noqa: BLE001 - the type is what we compare
        err = type(e)
    else:
        raise AssertionError("torch raised nothing")
    with pytest.raises(err):
        fn(ember)


def _seqs(lib, *shapes):
    return [lib.tensor(_x(*s)) for s in shapes]


ERRORS = {
    "lstm wrong input size": lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 2, 4)),
    "gru wrong input size": lambda lib: lib.nn.GRU(3, 4)(lib.randn(5, 4)),
    "lstm wrong h0": lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 2, 3),
                                                   (lib.randn(1, 3, 4), lib.randn(1, 2, 4))),
    "lstm wrong c0": lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 2, 3),
                                                   (lib.randn(1, 2, 4), lib.randn(1, 2, 5))),
    "lstm proj h0 size": lambda lib: lib.nn.LSTM(3, 4, proj_size=2)(
        lib.randn(5, 2, 3), (lib.randn(1, 2, 4), lib.randn(1, 2, 4))),
    "empty sequence": lambda lib: lib.nn.LSTM(3, 4)(lib.randn(0, 2, 3)),
    "rnn 4-D input": lambda lib: lib.nn.RNN(3, 4)(lib.randn(5, 2, 3, 1)),
    "rnn h0 dims": lambda lib: lib.nn.RNN(3, 4)(lib.randn(5, 2, 3), lib.randn(2, 4)),
    "gru unbatched 3-D h0": lambda lib: lib.nn.GRU(3, 4)(lib.randn(5, 3), lib.randn(1, 2, 4)),
    "gru wrong h0 layers": lambda lib: lib.nn.GRU(3, 4, 2)(lib.randn(5, 2, 3),
                                                           lib.randn(1, 2, 4)),
    "lstm unbatched 3-D hx": lambda lib: lib.nn.LSTM(3, 4)(
        lib.randn(5, 3), (lib.randn(1, 2, 4), lib.randn(1, 2, 4))),
    "dtype mismatch": lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 2, 3, dtype=lib.float64)),
    "bad nonlinearity": lambda lib: lib.nn.RNN(3, 4, nonlinearity="x"),
    "proj on gru": lambda lib: lib.nn.GRU(3, 4, proj_size=2),
    "proj too big": lambda lib: lib.nn.LSTM(3, 4, proj_size=4),
    "bad dropout": lambda lib: lib.nn.LSTM(3, 4, dropout=2),
    "bad bias type": lambda lib: lib.nn.LSTM(3, 4, bias=1),
    "zero hidden": lambda lib: lib.nn.GRU(3, 0),
    "cell input size": lambda lib: lib.nn.LSTMCell(3, 4)(lib.randn(2, 4)),
    "cell batch": lambda lib: lib.nn.GRUCell(3, 4)(lib.randn(2, 3), lib.randn(3, 4)),
    "cell hidden size": lambda lib: lib.nn.RNNCell(3, 4)(lib.randn(2, 3), lib.randn(2, 5)),
    "lstm cell c size": lambda lib: lib.nn.LSTMCell(3, 4)(
        lib.randn(2, 3), (lib.randn(2, 4), lib.randn(2, 5))),
    "cell 3-D": lambda lib: lib.nn.GRUCell(3, 4)(lib.randn(2, 3, 3)),
    "cell bad nonlinearity": lambda lib: lib.nn.RNNCell(3, 4, nonlinearity="x")(
        lib.randn(2, 3)),
    "pack unsorted": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.randn(4, 3, 2),
                                                                       [2, 3, 1]),
    "pack zero length": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(
        lib.randn(4, 3, 2), [3, 1, 0]),
    "pack len count": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.randn(4, 3, 2),
                                                                        [3, 2]),
    "pack 2-D lengths": lambda lib: lib.nn.utils.rnn.pack_padded_sequence(
        lib.randn(4, 3, 2), lib.tensor([[3, 2, 1]])),
    "pad total_length": lambda lib: lib.nn.utils.rnn.pad_packed_sequence(
        lib.nn.utils.rnn.pack_padded_sequence(lib.randn(4, 3, 2), [4, 3, 1]), total_length=3),
    "pad_sequence side": lambda lib: lib.nn.utils.rnn.pad_sequence(
        _seqs(lib, (2, 3), (3, 3)), padding_side="middle"),
    "pad_sequence shapes": lambda lib: lib.nn.utils.rnn.pad_sequence(_seqs(lib, (2, 3), (3, 4))),
    "pad_sequence empty": lambda lib: lib.nn.utils.rnn.pad_sequence([]),
    "pad_sequence not iterable": lambda lib: lib.nn.utils.rnn.pad_sequence(5),
}


@pytest.mark.parametrize("case", list(ERRORS), ids=list(ERRORS))
def test_errors_match_torch(case):
    _raises_like(ERRORS[case])


def test_error_messages_match_torch():
    for name in ("lstm wrong input size", "lstm wrong h0", "cell batch", "pack unsorted"):
        msgs = []
        for lib in (torch, ember):
            try:
                ERRORS[name](lib)
            except Exception as e:  # noqa: BLE001
                msgs.append(str(e))
        assert msgs[0] == msgs[1]


def test_all_names_exported():
    import ember.nn.utils.rnn as R
    for name in torch.nn.utils.rnn.__all__:
        assert hasattr(R, name), name
    for name in ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell",
                 "GRUCell"]:
        assert hasattr(ember.nn, name), name
    assert list(itertools.chain(K.__all__)) == []
