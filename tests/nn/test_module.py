"""The Module contract, checked against torch.nn with the same architecture."""
import numpy as np
import pytest
import torch

import ember
from ember import nn


def _pair(lib):
    class Block(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.nn.Linear(4, 3)
            self.register_buffer("steps", lib.zeros(1))
            self.register_buffer("scratch", lib.zeros(2), persistent=False)
            self.scale = lib.nn.Parameter(lib.ones(3))

        def forward(self, x):
            return self.fc(x) * self.scale

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = lib.nn.ModuleList([Block(), Block()])
            self.head = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Identity())
            self.extra = lib.nn.ModuleDict({"a": lib.nn.Linear(2, 2)})

        def forward(self, x):
            x = self.blocks[0](x)
            return self.extra["a"](self.head(x))
    return Net()


def _copy(src_torch, dst_ember):
    sd = {k: ember.tensor(v.detach().numpy()) for k, v in src_torch.state_dict().items()}
    return dst_ember.load_state_dict(sd)


def test_state_dict_keys_names_and_repr_match_torch():
    t, e = _pair(torch), _pair(ember)
    assert list(e.state_dict().keys()) == list(t.state_dict().keys())
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in e.named_children()] == [n for n, _ in t.named_children()]
    assert repr(e) == repr(t)
    assert [tuple(p.shape) for p in e.parameters()] == [tuple(p.shape) for p in t.parameters()]


def test_load_state_dict_then_same_outputs_and_grads():
    t, e = _pair(torch), _pair(ember)
    res = _copy(t, e)
    assert res.missing_keys == [] and res.unexpected_keys == []
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    yt = t(torch.tensor(x))
    ye = e(ember.tensor(x))
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    yt.sum().backward()
    ye.sum().backward()
    for (n, pe), (_, pt) in zip(e.named_parameters(), t.named_parameters()):
        if pt.grad is None:
            assert pe.grad is None, n
        else:
            np.testing.assert_allclose(pe.grad.numpy(), pt.grad.numpy(), rtol=1e-5, atol=1e-6,
                                       err_msg=n)


def test_load_state_dict_errors_like_torch():
    t, e = _pair(torch), _pair(ember)
    sd = {k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()}
    del sd["head.0.bias"]
    sd["bogus"] = ember.zeros(1)
    with pytest.raises(RuntimeError) as ee:
        e.load_state_dict(sd)
    tsd = dict(t.state_dict())
    del tsd["head.0.bias"]
    tsd["bogus"] = torch.zeros(1)
    with pytest.raises(RuntimeError) as et:
        t.load_state_dict(tsd)
    assert str(ee.value) == str(et.value)
    res_e = e.load_state_dict(sd, strict=False)
    res_t = t.load_state_dict(tsd, strict=False)
    assert res_e.missing_keys == res_t.missing_keys
    assert res_e.unexpected_keys == res_t.unexpected_keys
    sd = {k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()}
    sd["head.0.weight"] = ember.zeros(5, 5)
    tsd = dict(t.state_dict())
    tsd["head.0.weight"] = torch.zeros(5, 5)
    with pytest.raises(RuntimeError) as ee:
        e.load_state_dict(sd)
    with pytest.raises(RuntimeError) as et:
        t.load_state_dict(tsd)
    assert str(ee.value) == str(et.value)


def test_train_eval_zero_grad_requires_grad_and_apply():
    e = _pair(ember)
    assert e.training and all(m.training for m in e.modules())
    e.eval()
    assert not any(m.training for m in e.modules())
    e.train()
    assert all(m.training for m in e.modules())
    out = e(ember.ones(2, 4)).sum()
    out.backward()
    assert e.head[0].weight.grad is not None
    e.zero_grad()
    assert all(p.grad is None for p in e.parameters())
    out = e(ember.ones(2, 4)).sum()
    out.backward()
    e.zero_grad(set_to_none=False)
    assert all(p.grad is None or not p.grad.numpy().any() for p in e.parameters())
    e.requires_grad_(False)
    assert not any(p.requires_grad for p in e.parameters())
    seen = []
    e.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen.count("Linear") == 4


