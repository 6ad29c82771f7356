"""Benchmark the training paths of the tutorial and write BENCHMARKS.md.

    python benchmarks/bench.py            # full run, about 5 minutes on 2 cores
    python benchmarks/bench.py --smoke    # 2 epochs, no notebook runs, under a minute

Each training path runs in its own Python process, so that compilations and
caches of one path do not help another. The notebook's own code is used: the
script executes the notebook's setup cells (everything before the training loop)
and the definitions of the later sections, then drives the loops itself to time
every epoch. The published loop is rebuilt here as the source tutorial wrote it,
without the fixes that keep its step compiled once.

Compilations are counted with jax.monitoring: every XLA backend compilation in
the timed part, eager operations included.
"""
import argparse
import ast
import datetime
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "training_on_tasks.ipynb"
REPORT = ROOT / "BENCHMARKS.md"
PATHS = ("published", "notebook", "fused", "trainer")
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
COMPILE_EVENT = "/jax/core/compile/backend_compile_duration"


# ---------------------------------------------------------------- one path

def notebook_namespace() -> dict:
    """Execute the notebook's setup cells and later definitions; return the globals."""
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    namespace: dict = {}
    setup_done = False
    for cell in nb.cells:
        if cell.cell_type != "code" or "raises-exception" in cell.metadata.get("tags", []):
            continue
        if cell.source.startswith("history = {"):
            setup_done = True
            continue
        tree = ast.parse(cell.source)
        if setup_done:  # later sections: definitions only, no training runs
            tree.body = [node for node in tree.body if is_definition(node)]
        exec(compile(tree, "<notebook>", "exec"), namespace)  # noqa: S102
    return namespace


def is_definition(node: ast.stmt) -> bool:
    """Return whether a statement only defines something (no training, no plots)."""
    if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
        return True
    # Module-level compiled helpers such as `eval_loss = brainstate.transform.jit(...)`.
    return (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
            and ast.unparse(node.value.func).endswith("transform.jit"))


class CompileCounter:
    """Count XLA backend compilations and their seconds while enabled."""

    def __init__(self):
        import jax

        self.count, self.seconds, self.enabled = 0, 0.0, False
        jax.monitoring.register_event_duration_secs_listener(self._record)

    def _record(self, event, duration, **_):
        if self.enabled and event == COMPILE_EVENT:
            self.count += 1
            self.seconds += duration


def run_published(ns: dict, epochs: int) -> list:
    """Time the source tutorial's loop: no state fixes, whole test set at once."""
    import brainmass
    import brainstate
    import braintools
    import jax
    import jax.numpy as jnp
    import numpy as np

    brainstate.random.seed(ns["SEED"])
    net = brainmass.HORNSeqNetwork(
        n_input=2, n_hidden=64, n_output=2, alpha=0.2, omega=2 * np.pi / 28,
        rec_w_init=ns["kaiming"], inp_w_init=ns["kaiming"])
    brainstate.nn.init_all_states(net)

    def loss_fn(x, y):
        for layer in net.layers:
            shape = (x.shape[0],) + tuple(layer.horn.in_size)
            layer.horn.x.value = jnp.zeros(shape)
            layer.horn.y.value = jnp.zeros(shape)
        out = net(jnp.transpose(x, (1, 0, 2)))
        log_probs = jax.nn.log_softmax(out, axis=-1)
        loss = -jnp.mean(jnp.take_along_axis(log_probs, y[:, None], axis=-1))
        return loss, jnp.mean(jnp.argmax(out, -1) == y)

    weights = net.states(brainstate.ParamState)
    optimizer = braintools.optim.Adam(lr=3e-2)
    optimizer.register_trainable_weights(weights)

    @brainstate.transform.jit
    def train_step(x, y):
        grads, loss, acc = brainstate.transform.grad(
            loss_fn, weights, has_aux=True, return_value=True)(x, y)
        optimizer.step(grads)
        return loss, acc

    evaluate = brainstate.transform.jit(loss_fn)
    x_tr, y_tr, x_te, y_te = (ns[k] for k in ("x_train", "y_train", "x_test", "y_test"))

    def epoch(index):
        order = np.random.RandomState(index).permutation(len(x_tr))
        for first in range(0, len(x_tr) - 32 + 1, 32):
            batch = order[first:first + 32]
            train_step(x_tr[batch], y_tr[batch])
        jax.block_until_ready(evaluate(x_te, y_te))

    return [epoch]


