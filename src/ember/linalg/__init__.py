"""ember.linalg: norms, inverses, determinants, solvers and decompositions (torch.linalg)."""
from __future__ import annotations

__all__ = []
