"""nn.utils.spectral_norm."""
from __future__ import annotations

__all__ = []
