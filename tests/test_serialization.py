"""Checkpoints: torch <-> ember in both directions, safety, atomicity, corrupt files."""
import io
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def _arr(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype.startswith("float"):
        return rng.standard_normal(shape).astype(dtype)
    return rng.integers(0, 100, shape).astype(dtype)


def _check_same(e, t):
    assert isinstance(e, ember.Tensor) and isinstance(t, torch.Tensor)
    assert tuple(e.shape) == tuple(t.shape)
    assert e.dtype.name == str(t.dtype).replace("torch.", "")
    assert e.stride() == t.stride()
    np.testing.assert_array_equal(e.numpy() if not e.requires_grad else e.detach().numpy(),
                                  t.detach().numpy())


@pytest.mark.parametrize("dtype", DTYPES)
def test_torch_to_ember_all_dtypes_views_share_storage(tmp_path, dtype):
    base = torch.from_numpy(_arr(dtype, (4, 5)))
    obj = {"base": base, "row": base[2], "col": base[:, 1], "t": base.t(),
           "scalar": torch.tensor(3, dtype=base.dtype), "n": 7, "s": "text", "l": [1.5, (2, 3)]}
    path = tmp_path / "t.pt"
    torch.save(obj, path)
    e = ember.load(path)
    for k in ("base", "row", "col", "t", "scalar"):
        _check_same(e[k], obj[k])
    assert e["n"] == 7 and e["s"] == "text" and e["l"] == [1.5, (2, 3)]
    if dtype != "bool":
        with ember.no_grad():
            e["base"][2, 1] = 9
        assert e["row"][1].item() == 9 and e["col"][2].item() == 9 and e["t"][1, 2].item() == 9


@pytest.mark.parametrize("dtype", DTYPES)
def test_ember_to_torch_all_dtypes_views_share_storage(tmp_path, dtype):
    base = ember.from_numpy(_arr(dtype, (4, 5)))
    obj = {"base": base, "row": base[2], "col": base[:, 1], "t": base.t(),
           "scalar": ember.tensor(3, dtype=base.dtype), "n": 7, "s": "text"}
    path = tmp_path / "e.pt"
    ember.save(obj, path)
    t = torch.load(path, weights_only=True)
    for k in ("base", "row", "col", "t", "scalar"):
        _check_same(obj[k], t[k])
    if dtype != "bool":
        t["base"][2, 1] = 9
        assert t["row"][1].item() == 9 and t["col"][2].item() == 9 and t["t"][1, 2].item() == 9


def _torch_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Linear(8, 3))


