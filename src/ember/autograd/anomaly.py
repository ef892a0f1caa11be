"""Autograd anomaly mode: record forward tracebacks and catch nan gradients.

Both switches live on :data:`ember.autograd.function._anomaly` (``enabled`` and
``check_nan``), which the op hot path and the engine read.
"""
from __future__ import annotations

import warnings

from .function import _anomaly

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]


def is_anomaly_enabled() -> bool:
    """Returns True if anomaly detection is currently enabled."""
    return _anomaly.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """Returns True if anomaly detection checks backward results for nan."""
    return _anomaly.check_nan


def _set_anomaly_enabled(mode, check_nan=True):
    _anomaly.enabled = bool(mode)
    _anomaly.check_nan = bool(check_nan)


class detect_anomaly:
    r"""Context-manager that enable anomaly detection for the autograd engine.

    This does two things:

    - Running the forward pass with detection enabled will allow the backward
      pass to print the traceback of the forward operation that created the failing
      backward function.
    - If ``check_nan`` is ``True``, any backward computation that generate "nan"
      value will raise an error. Default ``True``.

    .. warning::
        This mode should be enabled only for debugging as the different tests
        will slow down your program execution.

    Example:
        >>> import ember
        >>> x = ember.tensor([0.0], requires_grad=True)
        >>> with ember.autograd.detect_anomaly():  # doctest: +SKIP
        ...     (x * ember.log(x)).sum().backward()
        Traceback (most recent call last):
          ...
        RuntimeError: Function 'MulBackward0' returned nan values in its 0th output.
    """

    def __init__(self, check_nan=True) -> None:
        self.prev = _anomaly.enabled
        self.check_nan = check_nan
        self.prev_check_nan = _anomaly.check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self) -> None:
        _set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *args) -> None:
        _set_anomaly_enabled(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    r"""Context-manager that sets the anomaly detection for the autograd engine on or off.

    ``set_detect_anomaly`` will enable or disable the autograd anomaly detection
    based on its argument :attr:`mode`.
    It can be used as a context-manager or as a function.

    See ``detect_anomaly`` above for details of the anomaly detection behaviour.

    Args:
        mode (bool): Flag whether to enable anomaly detection (``True``),
                     or disable (``False``).
        check_nan (bool): Flag whether to raise an error when the backward
                          generate "nan"
    """

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = _anomaly.enabled
        self.prev_check_nan = _anomaly.check_nan
        _set_anomaly_enabled(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *args) -> None:
        _set_anomaly_enabled(self.prev, self.prev_check_nan)
