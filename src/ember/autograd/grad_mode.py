"""Grad mode: whether ops record the graph. Thread-local, as in torch."""
from __future__ import annotations

import functools
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]


class _State(threading.local):
    enabled = True
    inference = False


_state = _State()


def is_grad_enabled() -> bool:
    """Returns True if grad mode is currently enabled."""
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    return _state.inference


class _DecoratorContextManager:
    """Usable as ``with mode():`` and as ``@mode()`` (or bare ``@mode``)."""

    def __new__(cls, orig_func=None, *args, **kwargs):
        if cls in (no_grad, enable_grad) and callable(orig_func):
            return cls()(orig_func)
        return super().__new__(cls)

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_DecoratorContextManager):
    """Context manager (and decorator) that disables gradient calculation."""

    def __init__(self, orig_func=None):
        self.prev = False

    def __enter__(self):
        self.prev = _state.enabled
        _state.enabled = False

    def __exit__(self, *exc):
        _state.enabled = self.prev


class enable_grad(_DecoratorContextManager):
    """Context manager (and decorator) that enables gradient calculation."""

    def __init__(self, orig_func=None):
        self.prev = True

    def __enter__(self):
        self.prev = _state.enabled
        _state.enabled = True

    def __exit__(self, *exc):
        _state.enabled = self.prev


class set_grad_enabled(_DecoratorContextManager):
    """Sets gradient calculation on or off; takes effect immediately, also usable as a
    context manager or decorator."""

    def __new__(cls, mode):
        return object.__new__(cls)

    def __init__(self, mode: bool):
        self.prev = _state.enabled
        self.mode = bool(mode)
        _state.enabled = self.mode

    def __call__(self, func):
        _state.enabled = self.prev  # as a decorator, the mode applies only inside func
        return super().__call__(func)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _state.enabled = self.prev

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like :class:`no_grad`; tensors made inside are marked as inference tensors."""

    def __new__(cls, mode=True):
        if callable(mode):
            return cls()(mode)
        return object.__new__(cls)

    def __init__(self, mode=True):
        self.mode = bool(mode)

    def __enter__(self):
        self.prev = (_state.enabled, _state.inference)
        _state.enabled, _state.inference = not self.mode, self.mode

    def __exit__(self, *exc):
        _state.enabled, _state.inference = self.prev

    def clone(self):
        return self.__class__(self.mode)
