"""Faults the suite must catch: a run that stops learning, bad helper input,
and a collection that finds nothing."""
import os
import shutil
import subprocess
import sys

import pytest
from notebook_tools import ROOT, run_until_failure


@pytest.mark.parametrize("parameters", ["N_EPOCHS = 1", "LEARNING_RATE = 0.0"],
                         ids=["one-epoch", "zero-learning-rate"])
def test_broken_setting_fails_check(tmp_path, parameters):
    error = run_until_failure(tmp_path, parameters)
    assert error is not None, f"{parameters}: expected the accuracy check to fail, it passed"
    message = str(error)
    assert "AssertionError" in message, f"{parameters}: expected AssertionError, found {message[-300:]}"
    assert "accuracy" in message, f"{parameters}: message does not name the accuracy: {message[-300:]}"
    assert "is below 0.9" in message, f"{parameters}: message lacks the threshold: {message[-300:]}"


BAD_CALLS = {
    "time-major": ("logits(jnp.transpose(x_train[:32], (1, 0, 2)))",
                   ["batch_inputs", "(batch, 8, 2)", "(8, 32, 2)", "time-major"]),
    "three-symbols": ("logits(jnp.zeros((32, 8, 3)))",
                      ["batch_inputs", "(batch, 8, 2)", "(32, 8, 3)"]),
    "two-dimensional": ("logits(x_train[0])",
                        ["batch_inputs", "(batch, 8, 2)", "(8, 2)"]),
    "short-targets": ("train_step(x_train[:32], y_train[:31])",
                      ["batch_targets", "(32,)", "(31,)"]),
    "float-targets": ("evaluate(x_test[:32], y_test[:32].astype(jnp.float32))",
                      ["batch_targets", "integer", "float32"]),
    "batch-not-dividing": ("batched_accuracy(x_test, y_test, batch_size=48)",
                           ["batch_size", "64 trials", "48"]),
    "zero-batch": ("reset_hidden(0)", ["batch", "positive integer", "0"]),
    "fused-time-major": (
        "fused_run(ORDERS, jnp.transpose(x_train, (1, 0, 2)), y_train, x_test, y_test)",
        ["x_tr", "(256, time, 2)", "(8, 256, 2)"]),
    "fused-orders": ("fused_run(ORDERS[:, :100], *main_task)",
                     ["orders", "(epochs, 256)", "(20, 100)"]),
    "fused-test-not-dividing": (
        "fused_run(ORDERS, x_train, y_train, x_test[:48], y_test[:48])",
        ["batch_size", "48 trials", "32"]),
    "fused-float-targets": (
        "fused_run(ORDERS, x_train, y_train.astype(jnp.float32), x_test, y_test)",
        ["batch_targets", "integer", "float32"]),
}


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
def test_helper_rejects_bad_input(live, case):
    source, fragments = BAD_CALLS[case]
    error = live.error(source)
    assert error.startswith("ValueError"), f"{case}: expected ValueError, found {error}"
    for fragment in fragments:
        assert fragment in error, f"{case}: expected {fragment!r} in the message, found {error}"


@pytest.mark.parametrize("function, call", [
    ("train_step", "train_step(x_train[:16], y_train[:15])"),
    ("fused_run", "fused_run(ORDERS[:, :100], *main_task)"),
])
def test_bad_input_compiles_nothing(live, function, call):
    before = live.value(f"compiled_programs({function})")
    live.error(call)
    after = live.value(f"compiled_programs({function})")
    assert after == before, f"{function}: expected {before} compiled programs, found {after}"


def pytest_environment() -> dict:
    """Return this environment without the PYTEST_* variables of the running session."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}


def collected_ids(cwd):
    """Run pytest --collect-only in cwd and return the collected node ids."""
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                             "-p", "no:cacheprovider"],
                            cwd=cwd, env=pytest_environment(), capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, f"collection in {cwd} failed:\n{result.stdout}{result.stderr}"
    return [line for line in result.stdout.splitlines() if "::" in line]


def copy_repository(destination):
    """Copy the files git tracks, plus untracked ones it does not ignore."""
    listing = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                             cwd=ROOT, capture_output=True, text=True, check=True)
    for name in listing.stdout.splitlines():
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


@pytest.fixture(scope="module")
def spaced_repository(tmp_path_factory):
    destination = tmp_path_factory.mktemp("checkout") / "a folder with spaces"
    copy_repository(destination)
    return destination


@pytest.mark.parametrize("start", ["root", "tests"])
@pytest.mark.parametrize("location", ["here", "spaced"])
def test_collection_finds_notebook_and_tests(request, start, location):
    repo = ROOT if location == "here" else request.getfixturevalue("spaced_repository")
    ids = collected_ids(repo if start == "root" else repo / "tests")
    notebook = [i for i in ids if i.endswith("training_on_tasks.ipynb")]
    tests = [i for i in ids if i.startswith("tests/")]
    assert notebook, f"from {start} ({location}): nbmake collected no notebook: {ids[:5]}"
    assert tests, f"from {start} ({location}): no tests collected from tests/"


def test_tests_run_from_spaced_path(spaced_repository):
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "test_outputs.py", "-k", "kernel_is_python3 or size_budget"],
                            cwd=spaced_repository / "tests", env=pytest_environment(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"tests failed under a spaced path:\n{result.stdout[-2000:]}"
    assert "2 passed" in result.stdout, f"expected 2 passed, found:\n{result.stdout[-500:]}"
