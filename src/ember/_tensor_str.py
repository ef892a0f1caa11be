"""torch-style printing of tensors."""
from __future__ import annotations

import numpy as _np

from . import dtypes as _dt


def _fmt_array(arr):
    kind = arr.dtype.kind
    if arr.size == 0:
        return "[]"
    opts = dict(separator=", ", threshold=1000, edgeitems=3, max_line_width=80)
    if kind == "f":
        finite = arr[_np.isfinite(arr)]
        ints = finite.size and _np.all(finite == _np.round(finite))
        big = finite.size and (_np.abs(finite).max() >= 1e8 or
                               (_np.abs(finite[finite != 0]).min() < 1e-4
                                if (finite != 0).any() else False))
        if ints and not big:
            opts["formatter"] = {"float_kind": lambda x: f"{x:.0f}." if _np.isfinite(x)
                                 else str(x)}
        elif big:
            opts["formatter"] = {"float_kind": lambda x: f"{x:.4e}"}
        else:
            opts["precision"] = 4
            opts["floatmode"] = "fixed"
    s = _np.array2string(arr, prefix="tensor(", **opts)
    return s.replace("inf", "inf").replace("True", "True")


def tensor_repr(t):
    arr = t._host()
    body = _fmt_array(arr)
    extras = []
    if t.device.type != "cpu":
        extras.append(f"device='{t.device}'")
    default = _dt.get_default_dtype()
    d = t.dtype
    show_dtype = (arr.size == 0 and d is not default) or not (
        d is default or d is _dt.int64 or d is _dt.bool)
    if arr.size == 0 and arr.ndim != 1:
        extras.append(f"size={tuple(arr.shape)}".replace(",)", ")").replace("(", "(", 1))
    if show_dtype:
        extras.append(f"dtype={d!r}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + body + "".join(", " + e for e in extras) + ")"
