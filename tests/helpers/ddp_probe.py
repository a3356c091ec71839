"""A callback the DDP tests add to real `pinn fit` runs: it records what each rank saw."""

import json
from pathlib import Path

import lightning.pytorch as pl


class SampleFingerprint(pl.Callback):
    """Writes ``rank<r>.json``: per step a fingerprint of the collocation points, and at the end
    the synced ``val/rel_l2``, the model's error on the whole reference grid and the adaptive
    loss-weight factors."""

    def __init__(self, out_dir: str) -> None:
        self.out_dir = Path(out_dir)
        self.samples: dict[int, list[float]] = {}

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        x = batch["collocation"].double()
        self.samples[trainer.global_step] = [x.sum().item(), x[0, 0].item(), float(x.shape[0])]

    def on_fit_end(self, trainer, pl_module) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        record = {
            "rank": trainer.global_rank,
            "world_size": trainer.world_size,
            "samples": self.samples,
            "val_rel_l2": float(trainer.callback_metrics["val/rel_l2"]),
            "reference_error": pl_module.reference_error(),
            "global_step": trainer.global_step,
            "adaptive_weights": pl_module.adaptive_weights.tolist(),
        }
        (self.out_dir / f"rank{trainer.global_rank}.json").write_text(json.dumps(record))
