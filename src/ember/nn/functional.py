"""ember.nn.functional (imported as ``F``): the functional forms of every layer.

The kernels live in ``ember.ops`` (one family per file); this module is the public namespace
that gathers them under torch's names.
"""
from __future__ import annotations

from ..ops.activation import *  # noqa: F401,F403
from ..ops.softmax import *  # noqa: F401,F403
from ..ops.dropout import *  # noqa: F401,F403
from ..ops.attention import *  # noqa: F401,F403
from ..ops.conv import *  # noqa: F401,F403
from ..ops.fold import *  # noqa: F401,F403
from ..ops.loss import *  # noqa: F401,F403
from ..ops.cross_entropy import *  # noqa: F401,F403
from ..ops.ctc import *  # noqa: F401,F403
from ..ops.nn import *  # noqa: F401,F403
from ..ops.normalization import *  # noqa: F401,F403
from ..ops.pooling import *  # noqa: F401,F403
from ..ops.vision import *  # noqa: F401,F403
from ..ops.rnn import *  # noqa: F401,F403
from ..ops.sparse import *  # noqa: F401,F403
