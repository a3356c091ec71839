"""The notebooks run top to bottom (nbclient, a real Jupyter kernel) with short settings."""

import re
from pathlib import Path

import nbclient
import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _execute(name: str, cwd: Path, env: dict[str, str], monkeypatch) -> list[str]:
    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    for key, value in env.items():
        monkeypatch.setenv(key, value)  # the kernel inherits this process's environment
    nbclient.NotebookClient(book, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    texts = []
    for cell in book.cells:
        for out in cell.get("outputs", []):
            texts.append(out.get("text", "") or "".join(out.get("data", {}).get("text/plain", "")))
            assert out.get("output_type") != "error", out
    return texts


def test_quickstart_trains_a_user_defined_pde_and_shows_its_diagnostics(tmp_path, monkeypatch):
    texts = "\n".join(_execute("quickstart.ipynb", tmp_path, {"PINN_NOTEBOOK_STEPS": "300", "PINN_NOTEBOOK_THREADS": "1"}, monkeypatch))
    # the user's exact solution solves the user's residual (autograd, float64)
    assert float(re.search(r"max \|residual of u\*\| = (\S+)", texts).group(1)) < 1e-9
    # 300 steps of the hash PINN already solve it to a few percent
    err = float(re.search(r"rel_l2 = (\S+) after 300 steps", texts).group(1))
    assert err < 0.05, err
    # the diagnostics table: on a linear grid AD and FD agree on first derivatives, not on second ones
    ad_vs_fd = float(re.search(r"derivatives/ad_vs_fd/u_x\s+(\S+)", texts).group(1))
    assert ad_vs_fd < 0.05 and float(re.search(r"derivatives/ad_vs_fd/u_xx\s+(\S+)", texts).group(1)) > 0.1
    assert (tmp_path / "lightning_logs" / "quickstart").is_dir()  # TensorBoard logs where the user ran it


def test_benchmarks_notebook_reads_every_results_file(monkeypatch):
    import json

    results = Path(__file__).resolve().parents[1] / "benchmarks" / "results"
    runs = [p.relative_to(results).with_suffix("").as_posix() for p in sorted(results.rglob("*.json"))
            if "methods" in json.loads(p.read_text())]  # fmt: skip
    texts = "\n".join(_execute("benchmarks.ipynb", NOTEBOOKS, {}, monkeypatch))  # reads ../benchmarks/results, writes nothing
    assert "burgers/burgers" in runs and all(f"\n{r}: budget" in texts for r in runs)
