"""core/ never needs Qt: it imports and runs with PySide6 and pyqtgraph blocked."""

from __future__ import annotations

import subprocess
import sys

BLOCK = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'visualizer'):
            raise ImportError('blocked: ' + name)
sys.meta_path.insert(0, Block())
import pkgutil, importlib, core
for m in pkgutil.iter_modules(core.__path__):
    if m.name != '__main__':
        importlib.import_module('core.' + m.name)
from core.cli import main
assert main(['translate', 'Time flies like an arrow']) == 0
assert not any(k.split('.')[0] in ('PySide6', 'pyqtgraph') for k in sys.modules)
print('ok')
"""


def test_core_imports_and_translates_without_qt() -> None:
    out = subprocess.run([sys.executable, "-c", BLOCK], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["Die Zeit fliegt wie ein Pfeil", "ok"]
