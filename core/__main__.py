"""``python -m core``: the engine's commands of ``transformer-sim`` (no window, no Qt)."""

import sys

from core.cli import main

sys.exit(main())
