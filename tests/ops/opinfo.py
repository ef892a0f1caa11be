"""The op table machinery: every op is checked against real torch the same way.

An :class:`OpInfo` names an op in ember and in torch and yields :class:`Sample` inputs (NumPy
arrays and Python values). The generic checks convert the arrays to ember and torch tensors
(float32 and float64), compare forward values, compare every input's gradient, and check
float64 gradients against central finite differences.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np
import torch

import ember

TOL = {"float32": dict(rtol=1e-5, atol=1e-5), "float64": dict(rtol=1e-7, atol=1e-9)}


@dataclasses.dataclass
class Sample:
    args: tuple
    kwargs: dict = dataclasses.field(default_factory=dict)
    # positional indices of the arrays to differentiate (default: every float array)
    grad: tuple | None = None
    noncontig: bool = False

    def __repr__(self):
        def show(a):
            if isinstance(a, np.ndarray):
                return f"array{a.shape}:{a.dtype}" + ("(nc)" if self.noncontig else "")
            return repr(a)
        return "Sample(" + ", ".join(show(a) for a in self.args) + \
            "".join(f", {k}={show(v)}" for k, v in self.kwargs.items()) + ")"


@dataclasses.dataclass
class OpInfo:
    name: str
    ember_fn: Callable
    torch_fn: Callable
    samples: Callable[[np.random.Generator], list]
    dtypes: tuple = ("float32", "float64")
    grad: bool = True
    gradcheck: bool = True
    rtol: float | None = None
    atol: float | None = None
    # ops whose output is a tuple/list: compare each element
    extra: dict = dataclasses.field(default_factory=dict)

    def __repr__(self):
        return self.name


def _noncontig(a):
    # same values, transposed-strided memory
    if a.ndim < 2:
        return np.repeat(a, 2)[::2] if a.ndim == 1 else a
    return np.ascontiguousarray(a.swapaxes(-1, -2)).swapaxes(-1, -2)


def _convert(sample: Sample, dtype: str, requires_grad: bool):
    e_args, t_args, diff = [], [], []
    grad_idx = sample.grad
    for i, a in enumerate(sample.args):
        if isinstance(a, np.ndarray):
            arr = a.astype(dtype) if a.dtype.kind == "f" else a
            if sample.noncontig:
                arr = _noncontig(arr)
            wants = requires_grad and arr.dtype.kind == "f" and (grad_idx is None or i in grad_idx)
            # copy keeping the (possibly non-contiguous) layout
            e = ember.from_numpy(np.array(arr, copy=True, order="K")).requires_grad_(wants)
            t = torch.tensor(arr, requires_grad=wants)
            e_args.append(e)
            t_args.append(t)
            if wants:
                diff.append(i)
        else:
            e_args.append(a)
            t_args.append(a)
    kw_e = {k: (ember.from_numpy(v.copy()) if isinstance(v, np.ndarray) else v)
            for k, v in sample.kwargs.items()}
    kw_t = {k: (torch.from_numpy(v.copy()) if isinstance(v, np.ndarray) else v)
            for k, v in sample.kwargs.items()}
    return e_args, t_args, kw_e, kw_t, diff


def _flat(out):
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res.extend(_flat(o))
        return res
    return [out]


def to_numpy(x):
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    if isinstance(x, ember.Tensor):
        return x.detach().numpy()
    return np.asarray(x)


def assert_close(e, t, rtol, atol, what=""):
    en, tn = to_numpy(e), to_numpy(t)
    assert en.shape == tn.shape, f"{what}: shape {en.shape} != torch {tn.shape}"
    if isinstance(e, ember.Tensor) and isinstance(t, torch.Tensor):
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], \
            f"{what}: dtype {e.dtype} != torch {t.dtype}"
    if en.dtype.kind in "biu":
        np.testing.assert_array_equal(en, tn, err_msg=what)
    else:
        np.testing.assert_allclose(en, tn, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def tolerances(op: OpInfo, dtype: str):
    tol = dict(TOL[dtype])
    if op.rtol is not None:
        tol["rtol"] = max(tol["rtol"], op.rtol) if dtype == "float32" else op.rtol
    if op.atol is not None:
        tol["atol"] = max(tol["atol"], op.atol) if dtype == "float32" else op.atol
    return tol


def check_forward(op: OpInfo, sample: Sample, dtype: str):
    e_args, t_args, kw_e, kw_t, _ = _convert(sample, dtype, False)
    e_out = op.ember_fn(*e_args, **kw_e)
    t_out = op.torch_fn(*t_args, **kw_t)
    tol = tolerances(op, dtype)
    e_flat, t_flat = _flat(e_out), _flat(t_out)
    assert len(e_flat) == len(t_flat)
    for i, (e, t) in enumerate(zip(e_flat, t_flat)):
        assert_close(e, t, what=f"{op.name} output {i}", **tol)


def check_backward(op: OpInfo, sample: Sample, dtype: str, seed=0):
    e_args, t_args, kw_e, kw_t, diff = _convert(sample, dtype, True)
    if not diff:
        return
    e_out = [o for o in _flat(op.ember_fn(*e_args, **kw_e))]
    t_out = [o for o in _flat(op.torch_fn(*t_args, **kw_t))]
    rng = np.random.default_rng(seed)
    e_loss, t_loss = None, None
    for e, t in zip(e_out, t_out):
        if not (isinstance(t, torch.Tensor) and t.requires_grad):
            continue
        w = rng.standard_normal(tuple(t.shape)).astype(dtype)
        e_term = (e * ember.tensor(w)).sum()
        t_term = (t * torch.tensor(w)).sum()
        e_loss = e_term if e_loss is None else e_loss + e_term
        t_loss = t_term if t_loss is None else t_loss + t_term
    if t_loss is None:
        return
    t_loss.backward()
    e_loss.backward()
    tol = tolerances(op, dtype)
    for i in diff:
        tg = t_args[i].grad
        eg = e_args[i].grad
        if tg is None:
            assert eg is None or not np.any(to_numpy(eg)), f"{op.name}: grad of arg {i}"
            continue
        assert eg is not None, f"{op.name}: no gradient for arg {i}"
        assert_close(eg, tg, what=f"{op.name} grad of arg {i}", **tol)


def numerical_grads(fn, arrays, eps=1e-6):
    """Central differences of ``sum(fn(*arrays) * w)`` for each array (float64)."""
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            old = a[idx]
            a[idx] = old + eps
            fp = fn()
            a[idx] = old - eps
            fm = fn()
            a[idx] = old
            g[idx] = (fp - fm) / (2 * eps)
        grads.append(g)
    return grads


def check_gradcheck(op: OpInfo, sample: Sample):
    """float64 analytic gradients of ember against central finite differences of ember."""
    e_args, _, kw_e, _, diff = _convert(sample, "float64", True)
    if not diff:
        return
    outs = _flat(op.ember_fn(*e_args, **kw_e))
    rng = np.random.default_rng(1)
    weights = [rng.standard_normal(o.shape) if isinstance(o, ember.Tensor) and o.requires_grad
               else None for o in outs]
    loss = None
    for o, w in zip(outs, weights):
        if w is not None:
            term = (o * ember.tensor(w)).sum()
            loss = term if loss is None else loss + term
    if loss is None:
        return
    loss.backward()
    arrays = [e_args[i].detach().numpy() for i in diff]

    def f():
        with ember.no_grad():
            res = _flat(op.ember_fn(*e_args, **kw_e))
        return sum(float((r.detach().numpy() * w).sum()) for r, w in zip(res, weights)
                   if w is not None)

    num = numerical_grads(f, arrays)
    for i, n in zip(diff, num):
        np.testing.assert_allclose(e_args[i].grad.numpy(), n, rtol=1e-5, atol=1e-6,
                                   err_msg=f"{op.name}: gradcheck of arg {i}")


def cases(ops, rng_seed=0):
    """(op, sample) pairs for pytest.mark.parametrize, with readable ids."""
    params = []
    for op in ops:
        rng = np.random.default_rng(rng_seed)
        for k, s in enumerate(op.samples(rng)):
            params.append(pytest_param(op, s, f"{op.name}-{k}"))
    return params


def pytest_param(op, s, id_):
    import pytest
    return pytest.param(op, s, id=id_)


def run_generic(op: OpInfo, sample: Sample, dtype: str):
    """forward; gradients vs torch; float64 gradcheck."""
    if dtype not in op.dtypes:
        return
    check_forward(op, sample, dtype)
    if op.grad:
        check_backward(op, sample, dtype)
        if op.gradcheck and dtype == "float64":
            check_gradcheck(op, sample)

