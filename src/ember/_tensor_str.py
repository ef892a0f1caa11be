"""torch-style printing of tensors: the layout of torch/_tensor_str.py on NumPy arrays.

A :class:`_Formatter` scans the (summarised) values once to pick integer, fixed or scientific
mode and a common width; the nested lists are then written dimension by dimension with
torch's wrapping (``linewidth``), summarisation (``threshold``/``edgeitems``) and suffixes
(``device=``, ``dtype=``, ``grad_fn=`` / ``requires_grad=True``).
"""
from __future__ import annotations

import contextlib
import dataclasses
import math

import numpy as _np

from . import dtypes as _dt

__all__ = ["set_printoptions", "get_printoptions", "printoptions"]


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrinterOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set options for printing. Items shamelessly taken from NumPy

    Args:
        precision: Number of digits of precision for floating point output (default = 4).
        threshold: Total number of array elements which trigger summarization rather than
            full `repr` (default = 1000).
        edgeitems: Number of array items in summary at beginning and end of each dimension
            (default = 3).
        linewidth: The number of characters per line for the purpose of inserting line
            breaks (default = 80). Thresholded matrices will ignore this parameter.
        profile: Sane defaults for pretty printing. Can override with any of the above
            options. (any one of `default`, `short`, `full`)
        sci_mode: Enable (True) or disable (False) scientific notation. If None (default) is
            specified, the value is chosen automatically.
    """
    if profile is not None:
        precision_, threshold_, edgeitems_ = {"default": (4, 1000, 3), "short": (2, 1000, 2),
                                              "full": (4, math.inf, 3)}[profile]
        PRINT_OPTS.precision, PRINT_OPTS.threshold = precision_, threshold_
        PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = edgeitems_, 80
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """Gets the current options for printing, as a dictionary that can be passed as
    ``**kwargs`` to set_printoptions()."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Context manager that temporarily changes the print options."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    def __init__(self, arr):
        self.floating_dtype = arr.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = arr.reshape(-1)
        prec = PRINT_OPTS.precision
        if not self.floating_dtype:
            for value in flat.tolist():
                self.max_width = max(self.max_width, len(f"{value}"))
            return
        vals = flat[_np.isfinite(flat) & (flat != 0)]
        if vals.size == 0:
            return
        absv = _np.abs(vals).astype(_np.float64)
        vmin, vmax = float(absv.min()), float(absv.max())
        values = vals.tolist()
        self.int_mode = bool(_np.all(vals == _np.ceil(vals)))
        self.sci_mode = (vmax / vmin > 1000.0 or vmax > 1.0e8 or vmin < 1.0e-4) \
            if PRINT_OPTS.sci_mode is None else PRINT_OPTS.sci_mode
        if self.sci_mode:
            width = max(len(f"{v:.{prec}e}") for v in values)
        elif self.int_mode:
            width = max(len(f"{v:.0f}") + 1 for v in values)
        else:
            width = max(len(f"{v:.{prec}f}") for v in values)
        self.max_width = max(self.max_width, width)

    def width(self):
        return self.max_width

    def format(self, value):
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{PRINT_OPTS.precision}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _complex_str(val, f1, f2):
    real_str = f1.format(val.real)
    imag_str = (f2.format(val.imag) + "j").lstrip()
    if imag_str[0] in "+-":
        return real_str + imag_str
    return real_str + "+" + imag_str


def _vector_str(arr, indent, summarize, f1, f2):
    element_length = f1.width() + 2
    if f2 is not None:
        element_length += f2.width() + 1
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))

    def fmt(v):
        return f1.format(v) if f2 is None else _complex_str(v, f1, f2)

    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        data = ["..."]
    elif summarize and arr.shape[0] > 2 * e:
        data = [fmt(v) for v in arr[:e].tolist()] + [" ..."] + \
            [fmt(v) for v in arr[-e:].tolist()]
    else:
        data = [fmt(v) for v in arr.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _str_with_formatter(arr, indent, summarize, f1, f2=None):
    dim = arr.ndim
    if dim == 0:
        v = arr.item()
        return f1.format(v) if f2 is None else _complex_str(v, f1, f2)
    if dim == 1:
        return _vector_str(arr, indent, summarize, f1, f2)
    e = PRINT_OPTS.edgeitems
    n = arr.shape[0]
    if summarize and n > 2 * e:
        slices = [_str_with_formatter(arr[i], indent + 1, summarize, f1, f2)
                  for i in range(e)] + ["..."] + \
                 [_str_with_formatter(arr[i], indent + 1, summarize, f1, f2)
                  for i in range(n - e, n)]
    else:
        slices = [_str_with_formatter(arr[i], indent + 1, summarize, f1, f2) for i in range(n)]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized(arr):
    """The values that are printed when summarising (for the formatter's scan)."""
    e = PRINT_OPTS.edgeitems
    if arr.ndim == 0:
        return arr
    if arr.ndim == 1:
        return _np.concatenate((arr[:e], arr[-e:])) if arr.shape[0] > 2 * e else arr
    if not e:
        return arr[tuple(slice(0, 0) for _ in arr.shape)]
    rows = list(range(e)) + list(range(arr.shape[0] - e, arr.shape[0])) \
        if arr.shape[0] > 2 * e else range(arr.shape[0])
    return _np.stack([_summarized(arr[i]) for i in rows])


def _tensor_str(arr, indent):
    if arr.size == 0:
        return "[]"
    summarize = arr.size > PRINT_OPTS.threshold
    if arr.dtype.kind == "c":
        scan = _summarized(arr) if summarize else arr
        f1, f2 = _Formatter(_np.ascontiguousarray(scan.real)), \
            _Formatter(_np.ascontiguousarray(scan.imag))
        return _str_with_formatter(arr, indent, summarize, f1, f2)
    f = _Formatter(_summarized(arr) if summarize else arr)
    return _str_with_formatter(arr, indent, summarize, f)


def _add_suffixes(tensor_str, suffixes, indent):
    out = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            out.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            out.append(", " + suffix)
            last_line_len += len(suffix) + 2
    out.append(")")
    return "".join(out)


def _shape_str(shape):
    return str(tuple(shape))


def tensor_repr(t, prefix="tensor("):
    """``repr(t)`` exactly as torch prints it (dtypes named ``ember.*`` unless
    ``ember.dtypes._torch_names`` is set)."""
    arr = t._host()
    indent = len(prefix)
    suffixes = []
    dev = t.device
    if dev.type != "cpu":
        suffixes.append(f"device='{dev}'")
    d = t.dtype
    default = _dt.get_default_dtype()
    has_default_dtype = d in (default, default.to_complex(), _dt.int64, _dt.bool)
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append("size=" + _shape_str(arr.shape))
        if d is not default:
            suffixes.append(f"dtype={d!r}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + _shape_str(arr.shape))
        if not has_default_dtype:
            suffixes.append(f"dtype={d!r}")
        body = _tensor_str(arr, indent)
    fn = t.grad_fn
    if fn is not None:
        # built-in ops are named like torch's C++ nodes (AddBackward0); a user's Function
        # ``MyFn`` prints as ``MyFnBackward``, as in torch
        name = fn.name() if getattr(fn, "_arrays", True) else type(fn).__name__ + "Backward"
        suffixes.append(f"grad_fn=<{name}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
