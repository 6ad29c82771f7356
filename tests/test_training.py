"""Values read from a fresh execution of the tutorial's core training run."""
import pytest

PUBLISHED_LINES = [
    "epoch  0  loss 1.1386  train 0.543  test 0.516",
    "epoch  4  loss 0.6885  train 0.562  test 0.516",
    "epoch  8  loss 0.6811  train 0.676  test 0.750",
    "epoch 12  loss 0.5739  train 0.785  test 1.000",
    "epoch 16  loss 0.2497  train 1.000  test 1.000",
    "epoch 19  loss 0.1423  train 1.000  test 1.000",
]


@pytest.fixture(scope="module")
def history(live):
    return live.value("history")


def test_history_has_20_epochs(history):
    for key in ("epoch", "train_loss", "train_acc", "test_acc"):
        assert len(history[key]) == 20, f"{key}: expected 20 entries, found {len(history[key])}"


def test_first_epoch_near_chance(history):
    for key in ("train_acc", "test_acc"):
        first = history[key][0]
        assert 0.35 <= first <= 0.65, f"{key} at epoch 0: expected near 0.5, found {first}"


def test_final_accuracy_is_perfect(history):
    for key in ("train_acc", "test_acc"):
        final = history[key][-1]
        assert final == 1.0, f"final {key}: expected 1.0 as published, found {final}"


def test_log_matches_published_run(live):
    cell = next(c for c in live.nb.cells
                if c.cell_type == "code" and "history = {" in c.source)
    printed = "".join(o.get("text", "") for o in cell.outputs).splitlines()
    epoch_lines = [line for line in printed if line.startswith("epoch")]
    assert epoch_lines == PUBLISHED_LINES, f"expected {PUBLISHED_LINES}, found {epoch_lines}"


@pytest.mark.parametrize("name", ["train_step", "evaluate"])
def test_function_traced_once(live, name):
    traces = live.value(f"TRACES[{name!r}]")
    assert traces == 1, f"{name}: expected 1 trace, found {traces}"


@pytest.mark.parametrize("name", ["train_step", "evaluate"])
def test_function_compiled_once(live, name):
    programs = live.value(f"compiled_programs({name})")
    assert programs == 1, f"{name}: expected 1 compiled program, found {programs}"


def test_three_weight_tensors(live):
    count = live.value("len(weights)")
    assert count == 3, f"expected 3 ParamStates, found {count}"


def test_fresh_run_draws_figures(live, committed):
    def count(nb):
        return sum("image/png" in o.get("data", {})
                   for c in nb.cells for o in c.get("outputs", []))

    fresh = count(live.nb)
    assert fresh > 0, "fresh run drew no figures: is MPLBACKEND set to a non-inline backend?"
    assert fresh == count(committed), f"expected {count(committed)} figures, found {fresh}"


def test_test_split_counts(live):
    counts = live.value("[int(y_test.sum()), int((y_test == 0).sum())]")
    assert counts == [29, 35], f"expected 29 match and 35 non-match test trials, found {counts}"
