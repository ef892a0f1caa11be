"""ember.cuda: CUDA device queries and seeding (through the optional CuPy backend).

Without CuPy or a GPU, ``is_available()`` is False, ``device_count()`` is 0, and moving a
tensor to CUDA raises ``AssertionError`` as torch's CPU-only builds do; seeding functions
are then no-ops, as in torch.
"""
from __future__ import annotations

from .backend.cuda import check_available, device_count, is_available

__all__ = ["is_available", "device_count", "is_initialized", "current_device", "set_device",
           "get_device_name", "synchronize", "empty_cache", "manual_seed", "manual_seed_all",
           "seed", "seed_all", "initial_seed"]

_current = 0


def is_initialized() -> bool:
    """Return whether CUDA state has been initialized (True once a GPU is usable)."""
    return is_available()


def current_device() -> int:
    """Return the index of a currently selected device."""
    check_available()
    return _current


def set_device(device) -> None:
    """Set the current device."""
    from .backend import device as _device
    index = device if isinstance(device, int) else (_device(device).index or 0)
    if index < 0:
        return
    check_available()
    global _current
    _current = index


def get_device_name(device=None) -> str:
    """Get the name of a device."""
    check_available()
    from .backend.cuda import _import_cupy
    cupy = _import_cupy()
    index = _current if device is None else (device if isinstance(device, int)
                                             else (device.index or 0))
    name = cupy.cuda.runtime.getDeviceProperties(index)["name"]
    return name.decode() if isinstance(name, bytes) else name


def synchronize(device=None) -> None:
    """Wait for all kernels in all streams on a CUDA device to complete."""
    check_available()
    from .backend.cuda import _import_cupy
    _import_cupy().cuda.runtime.deviceSynchronize()


def empty_cache() -> None:
    """Release all unoccupied cached memory currently held by the caching allocator."""
    if is_available():
        from .backend.cuda import _import_cupy
        _import_cupy().get_default_memory_pool().free_all_blocks()


def _generators():
    from .ops import random
    if not is_available():
        return []
    for i in range(device_count()):
        if i not in random._cuda_generators:
            random._cuda_generators[i] = random.Generator(f"cuda:{i}")
    return [random._cuda_generators[i] for i in range(device_count())]


def manual_seed(seed) -> None:
    """Set the seed for generating random numbers for the current GPU (silently ignored
    if CUDA is not available)."""
    gens = _generators()
    if gens:
        gens[_current].manual_seed(seed)


def manual_seed_all(seed) -> None:
    """Set the seed for generating random numbers on all GPUs."""
    for g in _generators():
        g.manual_seed(seed)


def seed() -> None:
    """Set the seed for generating random numbers to a random number for the current GPU."""
    gens = _generators()
    if gens:
        gens[_current].seed()


def seed_all() -> None:
    """Set the seed for generating random numbers to a random number on all GPUs."""
    gens = _generators()
    if gens:
        s = gens[0].seed()
        for g in gens[1:]:
            g.manual_seed(s)


def initial_seed() -> int:
    """Return the current random seed of the current GPU."""
    check_available()
    return _generators()[_current].initial_seed()
