"""The CPU backend's allocator tuning: on by default on glibc, off on request."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

_GLIBC = hasattr(os, "confstr") and os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")


def _tuned_in_child(**env):
    code = "from ember.backend import cpu; print(cpu.malloc_tuned)"
    clean = {k: v for k, v in os.environ.items()
             if not (k.startswith("MALLOC_") or k in ("GLIBC_TUNABLES", "EMBER_MALLOC_TUNING"))}
    out = subprocess.run([sys.executable, "-c", code], env={**clean, **env},
                         capture_output=True, text=True, check=True)
    return out.stdout.strip() == "True"


@pytest.mark.skipif(not _GLIBC, reason="the tuning applies to glibc's malloc only")
def test_malloc_tuned_on_import_unless_told_not_to():
    assert _tuned_in_child()
    assert not _tuned_in_child(EMBER_MALLOC_TUNING="0")
    # a user's own glibc malloc settings win
    assert not _tuned_in_child(MALLOC_TRIM_THRESHOLD_="1048576")
