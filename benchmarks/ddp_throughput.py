"""Training throughput (collocation points/s) of `pinn fit` with 1 process and with N DDP processes.

Each process uses one torch thread; the numbers come from Lightning's ThroughputMonitor as the
configs log it (`train/device/samples_per_sec` per process, `train/samples_per_sec` for all).

    python benchmarks/ddp_throughput.py --config configs/helmholtz_hash_fd.yaml --processes 1 2 --steps 300
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pinn_lightning.tensorboard import read_scalars  # noqa: E402


def run(config: str, processes: int, steps: int, workdir: Path) -> dict:
    save_dir = workdir / f"p{processes}"
    cmd = [
        str(Path(sys.executable).with_name("pinn")), "fit", "--config", config, f"--trainer.max_steps={steps}",
        "--trainer.enable_progress_bar=false", "--trainer.log_every_n_steps=10", "--trainer.limit_val_batches=0",
        f"--trainer.logger.init_args.save_dir={save_dir}", f"--trainer.devices={processes}", "--trainer.accelerator=cpu",
    ]  # fmt: skip
    if processes > 1:
        cmd.append("--trainer.strategy=ddp")
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    subprocess.run(cmd, check=True, env=env, capture_output=True, text=True)
    (run_dir,) = list(save_dir.glob("*/version_*"))
    scalars = read_scalars(run_dir)
    per_device = [v for _, v, _ in scalars["train/device/samples_per_sec"]]
    total = [v for _, v, _ in scalars.get("train/samples_per_sec", [])] or per_device
    half = len(per_device) // 2  # steady state: the second half of the run
    return {
        "processes": processes,
        "points_per_s_per_process": round(statistics.median(per_device[half:]), 1),
        "points_per_s_total": round(statistics.median(total[len(total) // 2 :]), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default=str(ROOT / "configs/helmholtz_hash_fd.yaml"))
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/ddp_throughput/ddp_throughput.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [run(args.config, p, args.steps, Path(tmp)) for p in args.processes]
    base = rows[0]["points_per_s_total"]
    for row in rows:
        row["speedup"] = round(row["points_per_s_total"] / base, 3)
        print(json.dumps(row), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"command": "python " + " ".join(sys.argv), "config": args.config, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
