"""Transformer layers through layercheck (encoder/decoder layers and stacks, the full
Transformer; norm_first, activations, masks, batch_first, unbatched; train with dropout 0 and
eval; float32/float64), reprs, state_dict keys, warnings, causal-mask helpers and errors."""
import warnings

import numpy as np
import pytest
import torch

import ember
from tests.nn.layercheck import check_layer

DTYPES = ["float32", "float64"]
D, H, FF = 8, 2, 16


def _quiet(fn):
    """Build layers with the nested-tensor warning silenced (it is checked separately)."""
    def make(nn):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(nn)
    return make


def _act(nn, name):
    if name == "callable":
        return nn.functional.silu
    if name == "module":
        return nn.GELU()
    return name


def _cases():
    rng = np.random.default_rng(0)
    S, T, N = 5, 4, 3
    src, tgt = rng.standard_normal((S, N, D)), rng.standard_normal((T, N, D))
    src_bf, tgt_bf = src.swapaxes(0, 1).copy(), tgt.swapaxes(0, 1).copy()
    causal_t = np.triu(np.full((T, T), -np.inf), 1)
    causal_s = np.triu(np.full((S, S), -np.inf), 1)
    kpm = np.zeros((N, S), bool)
    kpm[0, -2:] = True
    tkpm = np.zeros((N, T), bool)
    tkpm[1, -1] = True
    am_b = rng.random((S, S)) < 0.3
    np.fill_diagonal(am_b, False)
    mem_f = rng.standard_normal((T, S))
    c = []

    def enc(norm_first=False, act="relu", bf=False, bias=True):
        return lambda nn: nn.TransformerEncoderLayer(D, H, FF, 0.0, _act(nn, act),
                                                     batch_first=bf, norm_first=norm_first,
                                                     bias=bias)

    def dec(norm_first=False, act="relu", bf=False):
        return lambda nn: nn.TransformerDecoderLayer(D, H, FF, 0.0, _act(nn, act),
                                                     batch_first=bf, norm_first=norm_first)
    for nf in (False, True):
        c += [
            (f"enc_layer-nf{nf}", enc(nf), [src]),
            (f"enc_layer_gelu_masks-nf{nf}", enc(nf, "gelu"), [src, am_b, kpm]),
            (f"enc_layer_causal-nf{nf}", enc(nf, "callable", bf=True),
             [src_bf, causal_s, None, True]),
            (f"dec_layer-nf{nf}", dec(nf), [tgt, src]),
            (f"dec_layer_masks-nf{nf}", dec(nf, "gelu", bf=True),
             [tgt_bf, src_bf, causal_t, mem_f, tkpm, kpm, True]),
        ]
    c += [
        ("enc_layer_module_act_no_bias", enc(False, "module", bias=False), [src, causal_s]),
        ("enc_layer_unbatched", enc(True), [src[:, 0], am_b, kpm[0]]),
        ("dec_layer_unbatched", dec(False, "gelu"), [tgt[:, 0], src[:, 0], causal_t]),
        ("encoder", _quiet(lambda nn: nn.TransformerEncoder(
            nn.TransformerEncoderLayer(D, H, FF, 0.0), 2, nn.LayerNorm(D))),
         [src, causal_s, kpm]),
        ("encoder_bf_detect_causal", _quiet(lambda nn: nn.TransformerEncoder(
            nn.TransformerEncoderLayer(D, H, FF, 0.0, batch_first=True, norm_first=True), 2,
            enable_nested_tensor=False)), [src_bf, causal_s]),
        ("decoder", lambda nn: nn.TransformerDecoder(
            nn.TransformerDecoderLayer(D, H, FF, 0.0, "gelu"), 2, nn.LayerNorm(D)),
         [tgt, src, causal_t, None, tkpm, kpm]),
        ("transformer", _quiet(lambda nn: nn.Transformer(
            D, H, 2, 1, FF, 0.0)), [src, tgt, None, causal_t, None, kpm, tkpm, kpm]),
        ("transformer_bf_nf_gelu", _quiet(lambda nn: nn.Transformer(
            D, H, 1, 2, FF, 0.0, "gelu", batch_first=True, norm_first=True)),
         [src_bf, tgt_bf, am_b, causal_t, mem_f, None, None, None, None, True]),
        ("transformer_unbatched_no_bias", _quiet(lambda nn: nn.Transformer(
            D, H, 1, 1, FF, 0.0, bias=False)), [src[:, 0], tgt[:, 0]]),
    ]
    return [pytest.param(make, inputs, id=name) for name, make, inputs in c]


@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("make,inputs", _cases())
def test_transformer_layercheck(make, inputs, dtype, train):
    check_layer(make, inputs, dtype=dtype, train=train)


@pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors")
def test_encoder_inference_fast_path_zeroes_padding():
    # torch's inference fast path packs the batch as a nested tensor: padded outputs are 0
    rng = np.random.default_rng(1)
    src = rng.standard_normal((3, 5, D)).astype("float32")
    kpm = np.zeros((3, 5), bool)
    kpm[0, 3:] = True
    kpm[2, 4:] = True
    torch.manual_seed(0)
    t = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(D, H, FF,
                                                                     batch_first=True), 2)
    e = ember.nn.TransformerEncoder(ember.nn.TransformerEncoderLayer(D, H, FF,
                                                                     batch_first=True), 2)
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    t.eval()
    e.eval()
    with torch.no_grad():
        to = t(torch.tensor(src), src_key_padding_mask=torch.tensor(kpm))
    with ember.no_grad():
        eo = e(ember.tensor(src), src_key_padding_mask=ember.tensor(kpm))
    np.testing.assert_allclose(eo.numpy(), to.numpy(), rtol=1e-5, atol=1e-5)
    assert not eo.numpy()[0, 3:].any()