def run_notebook(ns: dict, epochs: int) -> list:
    """Time the notebook's loop with its own train_step and batched_accuracy."""
    import numpy as np

    x_tr, y_tr = ns["x_train_host"], ns["y_train_host"]
    x_te, y_te = ns["x_test"], ns["y_test"]
    batch_size = ns["BATCH_SIZE"]

    def epoch(index):
        order = np.random.RandomState(index).permutation(len(x_tr))
        for first in range(0, len(x_tr) - batch_size + 1, batch_size):
            batch = order[first:first + batch_size]
            ns["train_step"](x_tr[batch], y_tr[batch])
        ns["batched_accuracy"](x_te, y_te)

    return [epoch]


def run_fused(ns: dict, epochs: int) -> list:
    """Time the notebook's fused routine, one call per epoch."""
    import jax

    model = ns["build_horn"](ns["SEED"])
    run, _ = ns["make_fused_trainer"](model)
    task = (ns["x_train"], ns["y_train"], ns["x_test"], ns["y_test"])

    def epoch(index):
        jax.block_until_ready(run(ns["shuffle_orders"](index, 1), *task))

    return [epoch]


def run_trainer(ns: dict, epochs: int, counter: CompileCounter) -> dict:
    """Time Trainer.fit as the notebook sets it up; epochs end at validation end."""
    import tempfile

    import brainstate
    import braintools
    import numpy as np

    stamps = []
    loaders = [braintools.trainer.DataLoader(
        (np.asarray(ns[x]), np.asarray(ns[y])), batch_size=ns["BATCH_SIZE"],
        shuffle=shuffle, seed=ns["SEED"], collate_fn=ns["stack_columns"])
        for x, y, shuffle in (("x_train", "y_train", True), ("x_test", "y_test", False))]
    with tempfile.TemporaryDirectory() as folder:
        trainer = braintools.trainer.Trainer(
            max_epochs=epochs, logger=False, enable_progress_bar=False,
            enable_checkpointing=False, default_root_dir=folder,
            callbacks=[braintools.trainer.LambdaCallback(
                on_validation_epoch_end=lambda t, m: stamps.append(time.perf_counter()))])
        brainstate.random.seed(ns["SEED"])
        module = ns["HORNTask"]()
        counter.enabled = True
        start = time.perf_counter()
        trainer.fit(module, *loaders)
        counter.enabled = False
    times = np.diff([start] + stamps).tolist()
    return {"epoch_seconds": times}


def measure_path(name: str, epochs: int) -> dict:
    """Run one training path in this process and return its measurements."""
    import jax

    ns = notebook_namespace()
    counter = CompileCounter()
    if name == "trainer":
        result = run_trainer(ns, epochs, counter)
    else:
        (epoch,) = {"published": run_published, "notebook": run_notebook,
                    "fused": run_fused}[name](ns, epochs)
        seconds = []
        counter.enabled = True
        for index in range(epochs):
            start = time.perf_counter()
            epoch(index)
            jax.effects_barrier()
            seconds.append(time.perf_counter() - start)
        counter.enabled = False
        result = {"epoch_seconds": seconds}
    result.update(compilations=counter.count, compile_seconds=counter.seconds)
    return result


# ---------------------------------------------------------------- the report

def run_in_subprocess(args: list, **kwargs) -> subprocess.CompletedProcess:
    """Run this Python with args from the repository root; fail loudly on errors."""
    result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True,
                            text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n"
                           f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return result


def summarise(seconds: list, warmup: int = 1) -> dict:
    """Return first-epoch, steady (median after warm-up) and total seconds."""
    return {"first": seconds[0], "steady": statistics.median(seconds[warmup:]),
            "total": sum(seconds)}