def test_to_dtype_keeps_parameter_objects():
    e = _pair(ember)
    params = list(e.parameters())
    e.double()
    assert all(p.dtype is ember.float64 for p in e.parameters())
    assert all(a is b for a, b in zip(params, e.parameters()))
    e.to(ember.float32)
    assert all(p.dtype is ember.float32 for p in e.parameters())
    with pytest.raises(TypeError):
        e.to(ember.int64)


def test_get_submodule_parameter_and_attribute_routing():
    e = _pair(ember)
    assert e.get_submodule("blocks.1.fc") is e.blocks[1].fc
    assert e.get_parameter("blocks.0.scale") is e.blocks[0].scale
    with pytest.raises(AttributeError):
        e.get_submodule("blocks.7")
    with pytest.raises(TypeError):
        e.blocks[0].scale = ember.zeros(3)  # a plain tensor can't replace a parameter
    e.blocks[0].scale = None
    assert "scale" not in dict(e.blocks[0].named_parameters())
    m = nn.Module()
    with pytest.raises(KeyError):
        m.register_buffer("a.b", ember.zeros(1))
    m.w = nn.Parameter(ember.zeros(2))
    assert list(dict(m.named_parameters())) == ["w"]
    del m.w
    assert list(m.parameters()) == []


def test_hooks_forward_pre_forward_and_backward():
    lin_t, lin_e = torch.nn.Linear(3, 2), nn.Linear(3, 2)
    lin_e.load_state_dict({k: ember.tensor(v.detach().numpy())
                           for k, v in lin_t.state_dict().items()})
    logs = {"t": [], "e": []}
    for lin, key in ((lin_t, "t"), (lin_e, "e")):
        lin.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
        h = lin.register_forward_hook(lambda m, args, out: out + 1)
        lin.register_full_backward_hook(
            lambda m, gi, go, key=key: logs[key].append((gi[0].numpy().copy(),
                                                         go[0].numpy().copy())))
        h2 = lin.register_forward_hook(lambda m, a, o: o * 0)
        h2.remove()
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    xt = torch.tensor(x, requires_grad=True)
    xe = ember.tensor(x, requires_grad=True)
    yt, ye = lin_t(xt), lin_e(xe)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-6)
    (yt * yt).sum().backward()
    (ye * ye).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-5)
    assert len(logs["e"]) == len(logs["t"]) == 1
    for a, b in zip(logs["e"][0], logs["t"][0]):
        np.testing.assert_allclose(a, b, rtol=1e-5)
    h.remove()


def test_sequential_and_lists_behave_like_torch():
    e = nn.Sequential(nn.Linear(2, 2), nn.Identity(), nn.Linear(2, 1))
    t = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Identity(), torch.nn.Linear(2, 1))
    assert repr(e[1:]) == repr(t[1:])
    assert len(e) == 3 and isinstance(e[-1], nn.Linear)
    e.append(nn.Identity())
    t.append(torch.nn.Identity())
    assert repr(e) == repr(t)
    del e[0]
    del t[0]
    assert list(e.state_dict()) == list(t.state_dict())
    ml_e = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    ml_t = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(3)])
    assert repr(ml_e) == repr(ml_t)
    pl_e = nn.ParameterList([ember.zeros(2), nn.Parameter(ember.ones(3))])
    pl_t = torch.nn.ParameterList([torch.zeros(2), torch.nn.Parameter(torch.ones(3))])
    assert [n for n, _ in pl_e.named_parameters()] == [n for n, _ in pl_t.named_parameters()]
    pd_e = nn.ParameterDict({"a": ember.zeros(2)})
    pd_t = torch.nn.ParameterDict({"a": torch.zeros(2)})
    assert [n for n, _ in pd_e.named_parameters()] == [n for n, _ in pd_t.named_parameters()]