def test_transformer_dropout_train():
    m = ember.nn.TransformerEncoderLayer(D, H, FF, dropout=0.5, batch_first=True)
    x = ember.randn(2, 5, D, requires_grad=True)
    m.eval()
    a = m(x)
    np.testing.assert_allclose(a.detach().numpy(), m(x).detach().numpy())
    m.train()
    b = m(x)
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    b.sum().backward()
    assert x.grad is not None and all(p.grad is not None for p in m.parameters())


def test_reprs_and_state_dict_keys():
    makers = [
        lambda nn: nn.TransformerEncoderLayer(D, H, FF, batch_first=True, norm_first=True),
        lambda nn: nn.TransformerDecoderLayer(D, H, FF, activation="gelu", bias=False),
        lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(D, H, FF), 2,
                                         nn.LayerNorm(D), enable_nested_tensor=False),
        lambda nn: nn.TransformerDecoder(nn.TransformerDecoderLayer(D, H, FF), 2),
        lambda nn: nn.Transformer(D, H, 2, 2, FF, layer_norm_eps=1e-6),
    ]
    for make in makers:
        t, e = _quiet(make)(torch.nn), _quiet(make)(ember.nn)
        assert repr(e) == repr(t)
        assert list(e.state_dict()) == list(t.state_dict())
        for (n, p), (_, tp) in zip(e.named_parameters(), t.named_parameters()):
            assert tuple(p.shape) == tuple(tp.shape), n


def test_transformer_init_is_xavier():
    ember.manual_seed(0)
    m = _quiet(lambda nn: nn.Transformer(16, 2, 1, 1, 32))(ember.nn)
    w = m.encoder.layers[0].linear1.weight.detach().numpy()
    bound = np.sqrt(6 / (16 + 32))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound


def test_custom_encoder_decoder():
    enc = ember.nn.TransformerEncoder(ember.nn.TransformerEncoderLayer(D, H, FF), 1,
                                      enable_nested_tensor=False)
    dec = ember.nn.TransformerDecoder(ember.nn.TransformerDecoderLayer(D, H, FF), 1)
    m = ember.nn.Transformer(D, H, custom_encoder=enc, custom_decoder=dec)
    assert m.encoder is enc and m.decoder is dec
    assert m(ember.randn(5, 2, D), ember.randn(4, 2, D)).shape == (4, 2, D)


def test_nested_tensor_warning_like_torch():
    for kw in [dict(), dict(batch_first=True), dict(batch_first=True, norm_first=True),
               dict(batch_first=True, activation=torch.nn.functional.silu)]:
        msgs = []
        for lib in (torch, ember):
            kw2 = dict(kw)
            if "activation" in kw2:
                kw2["activation"] = lib.nn.functional.silu
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                m = lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(D, H, FF, **kw2), 1)
            msgs.append(([str(x.message) for x in w], m.use_nested_tensor))
        assert msgs[0] == msgs[1]


@pytest.mark.parametrize("sz", [1, 4])
def test_generate_square_subsequent_mask(sz):
    t = torch.nn.Transformer.generate_square_subsequent_mask(sz)
    e = ember.nn.Transformer.generate_square_subsequent_mask(sz)
    assert e.dtype == ember.float32
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    e64 = ember.nn.Transformer.generate_square_subsequent_mask(sz, dtype=ember.float64)
    assert e64.dtype == ember.float64


def test_detect_is_causal_mask():
    from ember.nn.modules.transformer import _detect_is_causal_mask
    from torch.nn.modules.transformer import _detect_is_causal_mask as t_detect
    causal = np.triu(np.full((4, 4), -np.inf), 1).astype("float32")
    other = np.zeros((4, 4), "float32")
    for m, is_causal, size in [(causal, None, None), (other, None, None), (causal, False, 4),
                               (None, True, None), (causal, None, 3)]:
        tm = None if m is None else torch.tensor(m)
        em = None if m is None else ember.tensor(m)
        assert _detect_is_causal_mask(em, is_causal, size) == t_detect(tm, is_causal, size)


@pytest.mark.parametrize("case", ["batch", "feature", "activation", "not_divisible"])
def test_transformer_errors(case):
    types = []
    for lib in (torch, ember):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as info:
                if case == "activation":
                    lib.nn.TransformerEncoderLayer(D, H, FF, activation="tanh")
                elif case == "not_divisible":
                    lib.nn.TransformerEncoderLayer(9, 2)
                else:
                    m = lib.nn.Transformer(D, H, 1, 1, FF)
                    if case == "batch":
                        m(lib.zeros(5, 2, D), lib.zeros(4, 3, D))
                    else:
                        m(lib.zeros(5, 2, D + 1), lib.zeros(4, 2, D + 1))
        types.append(info.type)
    assert types[1] is types[0]
