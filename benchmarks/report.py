"""Markdown tables from time_to_accuracy.py results (what README shows).

    python benchmarks/report.py benchmarks/results/burgers.json benchmarks/results/helmholtz.json
"""

from __future__ import annotations

import json
import statistics
import sys


def error_at(run: dict, seconds: float) -> float:
    """Last evaluated error at or before ``seconds`` of training."""
    errors = [e for t, _, e in run["curve"] if t <= seconds]
    return errors[-1] if errors else float("nan")


def fmt(value, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def table(results: dict, at: float | None = None) -> str:
    """Markdown table of one results file; the error column is read at ``at`` seconds
    (default: two thirds of the budget)."""
    at = results["budget_s"] * 2 / 3 if at is None else at
    thresholds = list(next(iter(results["methods"].values()))["time_to"])
    head = ["method", "steps/s", "points/s", f"rel-L2 @ {at:g} s", "best rel-L2"] + [f"t({t})" for t in thresholds]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, res in results["methods"].items():
        at_t = statistics.median(error_at(r, at) for r in res["seeds"])
        row = [f"`{name}`", f"{res['steps_per_s']:.1f}", f"{res['points_per_s']:.0f}", f"{at_t:.2e}", f"{res['best_rel_l2']:.2e}"]
        row += [fmt(res["time_to"][t], ".0f") + (" s" if res["time_to"][t] is not None else "") for t in thresholds]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main() -> None:
    for path in sys.argv[1:]:
        results = json.loads(open(path).read())
        print(f"**{results['problem']}** — budget {results['budget_s']:g} s of training per run, seeds {results['seeds']} "
              f"(medians), {results['threads']} torch thread, torch {results['torch']}; `{results['command']}`\n")  # fmt: skip
        print(table(results))
        print()


if __name__ == "__main__":
    main()
