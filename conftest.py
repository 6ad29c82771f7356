"""Collect the notebook and tests/ when pytest runs with no path arguments.

pytest applies ``testpaths`` only when started from the repository root; from
``tests/`` it would collect that folder alone and skip the notebook.
"""
from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if config.args_source is not pytest.Config.ArgsSource.INVOCATION_DIR:
        return
    testpaths = config.getini("testpaths")
    if Path(config.invocation_params.dir).resolve() == Path(__file__).parent / "tests":
        config.args = [str(config.rootpath / path) for path in testpaths]
