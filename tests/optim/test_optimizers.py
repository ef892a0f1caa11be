"""ember.optim optimizers against real torch.optim: same params, same gradients (float64),
same parameters after 50 steps (rtol 1e-9), same state_dict structure, same errors."""
import copy
import re
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.optim as eoptim

SHAPES = [(4, 3), (5,), ()]
STEPS = 50


def _params(rng, dtype=np.float64, shapes=SHAPES):
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    ep = [ember.nn.Parameter(ember.tensor(a.copy())) for a in arrays]
    tp = [torch.nn.Parameter(torch.tensor(a.copy())) for a in arrays]
    return ep, tp


def _grad(rng, shape, dtype):
    g = rng.standard_normal(shape)
    if g.ndim:
        g[rng.random(shape) < 0.1] = 0.0  # exact zeros exercise Rprop's sign == 0 branch
    return g.astype(dtype)


def _set_grads(rng, ep, tp, skip=()):
    for i, (e, t) in enumerate(zip(ep, tp)):
        if i in skip:
            e.grad, t.grad = None, None
            continue
        g = _grad(rng, tuple(e.shape), e.detach().numpy().dtype)
        e.grad = ember.tensor(g)
        t.grad = torch.tensor(g)


def _assert_params(ep, tp, rtol=1e-9, atol=1e-12):
    for e, t in zip(ep, tp):
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


