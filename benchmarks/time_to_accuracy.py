"""Time to accuracy: competing PINN configurations under the same wall-clock training budget.

Each method is a shipped config (plus overrides) run through the same LightningCLI path as
``pinn fit``. The training clock runs from step to step and stops for evaluation, which computes
the relative L2 error on the problem's whole reference grid at geometrically spaced training
times (for the cylinder, which has no reference field: the relative error of the drag
coefficient c_D, with c_L and delta_p recorded beside it). Methods run back to back, interleaved
over seeds, with a fixed torch thread count.

    python benchmarks/time_to_accuracy.py --problem burgers --budget-s 180 --seeds 0 1 2 \
        --out benchmarks/results/

Writes ``<out>/<problem>.json`` (per method: the median over seeds of ``time_to`` each
threshold, ``best_rel_l2``, ``final_rel_l2``, ``steps_per_s``, ``points_per_s``, and each
seed's curve) and ``<out>/<problem>.png`` (error against training time).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import shlex
import sys
import tempfile
import time
from pathlib import Path

import lightning.pytorch as pl
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pinn_lightning.cli import cli_main  # noqa: E402
from pinn_lightning.nonfinite import NonFiniteLossError  # noqa: E402

THRESHOLDS = (1e-1, 3e-2, 1e-2, 3e-3, 1e-3)
QUANTITY_THRESHOLDS = (1e-1, 5e-2, 2e-2, 1e-2)  # relative errors of a quantity of interest (c_D)


Method = tuple[str, list[str]]  # (config file, CLI overrides)


def competitors(problem: str, mlp_fd_step: float) -> dict[str, Method]:
    """Method name -> (config, overrides): the problem's two shipped configs and their variants."""
    vanilla, hashed = f"{problem}_mlp_autograd.yaml", f"{problem}_hash_fd.yaml"
    fd = ["--model.derivatives=pinn_lightning.FiniteDifferenceDerivatives", f"--model.derivatives.init_args.step={mlp_fd_step}"]
    smooth_ad = ["--model.encoding.init_args.interpolation=smoothstep", "--model.derivatives=pinn_lightning.AutogradDerivatives"]
    return {
        "vanilla_mlp_autograd": (vanilla, []),  # the shipped, tuned vanilla baseline
        "mlp_fd": (vanilla, fd),
        "hash_fd": (hashed, []),
        "hash_smoothstep_autograd": (hashed, smooth_ad),
    }


METHODS = {p: competitors(p, step) for p, step in (("burgers", 0.002), ("helmholtz", 0.005), ("ldc", 0.005), ("kovasznay", 0.005))}
# The vanilla PINN's stronger forms: hard constraints, and a finishing L-BFGS phase on fixed points
# (fresh every 1000 steps: L-BFGS needs one objective for its line search and curvature pairs).
HARD = ["--model.problem.init_args.hard_constraints=true"]


def lbfgs(start: int) -> list[str]:
    """The overrides of an L-BFGS phase from step ``start``."""
    return ["--model.lbfgs=pinn_lightning.LBFGSPhase", f"--model.lbfgs.start={start}"]



LBFGS = ["--data.resample=epoch", "--data.batches_per_epoch=1000"]
METHODS["helmholtz"]["vanilla_hard_bc"] = ("helmholtz_mlp_autograd.yaml", HARD)
METHODS["helmholtz"]["vanilla_hard_bc_lbfgs"] = ("helmholtz_mlp_autograd.yaml", [*HARD, *lbfgs(1000), *LBFGS])
METHODS["helmholtz"]["vanilla_grad_norm"] = ("helmholtz_mlp_autograd.yaml", ["--model.loss_weighting=pinn_lightning.GradNormWeighting"])
METHODS["burgers"]["vanilla_lbfgs"] = ("burgers_mlp_autograd.yaml", [*lbfgs(2000), *LBFGS])
# The weighted-equation loss (shock residuals down-weighted), and gradient clipping at 0.3 (the MLP's
# gradient norms run ~10x below the hash network's, clipped at 3).
_WE = "--model.problem.init_args.compression_weight=0.3"
_CLIP = "--model.grad_clip_norm=0.3"
METHODS["burgers"]["vanilla_lbfgs_we"] = ("burgers_mlp_autograd.yaml", [*lbfgs(2000), *LBFGS, _WE])
METHODS["burgers"]["vanilla_lbfgs_we_clip"] = ("burgers_mlp_autograd.yaml", [*lbfgs(2000), *LBFGS, _WE, _CLIP])
METHODS["burgers"]["hash_fd_accurate"] = ("burgers_hash_fd_accurate.yaml", [])
METHODS["kovasznay"]["vanilla_lbfgs"] = ("kovasznay_mlp_autograd.yaml", [*lbfgs(500), *LBFGS])
METHODS["cylinder"] = {"vanilla_mlp_autograd": ("cylinder_mlp_autograd.yaml", []), "hash_fd": ("cylinder_hash_fd.yaml", [])}


