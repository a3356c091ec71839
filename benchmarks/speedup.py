"""Speed-up to a threshold, pooled over the seeds of several time_to_accuracy.py result files.

Two readings of "the best vanilla configuration", both printed:

* **one configuration**: each competitor's median time over all seeds; the ratio to the method's
  median. The competitor with the smallest median is the best configuration.
* **per-seed fastest**: for each seed, the fastest competitor on that seed (an oracle that picks
  after the fact, so it is stricter than any one configuration).

A run that never reached the threshold counts as slower than every run that did (its time is
only known to exceed the budget), so medians are exact while fewer than half the seeds miss.
A bootstrap over seeds (seeds drawn with replacement, ratio of medians recomputed) says how
much the ratio owes to the draw of seeds.

    python benchmarks/speedup.py benchmarks/results/burgers/burgers.json --method hash_fd --threshold 0.01 \
        --competitors vanilla_lbfgs vanilla_lbfgs_we vanilla_lbfgs_we_clip
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics


def pooled_times(paths: list[str], threshold: str) -> dict[str, dict[int, float]]:
    """``{method: {seed: seconds to the threshold}}`` from result files (``inf``: not reached).

    Raises:
        ValueError: if the files mix problems or a seed appears twice for a method.
    """
    times: dict[str, dict[int, float]] = {}
    problems = set()
    for path in paths:
        with open(path) as f:
            results = json.load(f)
        problems.add(results["problem"])
        for name, res in results["methods"].items():
            for run in res["seeds"]:
                per_seed = times.setdefault(name, {})
                if run["seed"] in per_seed:
                    raise ValueError(f"{path}: seed {run['seed']} of {name} is already in an earlier file")
                value = run["time_to"][threshold]
                per_seed[run["seed"]] = math.inf if value is None else value
    if len(problems) > 1:
        raise ValueError(f"the files mix problems: {sorted(problems)}")
    return times


def ratio_of_medians(slow: list[float], fast: list[float]) -> float:
    """``median(slow) / median(fast)`` (``inf`` if the slow median was not reached, ``nan`` if neither)."""
    a, b = statistics.median(slow), statistics.median(fast)
    return math.nan if math.isinf(a) and math.isinf(b) else a / b


def speedups(times: dict[str, dict[int, float]], method: str, competitors: list[str], n_boot: int = 10000,
             seed: int = 0) -> dict:  # fmt: skip
    """Ratios of ``method``'s time to each competitor's, and to the per-seed fastest competitor.

    Only seeds that every method ran are used.

    Returns:
        ``{"seeds": [...], "median_s": method's median, "against": rows}``, ``rows`` being
        ``{name: {"median_s", "ratio", "median_seed_ratio", "p_ge_10", "ci_lo", "ci_hi"}}`` with
        ``name`` each competitor and, with more than one, ``"per-seed fastest"``;
        ``ci_lo``/``ci_hi`` bound the 90 % bootstrap interval of ``ratio`` and ``p_ge_10`` is
        the bootstrap share of ratios ≥ 10.
    """
    seeds = sorted(set.intersection(*(set(times[m]) for m in [method, *competitors])))
    if not seeds:
        raise ValueError("no seed was run by every method")
    ours = [times[method][s] for s in seeds]
    columns = {c: [times[c][s] for s in seeds] for c in competitors}
    if len(competitors) > 1:
        columns["per-seed fastest"] = [min(times[c][s] for c in competitors) for s in seeds]
    rng = random.Random(seed)
    draws = [[rng.randrange(len(seeds)) for _ in seeds] for _ in range(n_boot)]
    rows = {}
    for name, theirs in columns.items():
        boot = sorted(ratio_of_medians([theirs[i] for i in d], [ours[i] for i in d]) for d in draws)
        rows[name] = {
            "median_s": statistics.median(theirs),
            "ratio": ratio_of_medians(theirs, ours),
            "median_seed_ratio": statistics.median(a / b for a, b in zip(theirs, ours)),
            "p_ge_10": sum(r >= 10 for r in boot) / n_boot,
            "ci_lo": boot[int(0.05 * n_boot)],
            "ci_hi": boot[int(0.95 * n_boot) - 1],
        }
    return {"seeds": seeds, "median_s": statistics.median(ours), "against": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--method", default="hash_fd")
    parser.add_argument("--competitors", nargs="*", help="default: every other method in the files")
    parser.add_argument("--threshold", default="0.01", help="a key of time_to: 0.1, 0.03, 0.01, 0.003, 0.001")
    args = parser.parse_args()
    times = pooled_times(args.files, args.threshold)
    if args.method not in times:
        raise SystemExit(f"--method {args.method!r} is not in the files; they hold {sorted(times)}")
    competitors = args.competitors or [m for m in times if m != args.method]
    res = speedups(times, args.method, competitors)
    seeds, ours = res["seeds"], res["median_s"]
    span = f"{len(seeds)} seeds ({seeds[0]}..{seeds[-1]})"
    print(f"`{args.method}` t({args.threshold}) median {ours:.2f} s over {span}\n")
    head = ("against", "its median t", "ratio of medians", "median per-seed ratio", "90 % bootstrap",
            "P(ratio ≥ 10)")  # fmt: skip
    print("| " + " | ".join(head) + " |")
    print("|---|---|---|---|---|---|")
    for name, r in res["against"].items():
        print(f"| `{name}` | {r['median_s']:.2f} s | {r['ratio']:.2f}× | {r['median_seed_ratio']:.2f}× "
              f"| {r['ci_lo']:.1f}–{r['ci_hi']:.1f}× | {r['p_ge_10']:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
