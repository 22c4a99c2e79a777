"""``python -m core``: the same command line as ``transformer-sim``."""

import sys

from core.cli import main

sys.exit(main())