def measure(pl_module) -> tuple[float, dict[str, float] | None]:
    """The error of the current model: relative L2 on the reference grid, or, for a problem with
    quantities of interest and no reference field, the relative error of its first quantity
    (and every quantity's value)."""
    problem = pl_module.problem
    if problem.has_reference:
        return pl_module.reference_error(), None
    values = {k: v.item() for k, v in pl_module.quantities().items()}
    name, ref = next(iter(problem.reference_quantities.items()))
    return abs(values[name] - ref) / abs(ref), values


class BudgetClock(pl.Callback):
    """Accumulates training time between steps, evaluates at geometric times, stops at the budget."""

    def __init__(
        self, budget_s: float, first_eval_s: float = 1.0, eval_factor: float = 1.05, stop_below: float | None = None
    ) -> None:
        self.budget_s = budget_s
        self.stop_below = stop_below
        self.next_eval = first_eval_s
        self.eval_factor = eval_factor
        self.train_time = 0.0
        self.curve: list[tuple[float, int, float]] = []  # (train seconds, step, error)
        self.quantities: list[dict[str, float]] = []  # at each evaluation, for problems without reference field
        self._last = None

    def on_train_start(self, trainer, pl_module) -> None:
        self._last = time.perf_counter()

    def _evaluate(self, trainer, pl_module) -> None:
        was_training = pl_module.training
        pl_module.eval()
        err, values = measure(pl_module)
        pl_module.train(was_training)
        self.curve.append((self.train_time, trainer.global_step, err))
        if values is not None:
            self.quantities.append(values)
        if not math.isfinite(err) or (self.stop_below is not None and err <= self.stop_below):
            trainer.should_stop = True

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        self.train_time += time.perf_counter() - self._last
        done = self.train_time >= self.budget_s
        if self.train_time >= self.next_eval or done:
            self._evaluate(trainer, pl_module)
            while self.next_eval <= self.train_time:
                self.next_eval *= self.eval_factor
        if done:
            trainer.should_stop = True
        self._last = time.perf_counter()  # evaluation time is not training time