def _to_ember(obj):
    if isinstance(obj, torch.Tensor):
        return ember.tensor(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return {k: _to_ember(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_ember(v) for v in obj)
    return obj


def _assert_same_structure(e, t, path="sd"):
    """The ember state_dict mirrors torch's: keys, nesting, types, tensor dtypes and values."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), path
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], path
        assert tuple(e.shape) == tuple(t.shape), path
        np.testing.assert_allclose(e.numpy(), t.detach().numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=path)
    elif isinstance(t, dict):
        assert isinstance(e, dict) and list(e.keys()) == list(t.keys()), path
        for k in t:
            _assert_same_structure(e[k], t[k], f"{path}[{k!r}]")
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t), path
        for i, (a, b) in enumerate(zip(e, t)):
            _assert_same_structure(a, b, f"{path}[{i}]")
    elif isinstance(t, float):
        assert e == pytest.approx(t, rel=1e-9, abs=1e-12), path
    else:
        assert e == t, path


CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.8, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.05, weight_decay=0.1, nesterov=False, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.5), eps=1e-6, maximize=True, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True, maximize=True)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, betas=(0.6, 0.9), weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, momentum_decay=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.9), weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.5)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1, eps=1e-6, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-4)),
    ("Adadelta", dict(lr=0.5, weight_decay=0.1, maximize=True)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.02, etas=(0.3, 1.5), step_sizes=(1e-3, 0.05))),
    ("Rprop", dict(lr=0.01, maximize=True)),
    ("ASGD", dict(lr=0.01)),
    ("ASGD", dict(lr=0.05, lambd=1e-2, alpha=0.5, t0=10)),
    ("ASGD", dict(lr=0.05, t0=0, weight_decay=0.1, maximize=True)),
]


def _ids(cases):
    return [f"{n}-" + "-".join(f"{k}={v}" for k, v in kw.items()) for n, kw in cases]


def _compare_run(name, kwargs, seed=0, steps=STEPS, groups=None, dtype=np.float64,
                 rtol=1e-9, skip=()):
    rng = np.random.default_rng(seed)
    ep, tp = _params(rng, dtype)
    if groups is None:
        eo = getattr(eoptim, name)(ep, **kwargs)
        to = getattr(torch.optim, name)(tp, **kwargs)
    else:
        eo = getattr(eoptim, name)([dict(g, params=[ep[i] for i in g["params"]])
                                    for g in groups], **kwargs)
        to = getattr(torch.optim, name)([dict(g, params=[tp[i] for i in g["params"]])
                                         for g in groups], **kwargs)
    grng = np.random.default_rng(seed + 1)
    for step in range(steps):
        _set_grads(grng, ep, tp, skip)
        eo.step()
        to.step()
        if step % 5 == 4:
            _assert_params(ep, tp, rtol=rtol, atol=rtol * 1e-3)
    return eo, to, ep, tp


@pytest.mark.parametrize("name,kwargs", CASES, ids=_ids(CASES))
def test_matches_torch_50_steps(name, kwargs):
    eo, to, ep, tp = _compare_run(name, kwargs)
    _assert_same_structure(eo.state_dict(), to.state_dict())


@pytest.mark.parametrize("name,kwargs", CASES[::3], ids=_ids(CASES[::3]))
def test_state_dict_round_trip(name, kwargs):
    """Checkpoint mid-way (ember's own and torch's, converted) and continue identically."""
    rng = np.random.default_rng(3)
    ep, tp = _params(rng)
    eo = getattr(eoptim, name)(ep, **kwargs)
    to = getattr(torch.optim, name)(tp, **kwargs)
    grng = np.random.default_rng(4)
    for _ in range(20):
        _set_grads(grng, ep, tp)
        eo.step()
        to.step()
    # fresh optimizers: ember loading ember's checkpoint, ember loading torch's, torch
    # loading torch's (loading casts state such as NAdam's mu_product to the param dtype)
    ep2 = [ember.nn.Parameter(ember.tensor(p.detach().numpy().copy())) for p in ep]
    ep3 = [ember.nn.Parameter(ember.tensor(p.detach().numpy().copy())) for p in ep]
    tp2 = [torch.nn.Parameter(p.detach().clone()) for p in tp]
    eo2 = getattr(eoptim, name)(ep2, lr=123.0)
    eo3 = getattr(eoptim, name)(ep3)
    to2 = getattr(torch.optim, name)(tp2, lr=123.0)
    eo2.load_state_dict(copy.deepcopy(eo.state_dict()))
    eo3.load_state_dict(_to_ember(to.state_dict()))
    to2.load_state_dict(to.state_dict())
    _assert_same_structure(eo2.state_dict(), to2.state_dict())
    _assert_same_structure(eo3.state_dict(), to2.state_dict())
    for _ in range(30):
        _set_grads(grng, ep2, tp2)
        for a, b in zip(ep3, ep2):
            a.grad = ember.tensor(b.grad.numpy().copy())
        eo2.step()
        eo3.step()
        to2.step()
    _assert_params(ep2, tp2)
    _assert_params(ep3, tp2)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_param_groups_per_group_options(name):
    kwargs = dict(lr=0.01)
    groups = [dict(params=[0], lr=0.05), dict(params=[1, 2], weight_decay=0.2)]
    if name in ("SGD", "RMSprop"):
        groups[0]["momentum"] = 0.9
    eo, to, ep, tp = _compare_run(name, kwargs, groups=groups)
    _assert_same_structure(eo.state_dict(), to.state_dict())
    assert repr(eo) == repr(to)


@pytest.mark.parametrize("name", ["SGD", "Adam", "Rprop", "ASGD"])
def test_params_without_grad_are_skipped(name):
    eo, to, ep, tp = _compare_run(name, dict(lr=0.01), skip=(1,), steps=10)
    assert list(eo.state_dict()["state"]) == list(to.state_dict()["state"])


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.1, momentum=0.9)),
                                         ("Adam", dict(lr=0.01)), ("NAdam", dict(lr=0.01)),
                                         ("ASGD", dict(lr=0.05, t0=5))])
def test_float32(name, kwargs):
    _compare_run(name, kwargs, dtype=np.float32, steps=20, rtol=1e-5)


def test_add_param_group_and_defaults():
    rng = np.random.default_rng(0)
    ep, tp = _params(rng)
    eo = eoptim.Adam(ep[:1], lr=0.01)
    to = torch.optim.Adam(tp[:1], lr=0.01)
    eo.add_param_group({"params": ep[1:], "lr": 0.1, "betas": (0.5, 0.9)})
    to.add_param_group({"params": tp[1:], "lr": 0.1, "betas": (0.5, 0.9)})
    assert eo.defaults == to.defaults
    assert [{k: v for k, v in g.items() if k != "params"} for g in eo.param_groups] == \
        [{k: v for k, v in g.items() if k != "params"} for g in to.param_groups]
    grng = np.random.default_rng(1)
    for _ in range(10):
        _set_grads(grng, ep, tp)
        eo.step()
        to.step()
    _assert_params(ep, tp)
    with pytest.raises(ValueError, match="some parameters appear in more than one"):
        eo.add_param_group({"params": ep[:1]})
    with pytest.raises(TypeError, match="param_group must be a dict"):
        eo.add_param_group(ep[0])
    with pytest.raises(TypeError, match="ordered collections"):
        eo.add_param_group({"params": set(ep)})


def test_named_parameters():
    rng = np.random.default_rng(0)
    ep, tp = _params(rng)
    eo = eoptim.SGD([("a", ep[0]), ("b", ep[1])], lr=0.1)
    to = torch.optim.SGD([("a", tp[0]), ("b", tp[1])], lr=0.1)
    assert eo.state_dict() == to.state_dict()
    with pytest.raises(ValueError, match="with/without names"):
        eo.add_param_group({"params": [ep[2]]})


def test_construction_errors_match_torch():
    x = ember.nn.Parameter(ember.tensor([1.0]))
    tx = torch.nn.Parameter(torch.tensor([1.0]))
    with pytest.raises(TypeError) as te:
        torch.optim.SGD(tx)
    with pytest.raises(TypeError, match=re.escape(str(te.value))):
        eoptim.SGD(x)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        eoptim.SGD([])
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors"):
        eoptim.SGD([1.0])
    nonleaf = x * 2
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        eoptim.SGD([nonleaf])
    with pytest.warns(UserWarning, match="duplicate parameters"):
        eoptim.SGD([x, x])


BAD = [
    ("SGD", dict(lr=-0.1)), ("SGD", dict(momentum=-1)), ("SGD", dict(weight_decay=-1)),
    ("SGD", dict(nesterov=True)), ("SGD", dict(nesterov=True, momentum=0.9, dampening=0.1)),
    ("Adam", dict(lr=-1.0)), ("Adam", dict(eps=-1.0)), ("Adam", dict(betas=(1.0, 0.9))),
    ("Adam", dict(betas=(0.9, -0.1))), ("Adam", dict(weight_decay=-1.0)),
    ("Adam", dict(betas=(0, 0.9))), ("AdamW", dict(lr=-1.0)),
    ("Adamax", dict(betas=(0.9, 1.0))), ("NAdam", dict(momentum_decay=-1.0)),
    ("RAdam", dict(eps=-1.0)), ("RMSprop", dict(alpha=-1.0)), ("RMSprop", dict(momentum=-1)),
    ("Adagrad", dict(lr_decay=-1.0)), ("Adagrad", dict(initial_accumulator_value=-1.0)),
    ("Adadelta", dict(rho=1.5)), ("Rprop", dict(etas=(1.5, 1.2))), ("ASGD", dict(lr=-1.0)),
    ("ASGD", dict(weight_decay=-1.0)), ("LBFGS", dict(lr=-1.0)),
]


@pytest.mark.parametrize("name,kwargs", BAD, ids=_ids(BAD))
def test_invalid_options_match_torch(name, kwargs):
    with pytest.raises(Exception) as te:
        getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(2))], **kwargs)
    with pytest.raises(type(te.value), match="^" + re.escape(str(te.value)) + "$"):
        getattr(eoptim, name)([ember.nn.Parameter(ember.zeros(2))], **kwargs)


def test_lbfgs_rejects_param_groups():
    p = [ember.nn.Parameter(ember.zeros(2)), ember.nn.Parameter(ember.zeros(2))]
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        eoptim.LBFGS([{"params": p[:1]}, {"params": p[1:]}])


def test_zero_grad():
    p = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
    opt = eoptim.SGD([p], lr=0.1)
    p.grad = ember.tensor([3.0, 4.0])
    g = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is g and p.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


def test_step_hooks():
    p = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
    opt = eoptim.SGD([p], lr=0.1)
    calls = []

    def pre(o, args, kwargs):
        calls.append(("pre", o is opt, args[1:], kwargs))

    def post(o, args, kwargs):
        calls.append(("post", o is opt))

    h1 = opt.register_step_pre_hook(pre)
    h2 = opt.register_step_post_hook(post)
    h3 = eoptim.optimizer.register_optimizer_step_pre_hook(lambda o, a, k: calls.append("g"))
    p.grad = ember.tensor([1.0, 1.0])
    opt.step()
    assert calls == ["g", ("pre", True, (), {}), ("post", True)]
    h1.remove()
    h2.remove()
    h3.remove()
    opt.step()
    assert len(calls) == 3

    # a pre hook may replace the arguments of step: here it injects a closure
    opt.register_step_pre_hook(lambda o, a, k: (a, {"closure": lambda: 42.0}))
    assert opt.step() == 42.0
    opt.register_step_pre_hook(lambda o, a, k: "bad")
    with pytest.raises(RuntimeError, match="must return None or a tuple"):
        opt.step()


def test_state_dict_hooks_and_closure_loss():
    p = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
    opt = eoptim.Adam([p], lr=0.1)
    seen = []
    opt.register_state_dict_pre_hook(lambda o: seen.append("pre"))
    opt.register_state_dict_post_hook(lambda o, sd: dict(sd, extra=1))
    opt.register_load_state_dict_pre_hook(lambda o, sd: seen.append("lpre"))
    opt.register_load_state_dict_post_hook(lambda o: seen.append("lpost"))

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with ember.no_grad():
        loss = opt.step(closure)
    assert float(loss) == 5.0
    sd = opt.state_dict()
    assert sd["extra"] == 1 and seen == ["pre"]
    opt.load_state_dict(sd)
    assert seen == ["pre", "lpre", "lpost"]
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})


def _lbfgs_problem(rng, n=6):
    A = rng.standard_normal((n, n))
    A = A @ A.T / n + np.eye(n) * 0.1
    b = rng.standard_normal(n)
    x0 = rng.standard_normal(n)
    return A, b, x0


@pytest.mark.parametrize("kwargs", [dict(), dict(history_size=3, max_iter=7),
                                    dict(line_search_fn="strong_wolfe"),
                                    dict(line_search_fn="strong_wolfe", history_size=2,
                                         lr=0.5, max_iter=5)],
                         ids=["plain", "history3", "strong_wolfe", "strong_wolfe-h2"])
def test_lbfgs_matches_torch(kwargs):
    rng = np.random.default_rng(7)
    A, b, x0 = _lbfgs_problem(rng)
    ex = ember.nn.Parameter(ember.tensor(x0.copy()))
    tx = torch.nn.Parameter(torch.tensor(x0.copy()))
    eA, eb, tA, tb = ember.tensor(A), ember.tensor(b), torch.tensor(A), torch.tensor(b)
    eo = eoptim.LBFGS([ex], **kwargs)
    to = torch.optim.LBFGS([tx], **kwargs)

    def eclosure():
        eo.zero_grad()
        r = ember.matmul(eA, ex) - eb
        loss = (r * r).sum() + ember.exp(ex * 0.3).sum()
        loss.backward()
        return loss

    def tclosure():
        to.zero_grad()
        r = torch.matmul(tA, tx) - tb
        loss = (r * r).sum() + torch.exp(tx * 0.3).sum()
        loss.backward()
        return loss.detach()

    for _ in range(3):
        el = eo.step(eclosure)
        tl = to.step(tclosure)
        assert float(el) == pytest.approx(tl.item(), rel=1e-9)
        _assert_params([ex], [tx])
    es, ts = eo.state_dict()["state"][0], to.state_dict()["state"][0]
    assert es.keys() == ts.keys()
    assert es["func_evals"] == ts["func_evals"] and es["n_iter"] == ts["n_iter"]
    for key in ("d", "prev_flat_grad"):
        np.testing.assert_allclose(es[key].numpy(), ts[key].numpy(), rtol=1e-6, atol=1e-9)
    assert len(es["old_dirs"]) == len(ts["old_dirs"])


def test_step_builds_no_graph_and_updates_in_place():
    p = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
    data = p._data
    opt = eoptim.Adam([p], lr=0.1)
    p.grad = ember.tensor([1.0, -1.0])
    v = p._version
    opt.step()
    assert p._data is data and p.grad_fn is None and p._version > v
    assert opt.state[p]["step"].dtype == ember.float32


def test_no_warnings_in_plain_loop():
    p = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
    opt = eoptim.SGD([p], lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p.grad = ember.tensor([1.0, 1.0])
        opt.step()


COMPLEX = [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.1, amsgrad=True)),
           ("RMSprop", dict(centered=True, momentum=0.5)), ("Adagrad", {}), ("Rprop", {}),
           ("ASGD", dict(t0=2)), ("NAdam", {}), ("RAdam", {}), ("Adadelta", {}),
           ("Adamax", {})]


@pytest.mark.parametrize("name,kwargs", COMPLEX, ids=_ids(COMPLEX))
def test_complex_params(name, kwargs):
    """Complex parameters are updated as torch does (on their real view)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))
    ep = ember.nn.Parameter(ember.tensor(a.copy()))
    tp = torch.nn.Parameter(torch.tensor(a.copy()))
    eo = getattr(eoptim, name)([ep], **kwargs)
    to = getattr(torch.optim, name)([tp], **kwargs)
    for _ in range(20):
        g = rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))
        ep.grad, tp.grad = ember.tensor(g), torch.tensor(g)
        eo.step()
        to.step()
    _assert_params([ep], [tp])


