"""Are the derivatives the residual sees trustworthy? Autograd vs finite differences, live."""

from __future__ import annotations

import lightning.pytorch as pl
import torch
from torch import Tensor
from typing_extensions import override

from ..derivatives import AutogradDerivatives, FiniteDifferenceDerivatives
from ..geometry.sampling import PointSampler
from .plotting import draw_field


class DerivativeSmoothnessMonitor(pl.Callback):
    r"""Logs how far the PDE derivatives can be trusted, every ``every_n_steps`` training steps.

    On a fixed probe set of ``n_probe`` interior points, every first derivative
    :math:`\partial_i u` and pure second derivative :math:`\partial_{ii} u` of every output is
    computed with autograd (AD) and with central differences at the step ``h`` the model uses
    (its ``FiniteDifferenceDerivatives``; otherwise the finest grid cell, or 1/256 of the
    domain) and at ``h/2``. Logged, per derivative (e.g. ``u_x``, ``u_tt``):

    - ``derivatives/ad_vs_fd/<d>`` :math:`= \|D_{AD} - D_h\| / \|D_h\|`. Small (and
      shrinking like :math:`h^2`) for a smooth network. For second derivatives of a linearly
      interpolated hash grid it is large (exactly 1 when the grid is read out linearly): AD
      misses the curvature that lives at cell faces, so train such a network with finite
      differences, never with AD.
    - ``derivatives/fd_h_vs_h2/<d>`` :math:`= \|D_h - D_{h/2}\| / \|D_h\|`. The FD
      self-consistency: small when ``h`` resolves the solution; large means ``h`` is too coarse
      for the features (or, for a linear grid, ``h`` is below the cell so that ``h/2`` sees a
      different interpolant).
    - ``derivatives/ad_jump/<u_x>`` :math:`= \overline{|\partial_i u(x^+) - \partial_i u(x^-)|} /
      \overline{|\partial_i u|}` across the finest grid's cell faces (:math:`x^\pm` a
      thousandth of a cell on either side). About 0 for smooth networks; order 1 for a linear
      hash grid, whose AD gradient jumps at every face.
    - images ``derivatives/<d>`` (TensorBoard loggers, 2-D inputs) of the FD derivative fields.

    Args:
        every_n_steps: training steps between diagnostics.
        n_probe: probe points (fixed for the run).
        image_resolution: points per axis of the derivative images (0: no images).
        seed: seed of the probe points.
        step: FD step ``h`` of the diagnostics (all dimensions); ``None`` uses the model's.
    """

    def __init__(
        self,
        every_n_steps: int = 500,
        n_probe: int = 2048,
        image_resolution: int = 64,
        seed: int = 0,
        step: float | None = None,
    ) -> None:
        if step is not None and not step > 0:
            raise ValueError(f"step must be > 0 or null, got {step}")
        self.step = step
        if every_n_steps < 1:
            raise ValueError(f"every_n_steps must be >= 1, got {every_n_steps}")
        if n_probe < 2:
            raise ValueError(f"n_probe must be >= 2, got {n_probe}")
        if image_resolution < 0:
            raise ValueError(f"image_resolution must be >= 0, got {image_resolution}")
        self.every_n_steps = every_n_steps
        self.n_probe = n_probe
        self.image_resolution = image_resolution
        self.seed = seed

    def fd_step(self, pl_module: pl.LightningModule, like: Tensor) -> Tensor:
        """The FD step ``[d]`` the diagnostics use for this model."""
        op = pl_module.derivatives
        problem = pl_module.problem
        if self.step is not None:
            return torch.full((problem.in_dim,), self.step, dtype=like.dtype, device=like.device)
        if isinstance(op, FiniteDifferenceDerivatives):
            return op.steps(pl_module, problem.in_dim, like)
        natural = pl_module.natural_step()
        if natural is not None:
            return natural.to(like)
        extent = torch.tensor(problem.upper) - torch.tensor(problem.lower)
        return (extent / 256).to(like)

    def diagnostics(self, pl_module: pl.LightningModule) -> dict[str, float]:
        """Compute all scalar diagnostics now (see the class docstring)."""
        problem = pl_module.problem
        dtype = next(pl_module.parameters()).dtype
        x = PointSampler().interior(self.n_probe, problem.lower, problem.upper, self.seed, pl_module.device).to(dtype)
        h = self.fd_step(pl_module, x)
        with torch.enable_grad():
            ad = AutogradDerivatives(create_graph=False)(pl_module, x)
        with torch.no_grad():
            fd_h = FiniteDifferenceDerivatives(step=h.tolist())(pl_module, x)
            fd_h2 = FiniteDifferenceDerivatives(step=(h / 2).tolist())(pl_module, x)
        names_in = problem.coordinate_names
        out: dict[str, float] = {}

        def rel(a: Tensor, b: Tensor, ref: Tensor) -> float:
            return (torch.linalg.vector_norm(a - b) / torch.linalg.vector_norm(ref).clamp_min(1e-30)).item()

        for k, u in enumerate(problem.output_names):
            for i, xi in enumerate(names_in):
                for name, get in (
                    (f"{u}_{xi}", lambda dv: dv.grad(i)[:, k]),
                    (f"{u}_{xi}{xi}", lambda dv: dv.d2(i, i)[:, k]),
                ):
                    a, b, c = get(ad).detach(), get(fd_h), get(fd_h2)
                    out[f"derivatives/ad_vs_fd/{name}"] = rel(a, b, b)
                    out[f"derivatives/fd_h_vs_h2/{name}"] = rel(b, c, b)
                out[f"derivatives/ad_jump/{u}_{xi}"] = self.face_jump(pl_module, x, i, k, h)
        return out

    @staticmethod
    def face_jump(pl_module: pl.LightningModule, x: Tensor, i: int, k: int, h: Tensor) -> float:
        """Mean jump of the AD derivative d u_k / d x_i across the finest cell faces, relative to its size."""
        problem = pl_module.problem
        natural = pl_module.natural_step()
        cell = (natural[i] if natural is not None else h[i]).item()
        lo, hi = problem.lower[i], problem.upper[i]
        faces = x.clone()
        faces[:, i] = (lo + torch.round((x[:, i] - lo) / cell) * cell).clamp(lo + cell, hi - cell)
        delta = 1e-3 * cell
        shift = torch.zeros_like(x)
        shift[:, i] = delta
        with torch.enable_grad():
            op = AutogradDerivatives(create_graph=False)
            plus = op(pl_module, faces + shift).grad(i)[:, k].detach()
            minus = op(pl_module, faces - shift).grad(i)[:, k].detach()
        return ((plus - minus).abs().mean() / (0.5 * (plus.abs() + minus.abs())).mean().clamp_min(1e-30)).item()

    def images(self, pl_module: pl.LightningModule):
        """Figures of the FD derivative fields on a grid (2-D inputs), ``{tag: figure}``."""
        problem = pl_module.problem
        if self.image_resolution == 0 or problem.in_dim != 2:
            return {}
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        n = self.image_resolution
        axes = [torch.linspace(lo, hi, n) for lo, hi in zip(problem.lower, problem.upper)]
        grid = torch.stack(torch.meshgrid(*axes, indexing="ij"), -1).reshape(-1, 2).to(pl_module.device)
        with torch.no_grad():
            d = FiniteDifferenceDerivatives(step=self.fd_step(pl_module, grid).tolist())(pl_module, grid)
        names_in = problem.coordinate_names
        figures = {}
        for k, u in enumerate(problem.output_names):
            for i, xi in enumerate(names_in):
                for name, field in ((f"{u}_{xi}", d.grad(i)[:, k]), (f"{u}_{xi}{xi}", d.d2(i, i)[:, k])):
                    fig, ax = plt.subplots(figsize=(4, 3.2))
                    extent = (problem.lower[0], problem.upper[0], problem.lower[1], problem.upper[1])
                    draw_field(ax, fig, field.reshape(n, n), extent, names_in, f"{name} (FD)")
                    fig.tight_layout()
                    figures[f"derivatives/{name}"] = fig
        return figures

    @override
    def on_train_batch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule, outputs, batch, batch_idx: int) -> None:
        step, n = trainer.global_step, self.every_n_steps
        if step % n:
            return
        was_training = pl_module.training
        pl_module.eval()
        try:
            pl_module.log_dict(self.diagnostics(pl_module), on_step=True, on_epoch=False, rank_zero_only=True)
            experiment = getattr(trainer.logger, "experiment", None)
            if trainer.is_global_zero and hasattr(experiment, "add_figure"):
                for tag, fig in self.images(pl_module).items():
                    experiment.add_figure(tag, fig, global_step=step, close=True)
        finally:
            pl_module.train(was_training)