def test_state_dicts_round_trip_with_torch(tmp_path):
    tm = _torch_model()
    opt = torch.optim.SGD(tm.parameters(), lr=0.1, momentum=0.9)
    tm(torch.randn(2, 4)).sum().backward()
    opt.step()
    torch.save({"model": tm.state_dict(), "optim": opt.state_dict()}, tmp_path / "a.pt")
    ck = ember.load(tmp_path / "a.pt")
    assert list(ck["model"].keys()) == list(tm.state_dict().keys())
    assert isinstance(ck["model"], OrderedDict)
    em = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.Linear(8, 3))
    em.load_state_dict(ck["model"])
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(em(ember.tensor(x)).detach().numpy(),
                               tm(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert ck["optim"]["param_groups"][0]["params"] == [0, 1, 2, 3]
    _check_same(ck["optim"]["state"][0]["momentum_buffer"],
                opt.state_dict()["state"][0]["momentum_buffer"])
    ember.save(ck, tmp_path / "b.pt")
    back = torch.load(tmp_path / "b.pt", weights_only=True)
    tm2 = _torch_model()
    tm2.load_state_dict(back["model"])
    for (k, a), b in zip(tm.state_dict().items(), tm2.state_dict().values()):
        assert torch.equal(a, b), k
    assert back["optim"]["param_groups"] == opt.state_dict()["param_groups"]


def test_parameter_and_requires_grad_survive(tmp_path):
    p = ember.nn.Parameter(ember.ones(3))
    q = ember.ones(2, requires_grad=True)
    ember.save({"p": p, "q": q}, tmp_path / "p.pt")
    t = torch.load(tmp_path / "p.pt", weights_only=True)
    assert isinstance(t["p"], torch.nn.Parameter) and t["q"].requires_grad
    e = ember.load(tmp_path / "p.pt")
    assert isinstance(e["p"], ember.nn.Parameter) and e["q"].requires_grad


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_malicious_pickle_is_refused_and_executes_nothing(tmp_path, monkeypatch):
    payload = pickle.dumps({"x": _Evil()}, protocol=2)
    calls = []
    monkeypatch.setattr(os, "system", lambda cmd: calls.append(cmd))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", payload)
        zf.writestr("archive/version", "3\n")
    path = tmp_path / "evil.pt"
    path.write_bytes(buf.getvalue())
    with pytest.raises(pickle.UnpicklingError, match="posix.system|os.system|unsupported global"):
        ember.load(path)
    assert calls == []


def test_weights_only_false_loads_arbitrary_objects(tmp_path):
    ember.save({"f": np.float64, "slice": slice(1, 2)}, tmp_path / "o.pt")
    with pytest.raises(pickle.UnpicklingError):
        ember.load(tmp_path / "o.pt")
    assert ember.load(tmp_path / "o.pt", weights_only=False)["f"] is np.float64


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "ck.pt"
    ember.save({"w": ember.ones(3)}, path)
    before = path.read_bytes()

    class Boom:
        def __reduce__(self):
            raise RuntimeError("crash mid-save")
    with pytest.raises(RuntimeError, match="crash mid-save"):
        ember.save({"w": ember.zeros(3), "boom": Boom()}, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ck.pt"]
    assert ember.load(path)["w"].tolist() == [1.0, 1.0, 1.0]


def test_file_objects(tmp_path):
    buf = io.BytesIO()
    ember.save([ember.arange(3)], buf)
    buf.seek(0)
    assert ember.load(buf)[0].tolist() == [0, 1, 2]
    buf.seek(0)
    assert torch.load(buf, weights_only=True)[0].tolist() == [0, 1, 2]


_GOOD = []


def _good_bytes():
    if not _GOOD:  # one file for every example: hypothesis needs a stable input
        buf = io.BytesIO()
        ember.save({"w": ember.arange(10.0), "b": [1, 2]}, buf)
        _GOOD.append(buf.getvalue())
    return _GOOD[0]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_corrupt_and_truncated_files_raise_clear_errors(tmp_path_factory, data):
    good = _good_bytes()
    kind = data.draw(st.sampled_from(["random", "truncate", "flip"]))
    if kind == "random":
        raw = data.draw(st.binary(max_size=400))
    elif kind == "truncate":
        raw = good[:data.draw(st.integers(0, len(good) - 1))]
    else:
        pos = data.draw(st.integers(0, len(good) - 1))
        raw = good[:pos] + bytes([good[pos] ^ 0xFF]) + good[pos + 1:]
    path = tmp_path_factory.mktemp("c") / "bad.pt"
    path.write_bytes(raw)
    try:
        ember.load(path)
    except (RuntimeError, pickle.UnpicklingError) as e:
        assert "bad.pt" in str(e) or isinstance(e, pickle.UnpicklingError)


def test_every_truncation_and_byte_flip_raises_a_clear_error(tmp_path):
    """The exhaustive twin of the test above: each prefix of a good file, and the file with
    each single byte flipped (a flipped zip header once escaped as a bare "zip file version")."""
    good = _good_bytes()
    path = tmp_path / "bad.pt"
    cases = [good[:i] for i in range(len(good))]
    cases += [good[:i] + bytes([good[i] ^ 0xFF]) + good[i + 1:] for i in range(len(good))]
    for raw in cases:
        path.write_bytes(raw)
        try:
            ember.load(path)
        except pickle.UnpicklingError:
            pass
        except RuntimeError as e:
            assert "bad.pt" in str(e), (raw, e)


def test_safetensors_round_trip(tmp_path):
    pytest.importorskip("safetensors")
    from ember.serialization import load_safetensors, save_safetensors
    t = {"a": ember.arange(6.0).reshape(2, 3), "b": ember.tensor([1, 2], dtype=ember.int32)}
    save_safetensors(t, tmp_path / "m.safetensors")
    back = load_safetensors(tmp_path / "m.safetensors")
    assert back["a"].tolist() == t["a"].tolist() and back["b"].dtype is ember.int32
    from safetensors.torch import load_file
    tt = load_file(str(tmp_path / "m.safetensors"))
    assert tt["a"].tolist() == t["a"].tolist()


def test_training_resumes_exactly_after_checkpoint(tmp_path):
    """Model + optimizer + scheduler saved mid-training and loaded into fresh objects: the
    losses continue exactly as if training had never been interrupted."""
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((32, 6)).astype(np.float32))
    y = ember.tensor(rng.standard_normal((32, 2)).astype(np.float32))

    def build():
        ember.manual_seed(0)
        model = ember.nn.Sequential(ember.nn.Linear(6, 16), ember.nn.Tanh(),
                                    ember.nn.Linear(16, 2))
        opt = ember.optim.Adam(model.parameters(), lr=0.01)
        sched = ember.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        return model, opt, sched

    def train(model, opt, sched, steps):
        losses = []
        for _ in range(steps):
            opt.zero_grad()
            loss = ember.nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
        return losses

    model, opt, sched = build()
    straight = train(model, opt, sched, 10)

    model, opt, sched = build()
    first = train(model, opt, sched, 4)
    ember.save({"model": model.state_dict(), "opt": opt.state_dict(),
                "sched": sched.state_dict()}, tmp_path / "ck.pt")
    del model, opt, sched
    model, opt, sched = build()
    with ember.no_grad():
        for p in model.parameters():
            p.mul_(0)  # make sure the weights really come from the checkpoint
    ck = ember.load(tmp_path / "ck.pt")
    model.load_state_dict(ck["model"])
    opt.load_state_dict(ck["opt"])
    sched.load_state_dict(ck["sched"])
    resumed = first + train(model, opt, sched, 6)
    assert resumed == straight
