"""Which packages the wheel and the sdist carry (everything else: pyproject.toml).

This file exists only because pyproject.toml cannot rename a folder: ``assets/``
stays at the top of the repository and is installed as the package
``transformer_sim_assets`` (found with ``core.assets``), with every file in it, next
to ``core`` and ``visualizer``. tests/test_packaging.py builds the wheel and runs it.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["core", "core.*", "visualizer", "visualizer.*"]),
        "transformer_sim_assets",
    ],
    package_dir={"transformer_sim_assets": "assets"},
    # Every file under assets/, by this glob alone (no MANIFEST.in, no SCM plugin).
    include_package_data=False,
    package_data={"transformer_sim_assets": ["**/*"]},
    exclude_package_data={"transformer_sim_assets": ["**/__pycache__/*", "**/*.pyc"]},
)
