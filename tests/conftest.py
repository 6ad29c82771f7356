"""Fixtures that execute the tutorial and let tests read its live values."""
import nbformat
import pytest
from notebook_tools import NOTEBOOK, LiveNotebook, execute_copy


@pytest.fixture(scope="session")
def committed() -> nbformat.NotebookNode:
    """The notebook as committed, outputs included."""
    return nbformat.read(NOTEBOOK, as_version=4)


@pytest.fixture(scope="session")
def live(tmp_path_factory) -> LiveNotebook:
    """A fresh execution of the tutorial, with its kernel kept for queries."""
    workdir = tmp_path_factory.mktemp("live")
    client = execute_copy(workdir)
    with client.setup_kernel():
        for index, cell in enumerate(client.nb.cells):
            client.execute_cell(cell, index)
        yield LiveNotebook(client.nb, client, workdir)


@pytest.fixture(scope="session")
def second_run(tmp_path_factory) -> nbformat.NotebookNode:
    """Another complete execution, for the determinism check."""
    client = execute_copy(tmp_path_factory.mktemp("second"))
    client.execute()
    return client.nb