def run_method(
    config: str,
    overrides: list[str],
    seed: int,
    budget_s: float,
    workdir: str,
    eval_factor: float = 1.05,
    stop_below: float | None = None,
) -> dict:
    args = [
        "--config", str(ROOT / "configs" / config),
        f"--seed_everything={seed}", f"--data.seed={seed}",
        "--trainer.max_steps=-1", "--trainer.max_epochs=-1", "--trainer.limit_val_batches=0",
        "--trainer.enable_progress_bar=false", "--trainer.enable_model_summary=false",
        "--trainer.enable_checkpointing=false", "--trainer.callbacks=[]",
        "--trainer.logger=false",
        f"--trainer.default_root_dir={workdir}",
        *overrides,  # last, so that a method may add a callback (--trainer.callbacks+=...)
    ]  # fmt: skip
    argv, sys.argv = sys.argv, ["pinn"]  # LightningCLI reads sys.argv too; give it only `args`
    try:
        cli = cli_main(args, run=False)
    finally:
        sys.argv = argv
    clock = BudgetClock(budget_s, eval_factor=eval_factor, stop_below=stop_below)
    cli.trainer.callbacks.append(clock)
    diverged = None
    try:
        cli.trainer.fit(cli.model, cli.datamodule)
    except NonFiniteLossError as err:  # a diverged method is a result, not a crash
        diverged = str(err)
        clock.curve.append((clock.train_time, cli.trainer.global_step, math.inf))
    steps = cli.trainer.global_step
    n_points = sum(map(cli.datamodule.collocation_points_at, range(steps)))  # all steps' interior points
    curve = clock.curve
    errors = [e for _, _, e in curve] or [math.inf]
    time_to = {}
    for thr in QUANTITY_THRESHOLDS if clock.quantities else THRESHOLDS:
        hit = next((t for t, _, e in curve if e <= thr), None)
        time_to[f"{thr:g}"] = None if hit is None else round(hit, 2)
    return {
        "seed": seed,
        "steps": steps,
        "train_s": round(clock.train_time, 2),
        "steps_per_s": round(steps / clock.train_time, 3),
        "points_per_s": round(n_points / clock.train_time, 1),
        "best_rel_l2": min(errors),
        "final_rel_l2": errors[-1] if math.isfinite(errors[-1]) else None,
        "time_to": time_to,
        "curve": [(round(t, 3), s, e) for t, s, e in curve],
        "quantities": clock.quantities or None,
        "diverged": diverged,
    }


def median_or_none(values: list[float | None]) -> float | None:
    """Median treating ``None`` (not reached) as +inf; ``None`` if the median is not reached."""
    vals = sorted(math.inf if v is None else v for v in values)
    med = statistics.median(vals)
    return None if math.isinf(med) else med


def summarise(runs: list[dict]) -> dict:
    out = {
        key: statistics.median(r[key] for r in runs)
        for key in ("steps_per_s", "points_per_s", "best_rel_l2")
    }
    out["final_rel_l2"] = median_or_none([r["final_rel_l2"] for r in runs])
    out["diverged"] = sum(r["diverged"] is not None for r in runs)
    out["time_to"] = {k: median_or_none([r["time_to"][k] for r in runs]) for k in runs[0]["time_to"]}
    out["seeds"] = runs
    return out