def test_tensor_lr_and_deepcopy():
    p = ember.nn.Parameter(ember.tensor([1.0, 2.0], dtype=ember.float64))
    opt = eoptim.SGD([p], lr=ember.tensor(0.1, dtype=ember.float64))
    sched = eoptim.lr_scheduler.ExponentialLR(opt, 0.5)
    p.grad = ember.tensor([1.0, 1.0], dtype=ember.float64)
    opt.step()
    sched.step()
    assert p.tolist() == pytest.approx([0.9, 1.9])
    assert opt.param_groups[0]["lr"].item() == 0.05
    clone = copy.deepcopy(opt)
    assert clone.param_groups[0]["params"][0] is not p
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        eoptim.Adam([p], lr=ember.tensor([0.1, 0.2]))


def test_parameter_and_buffer_follow_torch():
    """The tensors optimizers work on: Parameter shares its data, deep-copies, prints and
    pickles as torch's; Buffer is a flagged plain Tensor."""
    import pickle

    x = ember.tensor([1.0, 2.0])
    p = ember.nn.Parameter(x)
    tp = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert p._data is x._data and isinstance(p, ember.Tensor) and p.requires_grad
    assert p.is_leaf and p.grad is None
    assert repr(p).replace("ember", "torch") == repr(tp)
    assert not ember.nn.Parameter(x, requires_grad=False).requires_grad
    assert tuple(ember.nn.Parameter().shape) == tuple(torch.nn.Parameter().shape)
    q = copy.deepcopy(p)
    assert type(q) is ember.nn.Parameter and q._data is not p._data
    assert q.tolist() == p.tolist() and q.requires_grad
    with pytest.raises(RuntimeError):
        ember.nn.Parameter(ember.tensor([1, 2]))
    r = pickle.loads(pickle.dumps(p))
    assert type(r) is ember.nn.Parameter and r.tolist() == [1.0, 2.0] and r.requires_grad

    b = ember.nn.Buffer(x, persistent=False)
    tb = torch.nn.Buffer(torch.tensor([1.0, 2.0]), persistent=False)
    assert type(b) is ember.Tensor and type(tb) is torch.Tensor
    assert isinstance(b, ember.nn.Buffer) and not isinstance(x, ember.nn.Buffer)
    assert b.persistent is False and b._data is x._data and not b.requires_grad


