"""benchmarks/time_to_accuracy.py end to end: a --variant method runs through `pinn fit` and is scored."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = str(ROOT / "benchmarks" / "time_to_accuracy.py")


def test_variant_runs_with_its_overrides_and_is_scored(tmp_path):
    variant = "wide=hash_fd --model.derivatives.init_args.order=2 --data.n_collocation=256"
    cmd = [sys.executable, SCRIPT, "--problem", "helmholtz", "--budget-s", "2", "--seeds", "0",
           "--methods", "none", "--variant", variant, "--out", str(tmp_path)]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=300)
    result = json.loads((tmp_path / "helmholtz.json").read_text())
    assert list(result["methods"]) == ["wide"]
    (run,) = result["methods"]["wide"]["seeds"]
    assert run["steps"] > 10 and run["train_s"] >= 2.0
    # the override took effect: points per step = points_per_s / steps_per_s
    assert abs(run["points_per_s"] / run["steps_per_s"] - 256) < 1
    errors = [e for _, _, e in run["curve"]]
    assert errors[-1] < errors[0]  # it trained
    assert (tmp_path / "helmholtz.png").is_file()


def test_stop_below_ends_the_run_at_its_first_evaluation_under_the_threshold(tmp_path):
    cmd = [sys.executable, SCRIPT, "--problem", "helmholtz", "--budget-s", "60", "--seeds", "0", "--methods", "none",
           "--variant", "h=hash_fd --model.derivatives.init_args.order=2", "--stop-below", "0.3", "--out", str(tmp_path)]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=300)
    result = json.loads((tmp_path / "helmholtz.json").read_text())
    assert result["stop_below"] == 0.3
    (run,) = result["methods"]["h"]["seeds"]
    errors = [e for _, _, e in run["curve"]]
    assert errors[-1] <= 0.3 and all(e > 0.3 for e in errors[:-1])  # stopped at the first one under
    assert run["train_s"] < 30  # well inside the budget


def test_malformed_variant_is_rejected_with_the_known_bases():
    cmd = [sys.executable, SCRIPT, "--problem", "helmholtz", "--methods", "none", "--variant", "x=no_such_method"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert "--variant must be 'NAME=BASE [OVERRIDE ...]'" in out.stderr and "vanilla_hard_bc_lbfgs" in out.stderr


def _results(problem: str, times: dict[str, dict[int, float | None]]) -> dict:
    """A time_to_accuracy.py result file holding only what speedup.py reads."""
    methods = {
        name: {"seeds": [{"seed": s, "time_to": {"0.01": t}} for s, t in per_seed.items()]}
        for name, per_seed in times.items()
    }
    return {"problem": problem, "methods": methods}


def test_speedup_pools_seeds_and_reads_both_baselines(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import speedup

    # Two files, seeds 0-2 and 3-4. Ours: 1 s on every seed. Vanilla A is fastest on seeds 0-2,
    # B on seeds 3-4; A misses the threshold on seed 4.
    first = {"ours": {0: 1.0, 1: 1.0, 2: 1.0}, "A": {0: 10.0, 1: 12.0, 2: 14.0},
             "B": {0: 20.0, 1: 20.0, 2: 20.0}}  # fmt: skip
    second = {"ours": {3: 1.0, 4: 1.0}, "A": {3: 30.0, 4: None}, "B": {3: 8.0, 4: 9.0}}
    paths = []
    for i, times in enumerate((first, second)):
        paths.append(tmp_path / f"{i}.json")
        paths[-1].write_text(json.dumps(_results("burgers", times)))
    times = speedup.pooled_times([str(p) for p in paths], "0.01")
    assert times["A"][4] == float("inf") and sorted(times["ours"]) == [0, 1, 2, 3, 4]
    res = speedup.speedups(times, "ours", ["A", "B"], n_boot=200)
    assert res["seeds"] == [0, 1, 2, 3, 4] and res["median_s"] == 1.0
    res = res["against"]
    assert res["A"]["ratio"] == 14.0  # median of 10, 12, 14, 30, inf
    assert res["B"]["ratio"] == 20.0  # median of 20, 20, 20, 8, 9
    fastest = res["per-seed fastest"]  # 10, 12, 14, 8, 9 per seed: stricter than either configuration
    assert fastest["ratio"] == 10.0 and fastest["median_seed_ratio"] == 10.0
    for r in (res["A"], res["B"], fastest):
        assert r["ci_lo"] <= r["ratio"] <= r["ci_hi"] and 0.0 <= r["p_ge_10"] <= 1.0
    assert res["A"]["p_ge_10"] == 1.0  # every resample's median of A is at least 10


def test_speedup_refuses_mixed_problems_and_repeated_seeds(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import speedup

    a, b, c = (tmp_path / n for n in ("a.json", "b.json", "c.json"))
    a.write_text(json.dumps(_results("burgers", {"ours": {0: 1.0}})))
    b.write_text(json.dumps(_results("helmholtz", {"ours": {1: 1.0}})))
    c.write_text(json.dumps(_results("burgers", {"ours": {0: 2.0}})))
    with pytest.raises(ValueError, match="mix problems"):
        speedup.pooled_times([str(a), str(b)], "0.01")
    with pytest.raises(ValueError, match="seed 0 of ours"):
        speedup.pooled_times([str(a), str(c)], "0.01")


def _run(seed: int, t: float | None) -> dict:
    """One seed's run as time_to_accuracy.py records it (the fields summarise() reads)."""
    time_to = {k: None for k in ("0.1", "0.03", "0.01", "0.003", "0.001")} | {"0.01": t}
    return {"seed": seed, "steps": 10, "train_s": 5.0, "steps_per_s": 2.0 + seed, "points_per_s": 100.0,
            "best_rel_l2": 0.01, "final_rel_l2": 0.01, "time_to": time_to, "curve": [(1.0, 2, 0.5), (5.0, 10, 0.01)],
            "diverged": None}  # fmt: skip


def test_merge_pools_the_seeds_of_two_runs_and_summarises_them_again(tmp_path):
    # Seeds 0 and 2 in one file, seed 1 in the other: the medians are those of all three runs.
    head = {"problem": "burgers", "budget_s": 90.0, "threads": 1, "eval_factor": 1.05, "stop_below": None, "torch": "x"}
    a = {**head, "seeds": [0, 2], "command": "run A", "methods": {"m": {"seeds": [_run(0, 4.0), _run(2, None)]}}}
    b = {**head, "seeds": [1], "command": "run B", "methods": {"m": {"seeds": [_run(1, 6.0)]}}}
    for name, data in (("a.json", a), ("b.json", b)):
        (tmp_path / name).write_text(json.dumps(data))
    out = tmp_path / "merged"
    cmd = [sys.executable, SCRIPT, "--merge", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--out", str(out)]
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120)
    merged = json.loads((out / "burgers.json").read_text())
    assert merged["seeds"] == [0, 1, 2] and merged["command"].startswith("run A ; run B")
    m = merged["methods"]["m"]
    assert [r["seed"] for r in m["seeds"]] == [0, 1, 2]
    assert m["time_to"]["0.01"] == 6.0  # median of 4, 6 and a miss
    assert m["steps_per_s"] == 3.0  # median of 2, 3, 4
    assert (out / "burgers.png").is_file()
    # the same seed twice is refused
    cmd[4] = str(tmp_path / "a.json")
    assert subprocess.run(cmd, capture_output=True, text=True, timeout=120).returncode != 0
