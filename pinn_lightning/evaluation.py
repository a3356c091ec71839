"""Validation and test of a PINN: the relative L2 error on the reference, and quantities of interest."""

from __future__ import annotations

import lightning.pytorch as pl
import torch
from torch import Tensor

from .metrics import RelativeL2Error


class ReferenceEvaluation(pl.LightningModule):
    """The evaluation half of :class:`~pinn_lightning.PINNModule` (a mixin: it reads ``problem``,
    ``derivatives``, ``val_rel_l2`` and ``test_rel_l2`` of the module).

    Logs ``val/rel_l2`` and ``test/rel_l2`` (relative L2 error of the compared outputs on the
    problem's reference grid, a sum-state metric: exact under DDP) where the problem has a
    reference field, and ``<stage>/<name>`` and ``<stage>/<name>_error`` for each of its quantities
    of interest (e.g. a drag coefficient against its published value).
    """

    def require_reference(self) -> None:
        """Raises ``ValueError`` if the problem has neither a reference field nor reference quantities."""
        problem = self.problem
        if not problem.has_reference and not problem.reference_quantities:
            raise ValueError(
                f"{type(problem).__name__} has no reference solution for val/rel_l2 and test/rel_l2: implement "
                f"solution() or compute_reference(), or turn validation off (trainer.limit_val_batches: 0)"
            )

    def on_test_start(self) -> None:
        self.require_reference()

    def compared(self, x: Tensor) -> Tensor:
        """The outputs the error metric compares (the problem's ``compared_outputs``), ``[n, c]``."""
        u = self(x)
        return u if self.problem.compared_outputs is None else u[:, self.problem.compared]

    def validation_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        self._evaluate(batch, batch_idx, "val", self.val_rel_l2)

    def test_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        self._evaluate(batch, batch_idx, "test", self.test_rel_l2)

    def _evaluate(self, batch: tuple[Tensor, Tensor], batch_idx: int, stage: str, metric: RelativeL2Error) -> None:
        x, u_ref = batch  # a problem without reference field has no target columns
        problem = self.problem
        if problem.has_reference:
            metric.update(self.compared(x), u_ref)
            self.log(f"{stage}/rel_l2", metric, prog_bar=stage == "val")
        if problem.reference_quantities and batch_idx == 0:
            for name, value in self.quantities().items():
                self.log(f"{stage}/{name}", value)
                if name in problem.reference_quantities:
                    ref = problem.reference_quantities[name]
                    self.log(f"{stage}/{name}_error", (value - ref).abs() / abs(ref), prog_bar=stage == "val")

    def quantities(self) -> dict[str, Tensor]:
        """The problem's quantities of interest for the current model, detached 0-d tensors on its device."""
        with torch.enable_grad():  # derivatives of the field
            values = self.problem.quantities(self, self.derivatives, torch.zeros((), device=self.device))
        return {name: value.detach() for name, value in values.items()}

    @torch.no_grad()
    def reference_error(self, batch_size: int = 32768) -> float:
        """Relative L2 error of the current model on the problem's whole reference grid (this
        process alone: no cross-rank sync, so it may run on rank 0 only)."""
        x, u = self.problem.reference()
        metric = RelativeL2Error(sync_on_compute=False).to(self.device)
        for start in range(0, x.shape[0], batch_size):
            xs = x[start : start + batch_size].float().to(self.device)
            metric.update(self.compared(xs), u[start : start + batch_size].float().to(self.device))
        return metric.compute().item()