def plot(results: dict, problem: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, (name, res) in enumerate(results["methods"].items()):
        color = f"C{i}"
        for j, run in enumerate(res["seeds"]):
            t = [max(c[0], 1e-2) for c in run["curve"]]
            e = [c[2] for c in run["curve"]]
            ax.plot(t, e, color=color, alpha=0.8 if j == 0 else 0.35, label=name if j == 0 else None)
    for thr in (1e-2, 1e-3):
        ax.axhline(thr, color="grey", lw=0.6, ls="--")
    quantity = results["methods"] and next(iter(results["methods"].values()))["seeds"][0].get("quantities")
    ylabel = "relative error of c_D" if quantity else "relative L2 error"
    ax.set(xscale="log", yscale="log", xlabel="training time [s] (evaluation excluded)", ylabel=ylabel)
    ax.set_title(f"{problem}: {results['threads']} torch thread(s), budget {results['budget_s']:g} s, seeds {results['seeds']}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def merge(paths: list[Path], out: Path) -> dict:
    """One result file from several of the same problem and settings: each method's seeds pooled
    (in seed order) and summarised again; the commands joined.

    Raises:
        SystemExit: the files differ in problem, budget or thread count, or repeat a seed.
    """
    files = [json.loads(Path(p).read_text()) for p in paths]
    first = files[0]
    for key in ("problem", "budget_s", "threads"):
        if len({json.dumps(f[key]) for f in files}) > 1:
            raise SystemExit(f"--merge: the files differ in {key}: {[f[key] for f in files]}")
    runs: dict[str, list[dict]] = {}
    for f in files:
        for name, res in f["methods"].items():
            runs.setdefault(name, []).extend(res["seeds"])
    for name, seeds in runs.items():
        if len({r["seed"] for r in seeds}) < len(seeds):
            raise SystemExit(f"--merge: method {name} has a seed in two files")
        seeds.sort(key=lambda r: r["seed"])
    merged = {**first, "seeds": sorted({s for f in files for s in f["seeds"]})}
    merged["command"] = " ; ".join(f["command"] for f in files) + f" ; then --merge of those files --out {out}"
    merged["methods"] = {name: summarise(r) for name, r in runs.items()}
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{first['problem']}.json").write_text(json.dumps(merged, indent=1))
    plot(merged, first["problem"], out / f"{first['problem']}.png")
    return merged


def parse_variants(specs: list[str], known: dict[str, Method]) -> dict[str, Method]:
    """``'NAME=BASE OVERRIDE ...'`` -> {NAME: (BASE's config, BASE's overrides + OVERRIDEs)}."""
    variants = {}
    for spec in specs:
        name, sep, rest = spec.partition("=")
        base, *extra = rest.split() or [""]
        if not sep or not name or base not in known:
            raise SystemExit(
                f"--variant must be 'NAME=BASE [OVERRIDE ...]' with BASE one of {sorted(known)}, got {spec!r}"
            )
        config, overrides = known[base]
        variants[name] = (config, [*overrides, *extra])
    return variants


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problem", choices=sorted(METHODS))
    parser.add_argument("--budget-s", type=float, default=180.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--methods", nargs="+", default=None, help="subset of methods (default: all)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--eval-factor", type=float, default=1.05,
        help="evaluate at training times 1 s, f s, f^2 s, ...: t(eps) is at most this factor late",
    )
    parser.add_argument(
        "--stop-below", type=float, default=None, metavar="EPS",
        help="end a run at its first evaluation with rel-L2 <= EPS (for time_to EPS and above only: the "
        "run's best, final and steps/s then describe the run up to there)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument(
        "--merge", type=Path, nargs="+", metavar="JSON",
        help="instead of running: merge result files of the same problem (e.g. seeds run on two cores at once) "
        "into <out>/<problem>.json and its figure",
    )
    parser.add_argument(
        "--variant", action="append", default=[], metavar="'NAME=BASE [OVERRIDE ...]'",
        help="one more method: a listed method with extra CLI overrides (repeatable), e.g. "
        "'c2f=hash_fd --model.encoding.init_args.coarse_to_fine_steps=200'",
    )
    args = parser.parse_args()
    if args.merge:
        merge(args.merge, args.out)
        return
    if args.problem is None:
        parser.error("--problem is required (unless --merge)")
    torch.set_num_threads(args.threads)
    methods = {k: v for k, v in METHODS[args.problem].items() if args.methods is None or k in args.methods}
    methods.update(parse_variants(args.variant, METHODS[args.problem]))
    runs: dict[str, list[dict]] = {name: [] for name in methods}
    with tempfile.TemporaryDirectory() as workdir:
        for seed in args.seeds:  # interleave: every method once per seed, back to back
            for name, (config, overrides) in methods.items():
                run = run_method(config, overrides, seed, args.budget_s, workdir, args.eval_factor, args.stop_below)
                runs[name].append(run)
                print(f"{args.problem} {name} seed={seed}: steps/s={run['steps_per_s']:.2f} "
                      f"best={run['best_rel_l2']:.3e} final={run['final_rel_l2']} time_to={run['time_to']}"
                      + (f" DIVERGED: {run['diverged']}" if run["diverged"] else ""), flush=True)
    results = {
        "problem": args.problem,
        "budget_s": args.budget_s,
        "seeds": args.seeds,
        "threads": args.threads,
        "eval_factor": args.eval_factor,
        "stop_below": args.stop_below,
        "command": "python " + shlex.join(sys.argv),  # quoted: --variant specs hold spaces
        "torch": torch.__version__,
        "methods": {name: summarise(r) for name, r in runs.items()},
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.problem}.json").write_text(json.dumps(results, indent=1))
    plot(results, args.problem, args.out / f"{args.problem}.png")
    for name, res in results["methods"].items():
        print(f"{name:26s} steps/s {res['steps_per_s']:8.2f}  best {res['best_rel_l2']:.3e}  time_to {res['time_to']}")


if __name__ == "__main__":
    main()
