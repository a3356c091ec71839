"""The non-finite guard: a device-side note of the first step whose loss was not finite."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn


class NonFiniteLossError(FloatingPointError):
    """A loss term became NaN or infinite; the message names the term and the step."""


class NonFiniteGuard(nn.Module):
    """Notes, on the device and without a host read, the first step whose loss was not finite;
    :meth:`check` reads the note (one host-device synchronisation) and raises.

    A module, so that its note moves with the model's device; the note is not saved in
    checkpoints (a resumed run starts clean).
    """

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("first_step", torch.tensor(-1), persistent=False)  # -1: none yet
        self._last_terms: dict[str, Tensor] = {}
        self._last_step = -1

    def record(self, step: int, terms: dict[str, Tensor], loss: Tensor) -> None:
        """Note ``step`` if ``loss`` is the first non-finite one (five small device ops)."""
        seen = self.first_step
        seen.copy_(torch.where(torch.isfinite(loss.detach()) | (seen >= 0), seen, step))
        self._last_terms = {name: value.detach() for name, value in terms.items()}
        self._last_step = step

    def check(self) -> None:
        """Raise :class:`NonFiniteLossError` naming the first non-finite step and the non-finite
        terms of the latest recorded step (the same step when checked every step)."""
        step = int(self.first_step)
        if step < 0:
            return
        values = {name: float(value) for name, value in self._last_terms.items()}
        bad = [name for name, value in values.items() if not math.isfinite(value)] or list(values)
        listed = ", ".join(f"{name}={values[name]}" for name in bad)
        latest = "" if step == self._last_step else f" (terms at step {self._last_step})"
        raise NonFiniteLossError(
            f"non-finite loss at step {step}: {listed}{latest}; training stopped, the last checkpoint written "
            f"before that step is intact"
        )
