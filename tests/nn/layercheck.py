"""The nn test for "done": the same layer in torch and ember, weights copied through
state_dict, the same inputs -> the same outputs and gradients (inputs and parameters).

    check_layer(lambda nn: nn.Conv2d(3, 4, 3, padding=1), [x], dtype="float64")

``make`` receives the library's ``nn`` namespace (``torch.nn`` or ``ember.nn``), so one
factory describes both layers. Inputs are NumPy arrays (float arrays get gradients unless
``grad_inputs`` says otherwise) or other Python values passed through unchanged.
"""
from __future__ import annotations

import numpy as np
import torch

import ember

TOL = {"float32": dict(rtol=1e-5, atol=1e-5), "float64": dict(rtol=1e-7, atol=1e-9)}


def _flat(out):
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res.extend(_flat(o))
        return res
    if hasattr(out, "_fields"):
        return _flat(tuple(out))
    return [out]


def _np(x):
    return x.detach().numpy() if hasattr(x, "detach") else np.asarray(x)


def copy_state(t_layer, e_layer):
    sd = {k: ember.tensor(v.detach().numpy()) for k, v in t_layer.state_dict().items()}
    e_layer.load_state_dict(sd)


def check_layer(make, inputs, dtype="float64", train=True, rtol=None, atol=None,
                grad_inputs=None, kwargs=None, check_grads=True, seed=0):
    """Build the layer in both libraries, copy torch's weights to ember, compare forward
    values and the gradients of every input and parameter."""
    torch.manual_seed(seed)
    t_layer = make(torch.nn)
    e_layer = make(ember.nn)
    tdt = getattr(torch, dtype)
    t_layer = t_layer.to(tdt)
    e_layer = e_layer.to(getattr(ember, dtype))
    copy_state(t_layer, e_layer)
    t_layer.train(train)
    e_layer.train(train)
    tol = dict(TOL[dtype])
    if rtol is not None:
        tol["rtol"] = rtol
    if atol is not None:
        tol["atol"] = atol
    t_in, e_in = [], []
    for i, a in enumerate(inputs):
        if isinstance(a, np.ndarray):
            arr = a.astype(dtype) if a.dtype.kind == "f" else a
            rg = arr.dtype.kind == "f" and (grad_inputs is None or i in grad_inputs) \
                and check_grads
            t_in.append(torch.tensor(arr, requires_grad=rg))
            e_in.append(ember.tensor(arr, requires_grad=rg))
        else:
            t_in.append(a)
            e_in.append(a)
    kwargs = kwargs or {}
    t_out = _flat(t_layer(*t_in, **kwargs))
    e_out = _flat(e_layer(*e_in, **kwargs))
    assert len(t_out) == len(e_out)
    for k, (e, t) in enumerate(zip(e_out, t_out)):
        if isinstance(t, torch.Tensor):
            assert isinstance(e, ember.Tensor), f"output {k}: {type(e)}"
            assert tuple(e.shape) == tuple(t.shape), f"output {k}: {e.shape} vs {t.shape}"
            np.testing.assert_allclose(_np(e), _np(t), err_msg=f"output {k}", **tol)
        elif t is not None:
            assert e == t
    if not check_grads:
        return t_layer, e_layer
    rng = np.random.default_rng(seed + 1)
    t_loss = e_loss = None
    for e, t in zip(e_out, t_out):
        if isinstance(t, torch.Tensor) and t.requires_grad and t.dtype.is_floating_point:
            w = rng.standard_normal(tuple(t.shape)).astype(dtype)
            tt = (t * torch.tensor(w)).sum()
            et = (e * ember.tensor(w)).sum()
            t_loss = tt if t_loss is None else t_loss + tt
            e_loss = et if e_loss is None else e_loss + et
    if t_loss is None:
        return t_layer, e_layer
    t_loss.backward()
    e_loss.backward()
    for i, (e, t) in enumerate(zip(e_in, t_in)):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            assert (e.grad is None) == (t.grad is None), f"input {i} grad presence"
            if t.grad is not None:
                np.testing.assert_allclose(_np(e.grad), _np(t.grad),
                                           err_msg=f"grad of input {i}", **tol)
    t_params = dict(t_layer.named_parameters())
    for name, p in e_layer.named_parameters():
        tp = t_params[name]
        assert (p.grad is None) == (tp.grad is None), f"grad presence of {name}"
        if tp.grad is not None:
            np.testing.assert_allclose(_np(p.grad), _np(tp.grad), err_msg=f"grad of {name}",
                                       **tol)
    t_bufs = dict(t_layer.named_buffers())
    for name, b in e_layer.named_buffers():
        np.testing.assert_allclose(_np(b), _np(t_bufs[name]), err_msg=f"buffer {name}", **tol)
    return t_layer, e_layer
