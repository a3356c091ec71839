"""Which hash-encoding settings train robustly with finite differences? One factor at a time.

Around the shipped hash + FD config of a problem, vary one setting at a time (levels L, features
F, log2 table size T, N_min, N_max, FD step in cells h/cell), train each for the same wall-clock
budget through the same path as time_to_accuracy.py, and record the error reached and how it
fails (diverged = non-finite loss; stalled = error above 0.5). ``n_collocation`` (points per step)
is swept too: it trades steps per second against the noise of each step.

    python benchmarks/hash_sweep.py --problem helmholtz --budget-s 60 --factors step_factor finest_resolution
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from time_to_accuracy import run_method  # noqa: E402

FACTORS = {
    "n_levels": ("--model.encoding.init_args.n_levels", [4, 8, 16, 24]),
    "n_features": ("--model.encoding.init_args.n_features", [1, 2, 4, 8]),
    "log2_table_size": ("--model.encoding.init_args.log2_table_size", [12, 14, 16, 18]),
    "base_resolution": ("--model.encoding.init_args.base_resolution", [4, 8, 16, 32]),
    "finest_resolution": ("--model.encoding.init_args.finest_resolution", [64, 128, 256, 512, 1024]),
    "step_factor": ("--model.derivatives.init_args.step_factor", [0.25, 0.5, 1.0, 2.0, 4.0]),
    "n_collocation": ("--data.n_collocation", [1024, 2048, 4096, 8192]),
}


def verdict(run: dict) -> str:
    if run["diverged"]:
        return "diverged"
    return "stalled" if run["best_rel_l2"] > 0.5 else "trains"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problem", default="helmholtz")
    parser.add_argument("--budget-s", type=float, default=60.0)
    parser.add_argument("--factors", nargs="+", default=list(FACTORS), choices=list(FACTORS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    config = f"{args.problem}_hash_fd.yaml"
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for factor in args.factors:
            flag, values = FACTORS[factor]
            for value in values:
                run = run_method(config, [f"{flag}={value}"], args.seed, args.budget_s, workdir)
                row = {"factor": factor, "value": value, "best_rel_l2": run["best_rel_l2"], "final_rel_l2": run["final_rel_l2"],
                       "steps_per_s": run["steps_per_s"], "time_to": run["time_to"], "verdict": verdict(run)}  # fmt: skip
                rows.append(row)
                print(json.dumps(row), flush=True)
    out = args.out or ROOT / "benchmarks" / "results" / "hash_sweep" / f"{args.problem}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"command": "python " + " ".join(sys.argv), "config": config, "budget_s": args.budget_s,
                               "seed": args.seed, "rows": rows}, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
