"""Checks on the GitHub Actions workflows and the CI entry script."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
WORKFLOW_DIR = REPO_ROOT / ".github" / "workflows"
TESTS_WORKFLOW = WORKFLOW_DIR / "tests.yml"
CI_RUN = REPO_ROOT / ".ci" / "run"
SUPPORTED_PYTHONS = ["3.11", "3.12", "3.13"]


def find_actionlint() -> str | None:
    """Return the actionlint path next to this interpreter, else on PATH, else None."""
    venv_actionlint = Path(sys.executable).parent / "actionlint"
    if venv_actionlint.is_file() and os.access(venv_actionlint, os.X_OK):
        return str(venv_actionlint)
    return shutil.which("actionlint")


def workflow_files() -> list[Path]:
    return sorted(WORKFLOW_DIR.glob("*.yml")) + sorted(WORKFLOW_DIR.glob("*.yaml"))


def load_jobs() -> dict:
    with TESTS_WORKFLOW.open(encoding="utf-8") as stream:
        workflow = yaml.safe_load(stream)
    return workflow["jobs"]


def test_actionlint_accepts_workflows():
    actionlint = find_actionlint()
    assert actionlint is not None, (
        "expected an actionlint executable next to "
        f"{sys.executable} or on PATH, found none; "
        "install it with: python -m pip install -r requirements.txt"
    )
    files = workflow_files()
    assert files, f"expected workflow files in {WORKFLOW_DIR}, found none"

    for path in files:
        result = subprocess.run(
            [actionlint, "-no-color", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, (
            f"expected actionlint exit code 0 for {path.name}, "
            f"found {result.returncode}:\n{result.stdout}{result.stderr}"
        )


def job_strategy(job_name: str) -> dict:
    """Return the strategy block of a workflow job, failing if the job is missing."""
    jobs = load_jobs()
    assert job_name in jobs, f"expected job {job_name!r}, found jobs {sorted(jobs)}"
    return jobs[job_name].get("strategy", {})


@pytest.mark.parametrize("job_name", ["pinned", "newest"])
def test_matrix_lists_supported_pythons(job_name):
    versions = job_strategy(job_name).get("matrix", {}).get("python-version")

    # Unquoted YAML numbers would turn "3.10" into 3.1, so the versions must be strings.
    assert versions == SUPPORTED_PYTHONS, (
        f"expected python-version matrix {SUPPORTED_PYTHONS} in job {job_name!r}, "
        f"found {versions!r}"
    )


@pytest.mark.parametrize("job_name", ["pinned", "newest"])
def test_matrix_disables_fail_fast(job_name):
    fail_fast = job_strategy(job_name).get("fail-fast")

    # GitHub's default is fail-fast: true, so a missing key also fails.
    assert fail_fast is False, (
        f"expected fail-fast: false in job {job_name!r}, found {fail_fast!r}"
    )


def test_every_job_sets_timeout():
    files = workflow_files()
    assert files, f"expected workflow files in {WORKFLOW_DIR}, found none"

    for path in files:
        with path.open(encoding="utf-8") as stream:
            jobs = yaml.safe_load(stream)["jobs"]
        for job_name, job in jobs.items():
            timeout = job.get("timeout-minutes")
            assert timeout is not None, (
                f"expected timeout-minutes in job {job_name!r} of {path.name}, "
                "found none"
            )


def test_ci_run_is_executable():
    assert CI_RUN.is_file(), f"expected file {CI_RUN}, found none"
    assert os.access(CI_RUN, os.X_OK), (
        f"expected {CI_RUN} to be executable, found mode {CI_RUN.stat().st_mode:o}"
    )