def median_seconds(args: list, repeats: int) -> tuple:
    """Return the median wall time of a subprocess over repeats, and all times."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run_in_subprocess(args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def machine() -> str:
    """Return the CPU model and core count."""
    model = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        model = found.group(1).strip() if found else model
    return f"{model}, {os.cpu_count()} cores"


def versions() -> str:
    """Return the Python and package versions of this environment."""
    from importlib.metadata import version

    names = ("jax", "jaxlib", "brainstate", "braintools", "brainmass")
    return ", ".join([f"Python {platform.python_version()}"]
                     + [f"{n} {version(n)}" for n in names])


def build_report(results: dict, epochs: int, import_s, nbmake) -> str:
    """Return the Markdown tables for the measured results."""
    base = results["published"]
    lines = [
        f"Measured on {datetime.date.today().isoformat()}: {machine()}; {versions()}; "
        f"CPU backend, {epochs} epochs of 8 batches of 32 trials.",
        "",
        "| path | compilations | compile time | first epoch | steady epoch "
        f"| {epochs} epochs | total vs published | steady vs published |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]

    labels = {"published": "published per-batch loop", "notebook": "notebook per-batch loop",
              "fused": "fused routine, one call per epoch", "trainer": "braintools.trainer fit"}
    for name, result in results.items():
        lines.append(
            f"| {labels[name]} | {result['compilations']} | {result['compile_seconds']:.2f} s "
            f"| {result['first'] * 1e3:.0f} ms | {result['steady'] * 1e3:.1f} ms "
            f"| {result['total']:.2f} s | {result['total'] / base['total']:.2f}x "
            f"| {result['steady'] / base['steady']:.3f}x |")

    lines.append("")
    lines.append("Steady epoch: median of epochs 2 to the last. Compilations: XLA backend "
                 "compilations in the timed part, eager operations included.")
    if import_s is not None:
        lines += ["", f"Import of brainmass, brainstate, braintools and jax: "
                      f"{import_s[0]:.2f} s (median of {len(import_s[1])})."]
    if nbmake is not None:
        wall, times, peak_mb = nbmake
        lines += [f"Whole notebook under `pytest --nbmake`: {wall:.1f} s (median of "
                  f"{len(times)}: {', '.join(f'{t:.1f}' for t in times)} s), peak memory "
                  f"{peak_mb:.0f} MB (largest process)."]

    notebook_ratio = results["notebook"]["total"] / base["total"]
    fused_speedup = base["steady"] / results["fused"]["steady"]
    lines += ["", "| target | measured | met |", "|---|---:|---|",
              f"| notebook loop, {epochs} epochs, at most 0.25x the published loop "
              f"| {notebook_ratio:.2f}x | {'yes' if notebook_ratio <= 0.25 else 'no'} |",
              f"| fused routine, steady throughput at least 20x the published loop "
              f"| {fused_speedup:.0f}x | {'yes' if fused_speedup >= 20 else 'no'} |"]
    if nbmake is not None:
        lines.append(f"| whole notebook under nbmake at most 60 s | {nbmake[0]:.1f} s "
                     f"| {'yes' if nbmake[0] <= 60 else 'no'} |")
    return "\n".join(lines)


def write_report(table: str, output: Path) -> None:
    """Replace the measured part of the report, keeping the hand-written rest."""
    text = output.read_text() if output.exists() else (
        f"# Benchmarks\n\n{START}\n{END}\n")
    if START not in text or END not in text:
        raise ValueError(f"{output}: markers {START} and {END} not found")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    output.write_text(f"{head}{START}\n{table}\n{END}{tail}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20, help="epochs per path (default 20)")
    parser.add_argument("--smoke", action="store_true",
                        help="2 epochs, no import or notebook timing: checks the script")
    parser.add_argument("--output", type=Path, default=REPORT,
                        help="Markdown file to update (default BENCHMARKS.md)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="repeats of the import and notebook timings (default 3)")
    parser.add_argument("--path", choices=PATHS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    epochs = 2 if args.smoke else args.epochs

    if args.path:  # child process: measure one path and print JSON
        print(json.dumps(measure_path(args.path, epochs)))
        return 0

    os.environ.setdefault("MPLBACKEND", "Agg")  # notebook cells import pyplot
    results = {}
    for name in PATHS:
        out = run_in_subprocess([__file__, "--path", name, "--epochs", str(epochs)])
        measured = json.loads(out.stdout.strip().splitlines()[-1])
        results[name] = {**measured, **summarise(measured["epoch_seconds"])}
        print(f"{name}: {results[name]['total']:.2f} s, "
              f"{results[name]['compilations']} compilations", flush=True)

    import_s = nbmake = None
    if not args.smoke:
        import_s = median_seconds(["-c", "import brainmass, brainstate, braintools, jax"],
                                  args.repeats)
        env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            NOTEBOOK.name], cwd=ROOT, env=env, check=True,
                           capture_output=True)
            times.append(time.perf_counter() - start)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        nbmake = (statistics.median(times), times, peak_mb)

    table = build_report(results, epochs, import_s, nbmake)
    write_report(table, args.output)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