@pytest.mark.parametrize("name", ["SGD", "Adam", "NAdam"])
def test_checkpoint_files_round_trip_with_torch(name, tmp_path):
    """ember.save -> torch.load -> torch optimizer -> torch.save -> ember.load -> ember."""
    kwargs = dict(lr=0.01, momentum=0.9) if name == "SGD" else dict(lr=0.01)
    eo, to, ep, tp = _compare_run(name, kwargs, steps=10)
    ember.save(eo.state_dict(), tmp_path / "e.pt")
    tp2 = [torch.nn.Parameter(p.detach().clone()) for p in tp]
    to2 = getattr(torch.optim, name)(tp2, **kwargs)
    to2.load_state_dict(torch.load(tmp_path / "e.pt", weights_only=True))
    # the reference: torch loading its own checkpoint (loading casts e.g. NAdam's mu_product)
    to_ref = getattr(torch.optim, name)([torch.nn.Parameter(p.detach().clone()) for p in tp],
                                        **kwargs)
    to_ref.load_state_dict(to.state_dict())
    _assert_same_structure(_to_ember(to2.state_dict()), to_ref.state_dict())
    torch.save(to.state_dict(), tmp_path / "t.pt")
    ep2 = [ember.nn.Parameter(ember.tensor(p.detach().numpy().copy())) for p in ep]
    eo2 = getattr(eoptim, name)(ep2, **kwargs)
    eo2.load_state_dict(ember.load(tmp_path / "t.pt"))
    _assert_same_structure(eo2.state_dict(), to_ref.state_dict())
