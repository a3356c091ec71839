"""The encoding contract shared by every input encoding."""

from __future__ import annotations

from torch import Tensor, nn


class Encoding(nn.Module):
    """Maps normalised coordinates ``z`` in ``[0, 1]^d`` to features.

    The input dimension may be left open at construction (YAML configs do not repeat the
    problem's dimension); the network then calls :meth:`bind` once with the problem's ``d``.

    Subclasses implement :meth:`_build` (allocate parameters for ``in_dim``), :attr:`out_dim`
    and :meth:`forward` with shapes ``[n, in_dim] -> [n, out_dim]``.
    """

    def __init__(self, in_dim: int | None = None) -> None:
        super().__init__()
        self.in_dim: int | None = None
        if in_dim is not None:
            self.bind(in_dim)

    def bind(self, in_dim: int) -> None:
        """Fix the input dimension and allocate parameters (once).

        Raises:
            ValueError: if the encoding is already bound to another dimension or ``in_dim`` is
                outside what the encoding supports.
        """
        if self.in_dim is not None:
            if self.in_dim != in_dim:
                raise ValueError(
                    f"{type(self).__name__} was built for in_dim={self.in_dim}, "
                    f"but the problem has {in_dim} input dimensions"
                )
            return
        if not isinstance(in_dim, int) or in_dim < 1:
            raise ValueError(f"in_dim must be a positive integer, got {in_dim!r}")
        self._build(in_dim)
        self.in_dim = in_dim

    def _build(self, in_dim: int) -> None:
        """Allocate parameters for ``in_dim`` inputs (default: nothing to allocate)."""

    @property
    def out_dim(self) -> int:
        raise NotImplementedError

    def set_step(self, step: int) -> None:
        """Called by the training loop before each step (for schedules such as coarse-to-fine)."""

    def finest_cell_size(self) -> float | None:
        """Finest grid spacing in normalised coordinates, or ``None`` for grid-free encodings.

        Finite differences use it as their natural step.
        """
        return None

    def _check_bound(self, z: Tensor) -> None:
        if self.in_dim is None:
            raise RuntimeError(f"{type(self).__name__} is not bound to an input dimension yet")
        if z.shape[-1] != self.in_dim:
            raise ValueError(f"expected inputs of shape [n, {self.in_dim}], got {tuple(z.shape)}")
