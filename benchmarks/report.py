"""The results pages, generated from the result files under ``benchmarks/results/``.

    python benchmarks/report.py --markdown > docs/benchmarks.md   # the whole benchmarks page
    python benchmarks/report.py --summary                         # README's results table
    python benchmarks/report.py --figure docs/burgers.png         # README's figure

``tests/test_report.py`` regenerates both and fails if the committed page or README table
differs, so the numbers cannot drift from the data.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT / "benchmarks"))

from speedup import pooled_times, speedups  # noqa: E402
from time_to_accuracy import METHODS  # noqa: E402

#: One comparison each: the file, the threshold read, the paper's method and the vanilla forms it is
#: measured against (the strongest is the one with the smallest median time). Each file gets a section
#: on the page (from the entry with ``setup``); ``summary: False`` leaves an entry out of README's table.
COMPARISONS = [
    {
        "name": "Burgers 1D", "anchor": "burgers-1d", "file": "burgers/burgers.json", "threshold": "0.01",
        "method": "hash_fd", "vanilla": ["vanilla_lbfgs_we_clip"],
        "setup": "u_t + u u_x = ν u_xx, ν = 0.01/π, x ∈ [-1, 1], t ∈ [0, 1], u(x, 0) = −sin(πx), u(±1, t) = 0; "
        "scored on the 256 × 100 Cole–Hopf grid (t ≤ 0.99). Each run stops at its first evaluation at or below "
        "1e-2, or after 90 s of training. The vanilla PINN in its strongest form: the weighted-equation loss, "
        "gradient clipping and an L-BFGS finish.",
    },
    {
        "name": "Burgers 1D, to 1e-3", "anchor": "burgers-1d-to-1e-3", "file": "burgers/accurate_vs_vanilla/burgers.json",
        "threshold": "0.001", "method": "hash_fd_accurate", "vanilla": ["vanilla_lbfgs_we"],
        "setup": "The same problem with `configs/burgers_hash_fd_accurate.yaml` (64 cells in t, fourth-order stencils "
        "from step 3000) against the vanilla PINN's form that reaches 1e-2 soonest on most seeds, 240 s each.",
    },
    {
        "name": "Burgers 1D, to 1e-3, 12 seeds", "anchor": "burgers-1d-to-1e-3-12-seeds", "summary": False,
        "file": "burgers/accurate/burgers.json", "threshold": "0.001", "method": "hash_fd_accurate", "vanilla": [],
        "setup": "`configs/burgers_hash_fd_accurate.yaml` alone over more seeds, 150 s each.",
    },
    {
        "name": "Helmholtz 2D", "anchor": "helmholtz-2d", "file": "helmholtz/helmholtz.json", "threshold": "0.01",
        "method": "hash_fd", "vanilla": ["vanilla_hard_bc_lbfgs"],
        "setup": "u_xx + u_yy + k²u = q on [-1, 1]², u = 0 on the boundary, exact u = sin(πx) sin(4πy), k = 1; "
        "scored on a 201 × 201 grid; 120 s per run. The vanilla PINN with hard constraints and an L-BFGS finish.",
    },
    {
        "name": "Helmholtz 2D, to 1e-3", "anchor": None, "file": "helmholtz/helmholtz.json", "threshold": "0.001",
        "method": "hash_fd", "vanilla": ["vanilla_hard_bc_lbfgs"], "setup": None,
    },
    {
        "name": "Kovasznay flow", "anchor": "kovasznay-flow", "file": "kovasznay/kovasznay.json", "threshold": "0.01",
        "method": "hash_fd", "vanilla": ["vanilla_lbfgs"],
        "setup": "Steady Navier–Stokes at Re = 40 on [-0.5, 1] × [-0.5, 1.5], analytic (u, v, p); 240 s per run. "
        "The vanilla PINN with an L-BFGS finish.",
    },
    {
        "name": "Lid-driven cavity", "anchor": "lid-driven-cavity", "file": "ldc/ldc.json", "threshold": "0.01",
        "method": "hash_fd", "vanilla": [],
        "setup": "Steady Navier–Stokes at Re = 100 in the unit square, lid u = 1; scored against the package's "
        "stream-function–vorticity solution on 513², sampled at the 129² evaluation points; 600 s per run. "
        "The two singular lid corners alone hold rel-L2 0.0155 at the model's u ≈ 0.6 there "
        "(`benchmarks/ldc_corner_floor.py`).",
    },
    {
        "name": "Cylinder (DFG 2D-1), c_D to 5 %", "anchor": "cylinder-dfg-2d-1", "file": "cylinder/cylinder.json",
        "threshold": "0.05", "measure": "c_D error", "method": "hash_fd", "vanilla": ["vanilla_mlp_autograd"],
        "setup": "Steady Navier–Stokes around a cylinder in a channel, Re = 20 (Schäfer & Turek 1996): parabolic inflow, "
        "no slip on the walls and the cylinder, do-nothing outflow. Scored by the relative error of the drag "
        "coefficient c_D (traction integral on the cylinder, 512-point trapezoid rule) against 5.57953523384; the "
        "time to Δp within 2 % of 0.11752016697 is read from the same evaluations.",
    },
    {
        "name": "Cylinder (DFG 2D-1), c_D to 1 %", "anchor": None, "file": "cylinder/cylinder.json", "threshold": "0.01",
        "measure": "c_D error", "method": "hash_fd", "vanilla": ["vanilla_mlp_autograd"], "setup": None,
    },
]

REFERENCE_DP = 0.11752016697


def load(path: str) -> dict:
    return json.loads((RESULTS / path).read_text())


def seconds(value: float | None) -> str:
    return "not reached" if value is None or math.isinf(value) else f"{value:.2f} s"


def reached(results: dict, method: str, threshold: str) -> tuple[int, int]:
    runs = results["methods"][method]["seeds"]
    return sum(r["time_to"][threshold] is not None for r in runs), len(runs)


def median_time(results: dict, method: str, threshold: str) -> float:
    """Median over seeds, a run that missed counting as slower than every run that hit."""
    return statistics.median(math.inf if r["time_to"][threshold] is None else r["time_to"][threshold]
                             for r in results["methods"][method]["seeds"])  # fmt: skip


def comparison_row(c: dict) -> dict:
    """The summary numbers of one comparison."""
    results = load(c["file"])
    threshold = c["threshold"]
    ours = median_time(results, c["method"], threshold)
    row = {"ours": ours, "reached": reached(results, c["method"], threshold), "seeds": len(results["seeds"]),
           "budget": results["budget_s"]}
    if c["vanilla"]:
        best = min(c["vanilla"], key=lambda m: median_time(results, m, threshold))
        theirs = median_time(results, best, threshold)
        row.update(best=best, theirs=theirs, theirs_reached=reached(results, best, threshold))
        row["ratio"] = math.nan if math.isinf(ours) else theirs / ours
    return row


def summary() -> str:
    """README's table: one row per comparison."""
    lines = [
        "| problem | error threshold | hash + FD (median) | strongest vanilla PINN (median) | ratio | seeds | details |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in (c for c in COMPARISONS if c.get("summary", True)):
        r = comparison_row(c)
        hit, n = r["reached"]
        ours = f"{seconds(r['ours'])} ({hit}/{n} reach it)"
        if "best" in r:
            vhit, vn = r["theirs_reached"]
            theirs = f"{seconds(r['theirs'])} ({vhit}/{vn}; `{r['best']}`)"
            # a vanilla median beyond the budget bounds the ratio from below
            ratio = "–" if math.isnan(r["ratio"]) else f"≥ {r['budget'] / r['ours']:.1f}×" if math.isinf(r["ratio"]) else f"{r['ratio']:.1f}×"
        else:
            theirs, ratio = "not run", "–"
        anchor = c["anchor"] or next(x["anchor"] for x in COMPARISONS if x["file"] == c["file"] and x["anchor"])
        measure = c.get("measure", "rel-L2")
        lines.append(f"| {c['name']} | {measure} {float(c['threshold']):g} | {ours} | {theirs} | {ratio} | {r['seeds']} "
                     f"| [details](docs/benchmarks.md#{anchor}) |")  # fmt: skip
    return "\n".join(lines)


def method_table(results: dict) -> str:
    """Per method: throughput, the median error at the end and at best, the median time to each threshold
    and how many seeds reached it."""
    thresholds = list(next(iter(results["methods"].values()))["time_to"])
    quantities = next(iter(results["methods"].values()))["seeds"][0].get("quantities")
    head = ["method", "steps/s", "points/s", "best c_D error" if quantities else "best rel-L2",
            *[f"t({t})" for t in thresholds]]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, res in results["methods"].items():
        row = [f"`{name}`", f"{res['steps_per_s']:.1f}", f"{res['points_per_s']:.3g}", f"{res['best_rel_l2']:.2e}"]
        for t in thresholds:
            hit, n = reached(results, name, t)
            row.append("–" if hit == 0 else f"{seconds(median_time(results, name, t))} ({hit}/{n})")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def quantity_table(results: dict) -> str:
    """Per method (problems scored by quantities of interest): the median over seeds of the last
    evaluation's c_D, c_L and Δp, and the time to Δp within 2 %."""
    lines = ["| method | c_D (last) | c_L (last) | Δp (last) | t(Δp within 2 %) |", "|---|---|---|---|---|"]
    for name, res in results["methods"].items():
        runs = res["seeds"]
        last = {k: statistics.median(r["quantities"][-1][k] for r in runs) for k in ("c_D", "c_L", "delta_p")}
        times = []
        for r in runs:
            hits = [t for (t, _, _), q in zip(r["curve"], r["quantities"]) if abs(q["delta_p"] / REFERENCE_DP - 1) <= 0.02]
            times.append(hits[0] if hits else math.inf)
        hit = sum(not math.isinf(t) for t in times)
        dp = "–" if hit == 0 else f"{seconds(statistics.median(times))} ({hit}/{len(times)})"
        lines.append(f"| `{name}` | {last['c_D']:.4f} | {last['c_L']:.4f} | {last['delta_p']:.4f} | {dp} |")
    return "Reference: c_D = 5.5795, c_L = 0.0106, Δp = 0.1175.\n\n" + "\n".join(lines)


def competitor_list(problem: str, names: list[str]) -> str:
    lines = []
    for name in names:
        config, overrides = METHODS[problem].get(name, (None, None))
        if config is None:
            lines.append(f"- `{name}`: a `--variant` of the command below")
        else:
            extra = f" with `{' '.join(overrides)}`" if overrides else ""
            lines.append(f"- `{name}`: `configs/{config}`{extra}")
    return "\n".join(lines)


def speedup_table(c: dict) -> str:
    times = pooled_times([str(RESULTS / c["file"])], c["threshold"])
    res = speedups(times, c["method"], c["vanilla"])
    lines = [f"`{c['method']}` to {c.get('measure', 'rel-L2')} {float(c['threshold']):g}: median {seconds(res['median_s'])} over "
             f"{len(res['seeds'])} seeds; a run that missed counts as slower than every run that hit.\n",
             "| against | its median | ratio of medians | median per-seed ratio | 90 % bootstrap | P(ratio ≥ 10) |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    budget = load(c["file"])["budget_s"]
    for name, r in res["against"].items():
        if all(math.isinf(t) for t in times[name].values()):  # never reached: only a bound, set by the budget
            lines.append(f"| `{name}` | not reached in {budget:g} s | ≥ {budget / res['median_s']:.1f}× | – | – | – |")
            continue
        ratio = "–" if math.isnan(r["ratio"]) else f"{r['ratio']:.2f}×"
        lines.append(f"| `{name}` | {seconds(r['median_s'])} | {ratio} | {r['median_seed_ratio']:.2f}× "
                     f"| {r['ci_lo']:.1f}–{r['ci_hi']:.1f}× | {r['p_ge_10']:.2f} |")  # fmt: skip
    return "\n".join(lines)


def comparison_section(c: dict) -> str:
    results = load(c["file"])
    figure = Path(c["file"]).with_suffix(".png")
    parts = [f"### {c['name']}", c["setup"], "Competitors (each run through `pinn fit`'s code path):",
             competitor_list(results["problem"], list(results["methods"])),
             f"Budget {results['budget_s']:g} s of training per run, {results['threads']} torch thread, "
             f"torch {results['torch']}, seeds {results['seeds'][0]}–{results['seeds'][-1]}. Reproduce:",
             f"```bash\n{results['command']}\n```", method_table(results)]  # fmt: skip
    if next(iter(results["methods"].values()))["seeds"][0].get("quantities"):
        parts.append(quantity_table(results))
    for d in COMPARISONS:
        if d["file"] == c["file"] and d["vanilla"]:
            parts.append(speedup_table(d))
    parts.append(f"![error against training time](../benchmarks/results/{figure})")
    return "\n\n".join(parts)


def step_overhead_section() -> str:
    data = load("step_overhead/step_overhead.json")
    lines = ["### Lightning's cost per step", "The same model, sampler and loss in a plain PyTorch loop (Adam and the "
             "LR schedule, nothing else) and through `pinn fit` with every callback; medians of per-step wall time, "
             f"{data['steps']} steps, {data['threads']} torch thread, torch {data['torch']}.",
             f"```bash\n{data['command']}\n```",
             "| config | raw loop | `pinn fit` | ratio |", "|---|---|---|---|"]  # fmt: skip
    for r in data["rows"]:
        lines.append(f"| `{r['config']}` | {r['raw_ms']:.2f} ms | {r['lightning_ms']:.2f} ms | {r['ratio']:.3f} |")
    return "\n\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:])


def step_speed_section() -> str:
    parts = ["### Steps per second", "`pinn fit` of the shipped configs with callbacks, logger and checkpoints off; "
             "the clock reads the device only at the ends of the timed span. Points per step are the mean over the "
             "timed steps (the Burgers config grows its batch from 512 to 1536 points at step 600)."]  # fmt: skip
    for path in sorted((RESULTS / "step_speed").glob("*.json")):
        data = json.loads(path.read_text())
        lines = ["| config | points per step | mode | steps/s | points/s |", "|---|---|---|---|---|"]
        for r in data["rows"]:
            lines.append(f"| `{r['config']}` | {r['points_per_step']:,} | {r['mode']} | {r['steps_per_s']:.1f} "
                         f"| {r['points_per_s'] / 1e6:.3g} M |")  # fmt: skip
        parts += [f"**{data['device']}**, {data['threads']} torch thread, torch {data['torch']}:",
                  f"```bash\n{data['command']}\n```", "\n".join(lines)]
    return "\n\n".join(parts)


def ddp_section() -> str:
    data = load("ddp_throughput/ddp_throughput.json")
    lines = ["### DDP throughput on CPU", "Collocation points per second from Lightning's `ThroughputMonitor`, one torch "
             "thread per process, gloo, on this 2-core machine.", f"```bash\n{data['command']}\n```",
             "| processes | points/s per process | points/s in all | speed-up |", "|---|---|---|---|"]  # fmt: skip
    for r in data["rows"]:
        lines.append(f"| {r['processes']} | {r['points_per_s_per_process']:,.0f} | {r['points_per_s_total']:,.0f} "
                     f"| {r['speedup']:.2f}× |")  # fmt: skip
    return "\n\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:])


def hash_sweep_section() -> str:
    parts = ["### Hash settings, one factor at a time",
             "Each row changes one setting of a baseline config and trains for the stated budget (seed 0); "
             "\"stalled\" means the error never went below 0.5. `docs/tuning.md` reads these tables."]  # fmt: skip
    for problem in ("burgers", "helmholtz"):
        data = load(f"hash_sweep/{problem}.json")
        commands = data.get("commands") or [data["command"]]
        lines = ["| factor | value | best rel-L2 | final rel-L2 | steps/s | verdict |", "|---|---|---|---|---|---|"]
        for r in data["rows"]:
            final = "–" if r["final_rel_l2"] is None else f"{r['final_rel_l2']:.2e}"
            lines.append(f"| {r['factor']} | {r['value']} | {r['best_rel_l2']:.2e} | {final} "
                         f"| {r['steps_per_s']:.1f} | {r['verdict']} |")  # fmt: skip
        parts += [f"**{problem}**, baseline: {data['baseline']}; {data['budget_s']:g} s per row.",
                  "```bash\n" + "\n".join(commands) + "\n```", "\n".join(lines)]
    return "\n\n".join(parts)


def gpu_section() -> str:
    parts = ["### On a GPU", "One NVIDIA H200 (`benchmarks/results/gpu/gpu_check.log`), the eager training step; "
             "see [gpu.md](gpu.md)."]  # fmt: skip
    for path, what in (("gpu/burgers.json", "Burgers, seed 0"), ("gpu/burgers_seeds_1_2/burgers.json", "Burgers, seeds 1 and 2"),
                       ("gpu/throughput/helmholtz.json", "Helmholtz throughput against points per step")):  # fmt: skip
        data = load(path)
        parts += [f"**{what}**, {data['budget_s']:g} s per run, torch {data['torch']}:",
                  f"```bash\n{data['command']}\n```", method_table(data)]
    return "\n\n".join(parts)


def markdown() -> str:
    head = ("# Benchmarks\n\nGenerated by `python benchmarks/report.py --markdown > docs/benchmarks.md` from the files "
            "under `benchmarks/results/`; do not edit by hand. Unless a section says otherwise, every number was "
            "measured on a 2-core x86 CPU machine with one torch thread per process (benchmarks that ran two "
            "processes at a time pinned each to its own core with `taskset`). The error is the relative L2 error "
            "‖u − u*‖₂ / ‖u*‖₂ on the problem's reference grid. Times are training time: the clock stops while the "
            "error is evaluated, at training times growing geometrically by the file's `eval_factor`, so a time to a "
            "threshold is at most that factor late.\n\n## Summary\n\n") + summary().replace("docs/benchmarks.md", "")
    sections = [comparison_section(c) for c in COMPARISONS if c["setup"]]
    other = [step_speed_section(), step_overhead_section(), ddp_section(), hash_sweep_section(), gpu_section()]
    return head + "\n\n## Time to accuracy\n\n" + "\n\n".join(sections) + "\n\n## Speed and scaling\n\n" + "\n\n".join(other) + "\n"


def figure(path: Path, comparison: dict = COMPARISONS[0]) -> None:
    """Error against training time of the paper's method and the strongest vanilla form: every
    seed thin, the median over seeds bold."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = load(comparison["file"])
    best = comparison_row(comparison)["best"]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    times = [10 ** (k / 20) for k in range(-10, 41)]  # 0.3 s .. 100 s
    for color, name, label in (("C3", comparison["method"], "hash encoding + finite differences"),
                               ("C0", best, f"vanilla PINN, strongest form ({best})")):  # fmt: skip
        runs = results["methods"][name]["seeds"]
        for run in runs:
            ax.plot([max(t, 0.1) for t, _, _ in run["curve"]], [e for _, _, e in run["curve"]], color=color, alpha=0.15, lw=0.8)
        median = []
        for t in times:
            errors = [min((e for tt, _, e in run["curve"] if tt <= t), default=math.nan) for run in runs]
            median.append(statistics.median(math.inf if math.isnan(e) else e for e in errors))
        ax.plot(times, median, color=color, lw=2.2, label=f"{label}, median of {len(runs)} seeds")
    ax.axhline(float(comparison["threshold"]), color="grey", lw=0.8, ls="--")
    ax.set(xscale="log", yscale="log", xlim=(0.3, results["budget_s"]), ylim=(5e-3, 1),
           xlabel="training time [s], one CPU thread", ylabel="relative L2 error")  # fmt: skip
    stop = results.get("stop_below")
    ax.set_title(f"{comparison['name']}: error against training time" + (f" (runs end at {stop:g})" if stop else ""))
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--markdown", action="store_true", help="the whole benchmarks page")
    what.add_argument("--summary", action="store_true", help="README's results table")
    what.add_argument("--figure", type=Path, metavar="PNG", help="README's figure (Burgers)")
    args = parser.parse_args()
    if args.figure:
        figure(args.figure)
        return
    print(markdown() if args.markdown else summary(), end="\n" if args.summary else "")


if __name__ == "__main__":
    main()
