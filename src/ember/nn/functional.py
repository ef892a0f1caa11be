"""ember.nn.functional (imported as ``F``): the functional forms of every layer.

The kernels live in ``ember.ops`` (one family per file); this module is the public namespace
that gathers them under torch's names.
"""
from __future__ import annotations

from ..ops.nn import *  # noqa: F401,F403
