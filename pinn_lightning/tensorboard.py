"""Reading scalars back from TensorBoard event files (for benchmarks, tests and notebooks)."""

from __future__ import annotations

from pathlib import Path

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def read_scalars(log_dir: str | Path) -> dict[str, list[tuple[int, float, float]]]:
    """All scalar series under ``log_dir``: ``{tag: [(step, value, wall_time), ...]}`` sorted by step.

    Reads every event file of the run directory (a resumed run appends new files).
    """
    series: dict[str, list[tuple[int, float, float]]] = {}
    for path in sorted(Path(log_dir).glob("events.out.tfevents.*")):
        acc = EventAccumulator(str(path), size_guidance={"scalars": 0})
        acc.Reload()
        for tag in acc.Tags()["scalars"]:
            series.setdefault(tag, []).extend((e.step, e.value, e.wall_time) for e in acc.Scalars(tag))
    return {tag: sorted(values) for tag, values in series.items()}
