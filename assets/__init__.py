"""The shipped data of transformer-sim: models, chapters, narration texts and icons.

This folder is installed as the package ``transformer_sim_assets`` (see setup.py),
so a wheel, an sdist and the editable install all carry it. Code finds it with
``core.assets``, never through a path relative to a source file.
"""
