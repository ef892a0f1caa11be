"""pooling kernels (fused forward/backward on backend arrays) and their functional forms."""
from __future__ import annotations

__all__ = []
