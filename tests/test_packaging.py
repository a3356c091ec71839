"""The plain install (`pip install .`, no extras) carries what the shipped configs need and runs them."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_runs_a_shipped_config_without_extras(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                    str(tmp_path / "dist"), str(ROOT)], check=True, capture_output=True, timeout=300)  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("pinn_lightning-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        metadata = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert {"pinn_lightning/configs/base.yaml", "pinn_lightning/py.typed"} <= names
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    plain = [r for r in requires if "extra ==" not in r]
    assert any(r.startswith("matplotlib") for r in plain), plain  # every shipped config draws images
    # The wheel's files alone (the dependencies from this environment), from another directory: the base
    # config comes from the installed package, and the images drawn at step 500 need matplotlib.
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = tmp_path / "run"
    run.mkdir()
    code = "import pinn_lightning, sys; assert pinn_lightning.__file__.startswith(sys.argv[1]); from pinn_lightning.cli import main; main(sys.argv[2:])"
    done = subprocess.run([sys.executable, "-c", code, str(target), "fit", "--config", str(ROOT / "configs/burgers_hash_fd.yaml"),
                           "--trainer.max_steps=500", "--trainer.enable_progress_bar=false"],
                          cwd=run, env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    logs = run / "lightning_logs" / "burgers_hash_fd" / "version_0"
    assert (logs / "checkpoints" / "last.ckpt").is_file() and list(logs.glob("events.out.tfevents.*"))
