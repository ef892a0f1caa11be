"""The CUDA backend: CuPy arrays. CuPy is an optional extra (``pip install ember[cuda]``)."""
from __future__ import annotations

_cupy = None


def _import_cupy():
    global _cupy
    if _cupy is None:
        try:
            import cupy
        except ImportError:
            raise RuntimeError("CUDA tensors need CuPy: pip install 'ember[cuda]' "
                               "(cupy-cuda12x)") from None
        _cupy = cupy
    return _cupy


def is_available() -> bool:
    """Whether a CUDA device can be used (CuPy installed and a GPU present)."""
    try:
        cupy = _import_cupy()
        return bool(cupy.is_available())
    except Exception:
        return False


def device_count() -> int:
    if not is_available():
        return 0
    return _import_cupy().cuda.runtime.getDeviceCount()


def xp_of(array):
    cupy = _import_cupy()
    if isinstance(array, cupy.ndarray):
        return cupy
    raise TypeError(f"not a backend array: {type(array).__name__}")


def device_of(array):
    from . import device
    return device("cuda", array.device.id)


def check_available():
    """Raise torch's exception type (AssertionError) when no CUDA device can be used."""
    if not is_available():
        raise AssertionError("Ember has no usable CUDA device: CUDA tensors need CuPy "
                             "(pip install 'ember[cuda]') and a GPU")


def to_cuda(array, index: int):
    check_available()
    cupy = _import_cupy()
    with cupy.cuda.Device(index):
        return cupy.asarray(array)
