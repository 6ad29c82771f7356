"""A short run of the benchmark script, so that it keeps working."""
import subprocess
import sys

import pytest
from notebook_tools import ROOT

PATH_LABELS = ["published per-batch loop", "notebook per-batch loop",
               "fused routine, one call per epoch", "braintools.trainer fit"]


@pytest.fixture(scope="module")
def smoke_report(tmp_path_factory):
    output = tmp_path_factory.mktemp("bench") / "BENCHMARKS.md"
    result = subprocess.run([sys.executable, "benchmarks/bench.py", "--smoke",
                             "--output", str(output)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"bench.py --smoke failed:\n{result.stderr[-3000:]}"
    return output.read_text()


@pytest.mark.parametrize("label", PATH_LABELS)
def test_smoke_run_times_each_path(smoke_report, label):
    rows = [line for line in smoke_report.splitlines() if line.startswith(f"| {label} |")]
    assert len(rows) == 1, f"expected one row for {label!r}, found {len(rows)}"


def test_smoke_run_checks_targets(smoke_report):
    targets = [line for line in smoke_report.splitlines()
               if line.startswith("| notebook loop") or line.startswith("| fused routine, steady")]
    assert len(targets) == 2, f"expected 2 target rows, found {targets}"


def test_committed_report_has_full_run():
    report = (ROOT / "BENCHMARKS.md").read_text()
    assert "20 epochs of 8 batches" in report, "BENCHMARKS.md holds no 20-epoch measurement"
    assert "under `pytest --nbmake`" in report, "BENCHMARKS.md lacks the notebook timing"
