"""Helpers that execute the tutorial and read its outputs and live values."""
import hashlib
import json
import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "training_on_tasks.ipynb"
CELL_TIMEOUT = 600

# Digits of a wall-clock time or a speed ratio, such as "3.00 s", "85 ms" or
# "0.25x". They change from run to run, so freshness checks mask them.
TIMING = re.compile(r"\b\d+(?:\.\d+)?(?= ?(?:s|ms|x)\b)")


# The line that records the package versions differs between environments.
VERSIONS_LINE = re.compile(r"^Python \d+\.\d+\.\d+, jax .*$\n?", re.MULTILINE)


def mask_timings(text: str) -> str:
    """Replace the digits of times and speed ratios with '#', drop the versions line."""
    return TIMING.sub("#", VERSIONS_LINE.sub("", text))


def cell_summary(cell: nbformat.NotebookNode) -> dict:
    """Return a code cell's outputs as comparable text, timings masked."""
    streams, results, errors, images = {}, [], [], []
    for output in cell.get("outputs", []):
        kind = output["output_type"]
        if kind == "stream":
            streams[output["name"]] = streams.get(output["name"], "") + output["text"]
        elif kind == "error":
            errors.append(f"{output['ename']}: {output['evalue']}")
        else:
            data = output.get("data", {})
            if "image/png" in data:
                images.append(hashlib.sha256(data["image/png"].encode()).hexdigest()[:16])
            if "image/png" not in data and "text/plain" in data:
                results.append(data["text/plain"])
    return {
        "streams": {name: mask_timings(text) for name, text in streams.items()},
        "results": [mask_timings(text) for text in results],
        "errors": errors,
        "images": images,
    }


class LiveNotebook:
    """An executed copy of the tutorial whose kernel still runs."""

    def __init__(self, nb: nbformat.NotebookNode, client: NotebookClient, workdir: Path):
        self.nb = nb
        self.client = client
        self.workdir = workdir

    def run(self, source: str) -> nbformat.NotebookNode:
        """Execute source in the notebook's kernel and return the executed cell."""
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = ["raises-exception"]
        self.nb.cells.append(cell)
        try:
            self.client.execute_cell(cell, len(self.nb.cells) - 1)
        finally:
            self.nb.cells.pop()
        return cell

    def value(self, expression: str):
        """Evaluate a Python expression in the kernel and return it from JSON."""
        cell = self.run(f"import json as _json\nprint(_json.dumps({expression}))")
        errors = [o for o in cell.outputs if o["output_type"] == "error"]
        if errors:
            raise RuntimeError(f"{expression!r} failed: "
                               f"{errors[0]['ename']}: {errors[0]['evalue']}")
        text = "".join(o["text"] for o in cell.outputs if o["output_type"] == "stream")
        return json.loads(text)

    def error(self, source: str) -> str:
        """Run source, which must raise, and return 'Name: message'."""
        cell = self.run(source)
        errors = [o for o in cell.outputs if o["output_type"] == "error"]
        if not errors:
            raise AssertionError(f"expected an exception from {source!r}, got none")
        return f"{errors[0]['ename']}: {errors[0]['evalue']}"


def execute_copy(workdir: Path, parameters: str = "") -> NotebookClient:
    """Prepare a client for a copy of the tutorial, with parameters injected."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    if parameters:
        index = next(i for i, cell in enumerate(nb.cells)
                     if "parameters" in cell.metadata.get("tags", []))
        injected = nbformat.v4.new_code_cell(parameters)
        injected.metadata["tags"] = ["injected-parameters"]
        nb.cells.insert(index + 1, injected)
    return NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                          resources={"metadata": {"path": str(workdir)}})




def run_until_failure(workdir: Path, parameters: str) -> CellExecutionError | None:
    """Execute a copy with parameters injected; return the error it stops on."""
    try:
        execute_copy(workdir, parameters).execute()
    except CellExecutionError as error:
        return error
    return None
