"""``python -m visualizer``: the same command line as ``transformer-sim``."""

import sys

from visualizer.cli import main

sys.exit(main())
