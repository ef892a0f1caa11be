"""nn.utils.weight_norm."""
from __future__ import annotations

__all__ = []
