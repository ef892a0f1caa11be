"""Indexing: __getitem__/__setitem__, gather/scatter, index_*, masked_*, take, nonzero, searchsorted."""
from __future__ import annotations

__all__ = []

TENSOR_METHODS = {}
