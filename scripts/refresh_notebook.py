"""Re-execute the tutorial in place and refresh the README's preview figure.

Run after every change to the notebook's code, so that the committed outputs
are the ones the committed code prints:

    python scripts/refresh_notebook.py

It executes every cell in a fresh kernel from the repository root, removes
per-run metadata (execution timestamps, widget state), and writes the PNG of the
cell tagged ``preview-figure`` to ``images/learning_curves.png``.
"""
import argparse
import base64
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "training_on_tasks.ipynb"
PREVIEW = ROOT / "images" / "learning_curves.png"
PREVIEW_TAG = "preview-figure"


def strip_run_metadata(nb: nbformat.NotebookNode) -> None:
    """Remove metadata that changes on every run and does not affect the results."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)


def preview_png(nb: nbformat.NotebookNode) -> bytes:
    """Return the PNG bytes of the first figure in the cell tagged preview-figure."""
    for cell in nb.cells:
        if PREVIEW_TAG in cell.metadata.get("tags", []):
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "image/png" in data:
                    return base64.b64decode(data["image/png"])
    raise LookupError(f"no PNG output in a cell tagged {PREVIEW_TAG!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds allowed per cell (default: 600)")
    args = parser.parse_args()

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(nb, timeout=args.timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}})
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start

    strip_run_metadata(nb)
    nbformat.write(nb, NOTEBOOK)
    PREVIEW.parent.mkdir(exist_ok=True)
    PREVIEW.write_bytes(preview_png(nb))
    size_kb = NOTEBOOK.stat().st_size / 1024
    print(f"executed {NOTEBOOK.name} in {elapsed:.1f} s, {size_kb:.0f} KB; "
          f"wrote {PREVIEW.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
