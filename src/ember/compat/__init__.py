"""Run unmodified PyTorch programs on Ember.

``ember.compat.install()`` makes ``import torch`` (and ``torch.nn``, ``torch.optim``,
``torch.utils.data``, ...) resolve to Ember's modules for the rest of this process;
``python -m ember.compat script.py [args...]`` runs a script that way. A torch name Ember lacks
raises ``AttributeError: ember does not implement torch.X yet`` at the point of use.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types

__all__ = ["install", "uninstall", "is_installed", "as_torch"]

_PREFIX = "torch"


def _ember_name(torch_name: str) -> str:
    return "ember" + torch_name[len(_PREFIX):]


class _TorchProxy(types.ModuleType):
    """``torch.X`` as seen by a script: Ember's module ``ember.X`` with torch's error for what
    Ember lacks."""

    def __init__(self, torch_name, target):
        super().__init__(torch_name, getattr(target, "__doc__", None))
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "__path__", getattr(target, "__path__", []))
        object.__setattr__(self, "__file__", getattr(target, "__file__", None))

    def __getattr__(self, name):
        target = object.__getattribute__(self, "_target")
        try:
            return getattr(target, name)
        except AttributeError:
            pass
        sub = f"{target.__name__}.{name}"
        if importlib.util.find_spec(sub) is not None:
            return importlib.import_module(self.__name__ + "." + name)
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        raise AttributeError(f"ember does not implement {self.__name__}.{name} yet")

    def __setattr__(self, name, value):
        setattr(object.__getattribute__(self, "_target"), name, value)

    def __dir__(self):
        return dir(object.__getattribute__(self, "_target"))


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        if fullname != _PREFIX and not fullname.startswith(_PREFIX + "."):
            return None
        ember_name = _ember_name(fullname)
        try:
            found = importlib.util.find_spec(ember_name)
        except ModuleNotFoundError:
            found = None
        if found is None:
            raise ModuleNotFoundError(
                f"ember does not implement {fullname} yet (no module {ember_name})",
                name=fullname)
        return importlib.util.spec_from_loader(fullname, self, is_package=True)

    def create_module(self, spec):
        target = importlib.import_module(_ember_name(spec.name))
        return _TorchProxy(spec.name, target)

    def exec_module(self, module):
        pass


_finder = _Finder()


def install():
    """Resolve ``import torch`` to Ember for the rest of this process."""
    if _finder not in sys.meta_path:
        for name in [m for m in sys.modules if m == _PREFIX or m.startswith(_PREFIX + ".")]:
            del sys.modules[name]
        sys.meta_path.insert(0, _finder)
    from .. import dtypes
    dtypes._torch_names = True


def uninstall():
    """Undo :func:`install` (modules already imported as torch.* are dropped)."""
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in [m for m in sys.modules if m == _PREFIX or m.startswith(_PREFIX + ".")]:
        if isinstance(sys.modules[name], _TorchProxy):
            del sys.modules[name]
    from .. import dtypes
    dtypes._torch_names = False


def as_torch():
    """Ember seen as the ``torch`` module, without touching ``import torch``: lets one piece of
    torch-API code run on both libraries in the same process (the benchmarks do this)."""
    import ember
    return _TorchProxy("torch", ember)


def is_installed() -> bool:
    return _finder in sys.meta_path
