"""Attention: F.scaled_dot_product_attention against torch (masks, is_causal, scale, GQA,
broadcast batches; values, gradients, float64 gradcheck, double backward, composite twin),
F.multi_head_attention_forward, and nn.MultiheadAttention through layercheck for every
option, with reprs, state_dict keys and error types."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as F
from tests.nn.layercheck import check_layer
from tests.ops.opinfo import OpInfo, Sample, cases, run_generic

DTYPES = ["float32", "float64"]


# ----------------------------------------------------------------------------- sdpa
def _qkv(rng, qs, ks, vs):
    return rng.standard_normal(qs), rng.standard_normal(ks), rng.standard_normal(vs)


def _bool_mask(rng, shape, dead_row=None):
    m = rng.random(shape) > 0.35
    m[..., 0] = True
    if dead_row is not None:
        m[..., dead_row, :] = False      # a fully masked row: safe softmax gives zeros
    return m


def _sdpa_samples(rng):
    B4 = ((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3))
    return [
        Sample(_qkv(rng, *B4)),
        Sample(_qkv(rng, (2, 2, 4, 4), (2, 2, 4, 4), (2, 2, 4, 3)), {"is_causal": True}),
        Sample(_qkv(rng, *B4), {"is_causal": True}),                       # L < S
        Sample(_qkv(rng, (2, 2, 5, 4), (2, 2, 3, 4), (2, 2, 3, 3)), {"is_causal": True}),
        Sample(_qkv(rng, *B4), {"scale": 0.7}),
        Sample(_qkv(rng, *B4), {"attn_mask": _bool_mask(rng, (3, 5), dead_row=1)}),
        Sample(_qkv(rng, *B4), {"attn_mask": _bool_mask(rng, (2, 1, 3, 5))}),
        Sample(_qkv(rng, *B4) + (rng.standard_normal((2, 1, 3, 5)),)),     # float mask, grad
        Sample(_qkv(rng, *B4) + (rng.standard_normal((3, 5)),), {"scale": 0.3}),
        Sample(_qkv(rng, (3, 4, 4), (3, 6, 4), (3, 6, 2))),                  # 3-D
        Sample(_qkv(rng, (4, 3), (6, 3), (6, 5)), {"is_causal": True}),     # unbatched 2-D
        Sample(_qkv(rng, (2, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 3))),        # broadcast batch
        Sample(_qkv(rng, (2, 4, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3)), {"enable_gqa": True}),
        Sample(_qkv(rng, (1, 6, 4, 4), (1, 2, 4, 4), (1, 2, 4, 2)),
               {"enable_gqa": True, "is_causal": True}),
        Sample(_qkv(rng, (2, 4, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3)) +
               (rng.standard_normal((2, 4, 3, 5)),), {"enable_gqa": True}),
        Sample(_qkv(rng, (2, 2, 4, 3), (2, 2, 5, 3), (2, 2, 5, 4)), noncontig=True),
        Sample(_qkv(rng, (2, 2, 0, 4), (2, 2, 5, 4), (2, 2, 5, 3))),        # empty L
        Sample(_qkv(rng, (2, 2, 3, 4), (2, 2, 0, 4), (2, 2, 0, 3))),        # empty S
    ]


def _sdpa(lib):
    def fn(q, k, v, attn_mask=None, **kw):
        return lib.scaled_dot_product_attention(q, k, v, attn_mask, **kw)
    return fn


OPS = [OpInfo("scaled_dot_product_attention", _sdpa(F), _sdpa(TF), _sdpa_samples)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op,sample", cases(OPS))
def test_sdpa_against_torch(op, sample, dtype):
    run_generic(op, sample, dtype)


def test_sdpa_mask_with_is_causal_combines_both():
    # torch's CPU kernel (square, no dropout) applies both the mask and the causal bias
    rng = np.random.default_rng(3)
    q, k, v = _qkv(rng, (2, 2, 5, 4), (2, 2, 5, 4), (2, 2, 5, 4))
    m = _bool_mask(rng, (5, 5))
    t = TF.scaled_dot_product_attention(*map(torch.tensor, (q, k, v)), torch.tensor(m),
                                        is_causal=True)
    e = F.scaled_dot_product_attention(*map(ember.tensor, (q, k, v)), ember.tensor(m),
                                       is_causal=True)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-7, atol=1e-9)


def test_sdpa_float16_computes_in_float32():
    rng = np.random.default_rng(4)
    arrs = [a.astype(np.float16) for a in _qkv(rng, (2, 3, 4), (2, 5, 4), (2, 5, 4))]
    e = F.scaled_dot_product_attention(*map(ember.tensor, arrs), is_causal=True)
    t = TF.scaled_dot_product_attention(*map(torch.tensor, arrs), is_causal=True)
    assert e.dtype == ember.float16
    np.testing.assert_allclose(e.numpy().astype(np.float32), t.numpy().astype(np.float32),
                               rtol=2e-3, atol=2e-3)


def _composite(q, k, v, mask=None, is_causal=False, scale=None):
    """The twin written with basic ember ops."""
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    s = ember.matmul(q, k.transpose(-1, -2)) * scale
    if is_causal:
        L, S = s.shape[-2:]
        s = s.masked_fill(ember.ones(L, S, dtype=ember.bool).triu(1), float("-inf"))
    if mask is not None:
        s = s + mask
    return ember.matmul(F.softmax(s, dim=-1), v)


@pytest.mark.parametrize("kw", [{}, {"is_causal": True}, {"scale": 0.4}, {"mask": True}])
def test_sdpa_matches_composite_twin(kw):
    rng = np.random.default_rng(5)
    arrs = list(_qkv(rng, (2, 3, 6, 4), (2, 3, 6, 4), (2, 3, 6, 5)))
    if kw.pop("mask", False):
        arrs.append(rng.standard_normal((3, 6, 6)))
    fused = [ember.tensor(a, requires_grad=True) for a in arrs]
    twin = [ember.tensor(a, requires_grad=True) for a in arrs]
    w = ember.tensor(rng.standard_normal((2, 3, 6, 5)))
    a = F.scaled_dot_product_attention(*fused, **kw)
    b = _composite(*twin, **kw)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12)
    (a * w).sum().backward()
    (b * w).sum().backward()
    for x, y in zip(fused, twin):
        np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_sdpa_is_one_node():
    q = ember.randn(2, 2, 4, 8, requires_grad=True)
    out = F.scaled_dot_product_attention(q, q, q, is_causal=True)
    assert out.grad_fn.name() == "ScaledDotProductAttentionBackward0"
    assert all(fn is not None and fn.name() == "torch::autograd::AccumulateGrad"
               for fn, _ in out.grad_fn.next_functions)


@pytest.mark.parametrize("kw", [
    dict(shapes=((2, 2, 3, 4), (2, 2, 4, 4), (2, 2, 4, 3))),
    dict(shapes=((1, 2, 4, 3), (1, 2, 4, 3), (1, 2, 4, 2)), is_causal=True),
    dict(shapes=((1, 2, 3, 3), (1, 2, 4, 3), (1, 2, 4, 2)), mask=(2, 3, 4)),
    dict(shapes=((1, 4, 3, 2), (1, 2, 3, 2), (1, 2, 3, 2)), enable_gqa=True, is_causal=True),
    dict(shapes=((3, 2), (4, 2), (4, 3)), bool_mask=(3, 4)),
])
def test_sdpa_double_backward(kw):
    kw = dict(kw)
    rng = np.random.default_rng(6)
    arrs = [rng.standard_normal(s) for s in kw.pop("shapes")]
    if "mask" in kw:
        arrs.append(rng.standard_normal(kw.pop("mask")))
    if "bool_mask" in kw:
        kw["attn_mask"] = ember.tensor(_bool_mask(rng, kw.pop("bool_mask"), dead_row=1))
    inputs = tuple(ember.tensor(a, requires_grad=True) for a in arrs)
    fn = lambda *t: F.scaled_dot_product_attention(*t, **kw)  # noqa: E731
    assert ember.autograd.gradcheck(fn, inputs)
    assert ember.autograd.gradgradcheck(fn, inputs)


def test_sdpa_double_backward_against_torch():
    rng = np.random.default_rng(7)
    arrs = list(_qkv(rng, (2, 2, 4, 3), (2, 2, 5, 3), (2, 2, 5, 2))) + \
        [rng.standard_normal((4, 5))]
    w1 = rng.standard_normal((2, 2, 4, 2))
    res = []
    for lib, fn in ((torch, TF), (ember, F)):
        ts = [lib.tensor(a, requires_grad=True) for a in arrs]
        out = fn.scaled_dot_product_attention(*ts)
        grads = lib.autograd.grad((out * lib.tensor(w1)).sum(), ts, create_graph=True)
        total = sum((g * g).sum() for g in grads)
        total.backward()
        res.append([t.grad.numpy() for t in ts])
    for t, e in zip(*res):
        np.testing.assert_allclose(e, t, rtol=1e-7, atol=1e-9)


def test_sdpa_dropout():
    rng = np.random.default_rng(8)
    arrs = _qkv(rng, (2, 2, 6, 4), (2, 2, 6, 4), (2, 2, 6, 3))
    ts = [ember.tensor(a, requires_grad=True) for a in arrs]
    ember.manual_seed(0)
    a = F.scaled_dot_product_attention(*ts, dropout_p=0.5)
    ember.manual_seed(0)
    b = F.scaled_dot_product_attention(*ts, dropout_p=0.5)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    assert not np.allclose(a.detach().numpy(),
                           F.scaled_dot_product_attention(*ts).detach().numpy())
    z = F.scaled_dot_product_attention(*ts, dropout_p=1.0)
    assert not z.detach().numpy().any()

    def seeded(*t):   # the same mask every call: gradients check against finite differences
        ember.manual_seed(1)
        return F.scaled_dot_product_attention(*t, dropout_p=0.3, is_causal=True)
    assert ember.autograd.gradcheck(seeded, tuple(ts))
    assert ember.autograd.gradgradcheck(seeded, tuple(ts))


def test_sdpa_inference_no_graph():
    q = ember.randn(2, 3, 4)
    with ember.no_grad():
        out = F.scaled_dot_product_attention(q, q, q)
    assert out.grad_fn is None and out.shape == (2, 3, 4)


@pytest.mark.parametrize("args,kw", [
    (((4,), (4,), (4,)), {}),
    (((2, 3, 8), (2, 4, 7), (2, 4, 8)), {}),
    (((2, 3, 8), (2, 4, 8), (2, 5, 8)), {}),
    (((2, 4, 3, 8), (2, 3, 5, 8), (2, 3, 5, 8)), {}),
    (((2, 4, 3, 8), (2, 3, 5, 8), (2, 3, 5, 8)), {"enable_gqa": True}),
    (((2, 2, 3, 8), (2, 2, 5, 8), (2, 2, 5, 8)), {"mask": (4, 5)}),
    (((2, 2, 3, 8), (2, 2, 5, 8), (2, 2, 5, 8)), {"mask": (3, 2, 2, 3, 5)}),
    (((2, 2, 3, 8), (2, 2, 5, 8), (2, 2, 5, 8)), {"mask": (3, 5), "mask_dtype": "int64"}),
    (((2, 2, 3, 8), (2, 2, 5, 8), (2, 2, 5, 8)), {"dropout_p": 1.5}),
    (((2, 3, 8), (2, 5, 8), (2, 5, 8)), {"dtype_k": "float64"}),
])
def test_sdpa_errors(args, kw):
    kw = dict(kw)
    mask_shape = kw.pop("mask", None)
    mask_dtype = kw.pop("mask_dtype", "float32")
    dtype_k = kw.pop("dtype_k", "float32")
    rng = np.random.default_rng(0)
    arrs = [rng.standard_normal(s).astype("float32") for s in args]
    arrs[1] = arrs[1].astype(dtype_k)
    mask = None if mask_shape is None else np.zeros(mask_shape, mask_dtype)
    errs = []
    for lib, fn in ((torch, TF), (ember, F)):
        m = None if mask is None else lib.tensor(mask)
        with pytest.raises(Exception) as info:
            fn.scaled_dot_product_attention(*[lib.tensor(a) for a in arrs], m, **kw)
        errs.append(info.type)
    assert errs[1] is errs[0]


# ----------------------------------------------------------------------------- MHA layer
def _wrapped(nn, mode, **kw):
    """MultiheadAttention called as self-attention (q is k is v) or encoder-decoder
    attention (k is v), so the packed-projection paths are exercised."""
    class Wrap(nn.Module):
        def __init__(self):
            super().__init__()
            self.attn = nn.MultiheadAttention(**kw)

        def forward(self, x, m=None, *args):
            if mode == "self":
                return self.attn(x, x, x, *args)
            return self.attn(x, m, m, *args)
    return Wrap()


def _x(rng, *shape):
    return rng.standard_normal(shape)


def _mha_cases():
    rng = np.random.default_rng(10)
    E, H, L, S, N = 8, 2, 4, 5, 3
    q, k, v = _x(rng, L, N, E), _x(rng, S, N, E), _x(rng, S, N, E)
    kpm_b = np.zeros((N, S), bool)
    kpm_b[0, -2:] = True
    kpm_b[2, -1] = True
    kpm_all = kpm_b.copy()
    kpm_all[1] = True
    kpm_f = np.where(kpm_b, -np.inf, 0.0) + 0.1 * rng.standard_normal((N, S))
    am2_b = _bool_mask(rng, (L, S)) == 0
    am2_f = rng.standard_normal((L, S))
    am3_b = _bool_mask(rng, (N * H, L, S)) == 0
    am3_f = rng.standard_normal((N * H, L, S))
    causal = np.triu(np.full((L, L), -np.inf), 1)
    base = dict(embed_dim=E, num_heads=H)
    c = [
        ("plain", base, [q, k, v]),
        ("kdim_vdim", dict(base, kdim=3, vdim=6), [q, _x(rng, S, N, 3), _x(rng, S, N, 6)]),
        ("bias_kv", dict(base, add_bias_kv=True), [q, k, v]),
        ("zero_attn", dict(base, add_zero_attn=True), [q, k, v]),
        ("bias_kv_zero_attn_masks", dict(base, add_bias_kv=True, add_zero_attn=True),
         [q, k, v, kpm_b, True, am2_b]),
        ("no_bias", dict(base, bias=False), [q, k, v]),
        ("batch_first", dict(base, batch_first=True),
         [q.swapaxes(0, 1).copy(), k.swapaxes(0, 1).copy(), v.swapaxes(0, 1).copy()]),
        ("kpm_bool", base, [q, k, v, kpm_b]),
        ("kpm_float", base, [q, k, v, kpm_f]),
        ("am2_bool", base, [q, k, v, None, True, am2_b]),
        ("am2_float", base, [q, k, v, None, True, am2_f]),
        ("am3_bool", base, [q, k, v, None, True, am3_b]),
        ("am3_float_kpm_float", base, [q, k, v, kpm_f, True, am3_f]),
        ("kpm_am_no_weights", base, [q, k, v, kpm_b, False, am2_b]),
        # a batch element with every key padded: NaN with weights (plain softmax), zeros
        # without (sdpa's safe softmax), as in torch
        ("kpm_all_masked_weights", base, [q, k, v, kpm_all]),
        ("kpm_all_masked_no_weights", base, [q, k, v, kpm_all, False]),
        ("per_head_weights", base, [q, k, v, None, True, am2_f, False]),
        ("no_weights", base, [q, k, v, None, False]),
        ("unbatched", base, [q[:, 0], k[:, 0], v[:, 0], kpm_b[0], True, am3_f[:H]]),
        ("unbatched_bf_per_head", dict(base, batch_first=True),
         [q[:, 0], k[:, 0], v[:, 0], None, True, None, False]),
        ("is_causal_no_weights", base, [q, q, q, None, False, causal, True, True]),
        ("is_causal_weights", base, [q, q, q, None, True, causal, True, True]),
        ("is_causal_batch_first", dict(base, batch_first=True),
         [q.swapaxes(0, 1).copy(), q.swapaxes(0, 1).copy(), q.swapaxes(0, 1).copy(), None,
          False, causal, True, True]),
    ]
    out = []
    for name, kw, inputs in c:
        out.append(pytest.param(lambda nn, kw=kw: nn.MultiheadAttention(**kw), inputs,
                                id=name))
    # the packed projections: self-attention and encoder-decoder attention
    bf = [q.swapaxes(0, 1).copy(), None, kpm_b, True, am2_b]
    out += [
        pytest.param(lambda nn: _wrapped(nn, "self", **base), [q], id="self"),
        pytest.param(lambda nn: _wrapped(nn, "self", **base, batch_first=True),
                     [bf[0], None, kpm_b[:, :L], False, am2_b[:, :L]], id="self_bf_masks"),
        pytest.param(lambda nn: _wrapped(nn, "self", **base, batch_first=True),
                     [bf[0], None, None, False, causal, True, True], id="self_bf_causal"),
        pytest.param(lambda nn: _wrapped(nn, "kv", **base), [q, k], id="enc_dec"),
        pytest.param(lambda nn: _wrapped(nn, "kv", **base, batch_first=True, bias=False),
                     [bf[0], k.swapaxes(0, 1).copy(), kpm_b, True, am2_f], id="enc_dec_bf"),
        pytest.param(lambda nn: _wrapped(nn, "self", **base, dropout=0.0),
                     [q[:, 0], None, None, True, None, False], id="self_unbatched"),
    ]
    return out


@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("make,inputs", _mha_cases())
def test_multihead_attention_layercheck(make, inputs, dtype, train):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # mismatched mask types warn in both libraries
        check_layer(make, inputs, dtype=dtype, train=train)


def test_multihead_attention_dropout_train_vs_eval():
    x = ember.randn(4, 2, 8)
    m = ember.nn.MultiheadAttention(8, 2, dropout=0.5)
    out_eval = m.eval()(x, x, x)[0]
    np.testing.assert_allclose(out_eval.detach().numpy(), m(x, x, x)[0].detach().numpy())
    m.train()
    ember.manual_seed(0)
    a, w = m(x, x, x, need_weights=True, average_attn_weights=False)
    assert not np.allclose(a.detach().numpy(), out_eval.detach().numpy())
    # the returned weights are after dropout: zeros or rescaled by 1 / (1 - p)
    assert (w.detach().numpy() == 0).any()
    a.sum().backward()
    assert all(p.grad is not None for p in m.parameters())


@pytest.mark.parametrize("kw", [
    dict(embed_dim=8, num_heads=2),
    dict(embed_dim=8, num_heads=4, kdim=3, vdim=5, add_bias_kv=True),
    dict(embed_dim=6, num_heads=3, bias=False, add_zero_attn=True, batch_first=True),
])
def test_multihead_attention_repr_and_state_dict(kw):
    t = torch.nn.MultiheadAttention(**kw)
    e = ember.nn.MultiheadAttention(**kw)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert type(e.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    assert isinstance(e.out_proj, ember.nn.Linear)
    for (n, p), (_, tp) in zip(e.named_parameters(), t.named_parameters()):
        assert tuple(p.shape) == tuple(tp.shape), n


def test_multihead_attention_init():
    ember.manual_seed(0)
    m = ember.nn.MultiheadAttention(64, 4, add_bias_kv=True)
    bound = np.sqrt(6 / (64 + 192))              # xavier_uniform_ on (3E, E)
    w = m.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert not m.in_proj_bias.detach().numpy().any()
    assert not m.out_proj.bias.detach().numpy().any()
    assert m.bias_k.detach().numpy().std() > 0


def _errors_of(fn):
    types = []
    for lib in (torch, ember):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as info:
                fn(lib)
        types.append(info.type)
    return types


@pytest.mark.parametrize("case", [
    "not_divisible", "zero_dim", "attn_mask_2d_shape", "attn_mask_3d_shape", "attn_mask_4d",
    "query_4d", "kpm_shape", "mask_int", "is_causal_without_mask", "key_value_mismatch",
    "embed_dim_mismatch",
])
def test_multihead_attention_errors(case):
    def run(lib):
        x = lib.zeros(4, 2, 8)
        if case == "not_divisible":
            return lib.nn.MultiheadAttention(10, 3)
        if case == "zero_dim":
            return lib.nn.MultiheadAttention(0, 1)
        m = lib.nn.MultiheadAttention(8, 2)
        if case == "attn_mask_2d_shape":
            return m(x, x, x, attn_mask=lib.zeros(4, 3))
        if case == "attn_mask_3d_shape":
            return m(x, x, x, attn_mask=lib.zeros(3, 4, 4))
        if case == "attn_mask_4d":
            return m(x, x, x, attn_mask=lib.zeros(1, 4, 4, 4))
        if case == "query_4d":
            return m(lib.zeros(1, 4, 2, 8), x, x)
        if case == "kpm_shape":
            return m(x, x, x, key_padding_mask=lib.zeros(2, 3, dtype=lib.bool))
        if case == "mask_int":
            return m(x, x, x, attn_mask=lib.zeros(4, 4, dtype=lib.int64))
        if case == "is_causal_without_mask":
            return m(x, x, x, is_causal=True)
        if case == "key_value_mismatch":
            return m(x, x, lib.zeros(5, 2, 8))
        if case == "embed_dim_mismatch":
            return m(lib.zeros(4, 2, 6), lib.zeros(4, 2, 6), lib.zeros(4, 2, 6))
    t, e = _errors_of(run)
    assert e is t


def test_mismatched_mask_types_warn():
    x = ember.zeros(4, 2, 8)
    m = ember.nn.MultiheadAttention(8, 2)
    with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):
        m(x, x, x, key_padding_mask=ember.zeros(2, 4, dtype=ember.bool),
          attn_mask=ember.zeros(4, 4))


# ----------------------------------------------------------------------------- functional
def test_multi_head_attention_forward_functional():
    rng = np.random.default_rng(11)
    E, H, L, S, N = 8, 2, 3, 4, 2
    arrays = dict(q=_x(rng, L, N, E), k=_x(rng, S, N, E), v=_x(rng, S, N, E),
                  w_in=_x(rng, 3 * E, E), b_in=_x(rng, 3 * E), bk=_x(rng, 1, 1, E),
                  bv=_x(rng, 1, 1, E), w_out=_x(rng, E, E), b_out=_x(rng, E),
                  am=rng.standard_normal((L, S)))
    res = []
    for lib, fn in ((torch, TF), (ember, F)):
        t = {n: lib.tensor(a, requires_grad=True) for n, a in arrays.items()}
        out, w = fn.multi_head_attention_forward(
            t["q"], t["k"], t["v"], E, H, t["w_in"], t["b_in"], t["bk"], t["bv"], False, 0.0,
            t["w_out"], t["b_out"], training=False, attn_mask=t["am"],
            average_attn_weights=False)
        (out.sum() + (w * w).sum()).backward()
        res.append([out.detach().numpy(), w.detach().numpy()] +
                   [t[n].grad.numpy() for n in arrays])
    for a, b in zip(*res):
        np.testing.assert_allclose(b, a, rtol=1e-7, atol=1e-9)


def test_multi_head_attention_forward_separate_and_static():
    rng = np.random.default_rng(12)
    E, H, L, S, N = 8, 2, 3, 4, 2
    arrays = dict(q=_x(rng, L, N, E), k=_x(rng, S, N, 5), v=_x(rng, S, N, 6),
                  wq=_x(rng, E, E), wk=_x(rng, E, 5), wv=_x(rng, E, 6), b_in=_x(rng, 3 * E),
                  w_out=_x(rng, E, E), sk=_x(rng, N * H, 7, E // H),
                  sv=_x(rng, N * H, 7, E // H))
    res = []
    for lib, fn in ((torch, TF), (ember, F)):
        t = {n: lib.tensor(a, requires_grad=True) for n, a in arrays.items()}
        out, _ = fn.multi_head_attention_forward(
            t["q"], t["k"], t["v"], E, H, None, t["b_in"], None, None, True, 0.0,
            t["w_out"], None, use_separate_proj_weight=True, q_proj_weight=t["wq"],
            k_proj_weight=t["wk"], v_proj_weight=t["wv"], static_k=t["sk"], static_v=t["sv"],
            need_weights=False)
        out.sum().backward()
        res.append([out.detach().numpy()] +
                   [None if t[n].grad is None else t[n].grad.numpy() for n in arrays])
    for a, b in zip(*res):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(b, a, rtol=1e-7, atol=1e-9)


def test_multihead_attention_double_backward():
    m = ember.nn.MultiheadAttention(4, 2, batch_first=True).double()
    x = ember.randn(2, 3, 4, dtype=ember.float64, requires_grad=True)
    mask = ember.nn.Transformer.generate_square_subsequent_mask(3, dtype=ember.float64)

    def f(x):
        return m(x, x, x, attn_mask=mask, need_weights=False, is_causal=True)[0]
    assert ember.autograd.gradgradcheck(f, (x,))

    def g(x):
        out, w = m(x, x, x, need_weights=True)
        return out.sum() + (w * w).sum()
    assert ember.autograd.gradgradcheck(g, (x,))
