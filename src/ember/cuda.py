"""ember.cuda: CUDA device queries (through the optional CuPy backend)."""
from __future__ import annotations

from .backend.cuda import device_count, is_available  # noqa: F401

__all__ = ["is_available", "device_count"]
