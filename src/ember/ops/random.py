"""Random sampling: the global generator, Generator objects, rand/randn/randint/..., and in-place samplers."""
from __future__ import annotations

__all__ = []

TENSOR_METHODS = {}
