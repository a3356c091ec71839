"""The LightningModule: network + problem + derivative operator + residual loss."""

from __future__ import annotations

import math
import warnings
from typing import Literal

import lightning.pytorch as pl
import torch
from lightning.pytorch.cli import LRSchedulerCallable, OptimizerCallable
from torch import Tensor

from .derivatives import AutogradDerivatives, DerivativeOperator, FieldDerivatives, FiniteDifferenceDerivatives
from .encodings import Encoding
from .metrics import RelativeL2Error
from .data.datamodule import training_draws
from .network import Activation, FieldNetwork
from .optim import apply_lr_scales, default_optimizer, parameter_groups
from .problems import Problem


class NonFiniteLossError(FloatingPointError):
    """A loss term became NaN or infinite; the message names the term and the step."""


class PINNModule(pl.LightningModule):
    r"""A physics-informed neural network for one :class:`~pinn_lightning.problems.Problem`.

    The field is :math:`u(x) = T(x, \mathrm{MLP}(\gamma(x)))` (``T``: the problem's output
    transform, identity unless it imposes hard constraints). The loss is

    .. math::
        \mathcal L = w_{\mathrm{pde}}\, \overline{\|r(x_c)\|^2}
            + \sum_{\mathrm{cond}} w_{\mathrm{cond}}\, \overline{\|r_{\mathrm{cond}}(x_{\mathrm{cond}})\|^2}

    with the PDE residual ``r`` evaluated through ``derivatives`` (autograd or finite
    differences; the problem's residual is written once for both). Logged: ``train/loss``,
    ``train/loss_<term>``, ``val/rel_l2`` and ``test/rel_l2`` (relative L2 error against the
    problem's reference, DDP-exact).

    Args:
        problem: the PDE, its domain, conditions and reference.
        encoding: input encoding (``HashGridEncoding`` for the paper's method); identity when
            ``None`` (vanilla PINN).
        hidden_width: MLP units per hidden layer.
        hidden_layers: MLP hidden layers.
        activation: MLP activation.
        derivatives: derivative operator; autograd when ``None``.
        loss_weights: weight per loss term (``"pde"``, the problem's condition names, and
            ``"data"`` where the data module supplies observations); missing terms weigh 1.
        optimizer: builds the first-phase optimizer from the parameter groups (LightningCLI:
            ``--model.optimizer torch.optim.AdamW --model.optimizer.lr 0.01``); default Adam at
            1e-3, fused. The groups and their learning rates follow
            :func:`~pinn_lightning.optim.parameter_groups`.
        lr_scheduler: builds the learning-rate schedule from that optimizer, stepped once per
            optimizer step (e.g. :class:`~pinn_lightning.ExponentialDecay`); ``None``: constant.
        encoding_lr_scale: the encoding's parameters (the hash tables) train at this multiple of
            the optimizer's learning rate.
        coefficient_lr_scale: learnt PDE coefficients (inverse problems; stored as logarithms,
            so their step is relative) train at this multiple of the optimizer's learning rate.
        loss_weighting: ``"static"`` uses ``loss_weights`` as given; ``"grad_norm"`` multiplies each
            condition term's weight by an adaptive factor (learning-rate annealing, Wang, Teng &
            Perdikaris 2021): every ``loss_weighting_every`` Adam steps,
            :math:`\hat\lambda_i = \max|\nabla_\theta \mathcal L_{pde}| / \overline{|\nabla_\theta \mathcal L_i|}`
            and :math:`\lambda_i \leftarrow (1 - \alpha)\lambda_i + \alpha\hat\lambda_i`. Logged as
            ``train/weight_<term>``; saved in checkpoints. Meant for MLP networks: with a hash
            grid the factor runs to ~1e10 (warning).
        loss_weighting_every: Adam steps between updates of the adaptive factors.
        loss_weighting_alpha: update rate :math:`\alpha` of the adaptive factors.
        lbfgs_start: global step from which L-BFGS (strong Wolfe line search) replaces Adam;
            ``None``: Adam only. Each L-BFGS step runs up to ``lbfgs_max_iter`` iterations on
            that step's batch (use ``data.resample: epoch`` to keep the points fixed longer).
            Both optimizers live in checkpoints, so either phase resumes.
        lbfgs_lr: L-BFGS step length.
        lbfgs_max_iter: L-BFGS iterations per training step.
        lbfgs_history: L-BFGS memory.
        causal_chunks: causal training (Wang, Sankaran & Perdikaris 2022) for time-dependent
            problems: the time interval is cut into ``causal_chunks`` equal slabs with mean
            squared residuals :math:`L_1..L_M` (this step's collocation points), and the PDE
            loss becomes :math:`\frac1M\sum_i w_i L_i`,
            :math:`w_i = \exp(-\epsilon \sum_{k<i} L_k)` (not differentiated), so later times
            count only once earlier ones are resolved. 0 turns it off. Logged:
            ``train/causal_weight_last`` (:math:`w_M`: 1 when the whole interval is resolved).
        causal_epsilon: :math:`\epsilon` of causal training.
        grad_clip_norm: if set, Adam steps rescale the gradient to at most this global L2 norm
            (``torch.nn.utils.clip_grad_norm_`` through Lightning's ``clip_gradients``;
            ``trainer.gradient_clip_val`` does not apply to this module's manual optimization).
        compile: run the network through ``torch.compile`` in training steps (finite
            differences only: compiled double backward is not supported). Compilation takes
            tens of seconds at the first step; training evaluates one input shape per step
            (stencil and condition points in one batch), so it compiles once.
        nan_check_every: Adam steps between the host's reads of the device-side non-finite flag.
            Every step notes, on the device, the first step whose loss was not finite; the host
            reads that note every this many steps, before a checkpoint is
            written and before validation, and then stops the run naming the step and the
            terms. No checkpoint is written after a non-finite step. 1 reads it before every
            update (the update of a non-finite step is then never applied), at the cost of one
            host-device synchronisation per step: nothing measurable on a CPU, a stall of the
            host on every step on a GPU. With ``n`` the last ``< n`` updates before the stop
            may be non-finite; the weights in memory are then lost, the checkpoints are not.
    """

    #: Read by Lightning's ``ThroughputMonitor``: ``None`` says that FLOPs are not counted. A step's
    #: cost is dominated by the hash grid's gathers and scatters, which FLOP counters do not see.
    flops_per_batch = None

    def __init__(
        self,
        problem: Problem,
        encoding: Encoding | None = None,
        hidden_width: int = 64,
        hidden_layers: int = 2,
        activation: Activation = "tanh",
        derivatives: DerivativeOperator | None = None,
        loss_weights: dict[str, float] | None = None,
        optimizer: OptimizerCallable = default_optimizer,
        lr_scheduler: LRSchedulerCallable | None = None,
        encoding_lr_scale: float = 1.0,
        coefficient_lr_scale: float = 1.0,
        loss_weighting: Literal["static", "grad_norm"] = "static",
        loss_weighting_every: int = 100,
        loss_weighting_alpha: float = 0.9,
        lbfgs_start: int | None = None,
        lbfgs_lr: float = 1.0,
        lbfgs_max_iter: int = 20,
        lbfgs_history: int = 50,
        causal_chunks: int = 0,
        causal_epsilon: float = 1.0,
        grad_clip_norm: float | None = None,
        compile: bool = False,
        nan_check_every: int = 100,
    ) -> None:
        super().__init__()
        for name, value in (("encoding_lr_scale", encoding_lr_scale), ("coefficient_lr_scale", coefficient_lr_scale)):
            if not value > 0:
                raise ValueError(f"{name} must be > 0, got {value}")
        if loss_weighting not in ("static", "grad_norm"):
            raise ValueError(f"loss_weighting must be 'static' or 'grad_norm', got {loss_weighting!r}")
        if loss_weighting_every < 1 or not 0 < loss_weighting_alpha <= 1:
            raise ValueError(
                f"loss_weighting_every must be >= 1 and loss_weighting_alpha in (0, 1], got "
                f"{loss_weighting_every}, {loss_weighting_alpha}"
            )
        if lbfgs_start is not None and lbfgs_start < 0:
            raise ValueError(f"lbfgs_start must be >= 0 (or null for Adam only), got {lbfgs_start}")
        if not lbfgs_lr > 0 or lbfgs_max_iter < 1 or lbfgs_history < 1:
            raise ValueError(
                f"lbfgs_lr must be > 0 and lbfgs_max_iter, lbfgs_history >= 1, got "
                f"{lbfgs_lr}, {lbfgs_max_iter}, {lbfgs_history}"
            )
        if causal_chunks < 0 or causal_chunks == 1:
            raise ValueError(f"causal_chunks must be 0 (off) or >= 2, got {causal_chunks}")
        if causal_chunks and problem.time_dim is None:
            raise ValueError(f"causal_chunks needs a time-dependent problem; {type(problem).__name__} has no time_dim")
        if not causal_epsilon > 0:
            raise ValueError(f"causal_epsilon must be > 0, got {causal_epsilon}")
        if grad_clip_norm is not None and not grad_clip_norm > 0:
            raise ValueError(f"grad_clip_norm must be > 0 (or null for no clipping), got {grad_clip_norm}")
        if not isinstance(nan_check_every, int) or nan_check_every < 1:
            raise ValueError(f"nan_check_every must be an integer >= 1, got {nan_check_every!r}")
        terms = ("pde",) + problem.conditions + ("data",)
        weights = dict(loss_weights or {})
        for name, value in weights.items():
            if name not in terms:
                raise ValueError(f"loss_weights has unknown term {name!r}; the terms are {terms}")
            if not value >= 0:
                raise ValueError(f"loss_weights[{name!r}] must be >= 0, got {value}")
        self.loss_weights = {name: float(weights.get(name, 1.0)) for name in terms}
        # The optimizer and schedule are callables: kept as attributes, not hyperparameters (a
        # checkpoint holds only tensors and plain values).
        self.save_hyperparameters(ignore=["problem", "encoding", "derivatives", "optimizer", "lr_scheduler"])
        self.optimizer_factory, self.lr_scheduler_factory = optimizer, lr_scheduler
        # Two optimizers (Adam, then L-BFGS) are switched by step: manual optimization.
        self.automatic_optimization = False
        self.problem = problem
        self.network = FieldNetwork(
            problem.lower, problem.upper, problem.out_dim, encoding, hidden_width, hidden_layers, activation
        )
        self.derivatives = derivatives if derivatives is not None else AutogradDerivatives()
        if compile and isinstance(self.derivatives, AutogradDerivatives):
            raise ValueError("compile=True needs FiniteDifferenceDerivatives: compiled networks do not support double backward")
        if isinstance(self.derivatives, FiniteDifferenceDerivatives):
            self._check_fd_step()
        if loss_weighting == "grad_norm" and self.network.encoding.finest_cell_size() is not None:
            warnings.warn(
                "loss_weighting='grad_norm' with a grid encoding: the factors come from the largest "
                "residual gradient, which a grid's fine cells make huge (Helmholtz, soft boundary: "
                "~1e10, and training fails); prefer hard constraints or static loss_weights.",
                stacklevel=2,
            )
        # Not a registered submodule: it shares the network's parameters and must not duplicate them in checkpoints.
        object.__setattr__(self, "_compiled_network", torch.compile(self.network) if compile else None)
        # Adaptive factors of the condition terms (1 = the static weights); a buffer, so resumable.
        self.register_buffer("adaptive_weights", torch.ones(len(problem.conditions), dtype=torch.float64))
        # The device-side note of the first step whose loss was not finite (-1: none).
        self.register_buffer("_nonfinite_step", torch.tensor(-1), persistent=False)
        self.val_rel_l2 = RelativeL2Error()
        self.test_rel_l2 = RelativeL2Error()

    def _check_fd_step(self) -> None:
        """FD steps must be well inside the domain and well above float32 resolution; steps
        outside 0.5–2 cells of a hash grid work poorly (warning; benchmarks/hash_sweep.py)."""
        names = self.problem.coordinate_names
        steps = self.derivatives.steps(self, self.problem.in_dim, torch.zeros((), dtype=torch.float64))
        cells = self.natural_step()
        if cells is not None:
            for name, h, cell in zip(names, steps.tolist(), cells.tolist()):
                if not 0.5 <= h / cell <= 2.0:
                    warnings.warn(
                        f"finite-difference step for {name} is {h / cell:.3g} finest hash cells; outside "
                        f"0.5-2 cells a linear grid's differences see a single cell's interpolant (too small) "
                        f"or blur the solution (too large). See docs/tuning.md.",
                        stacklevel=2,
                    )
        for name, h, lo, hi in zip(names, steps.tolist(), self.problem.lower, self.problem.upper):
            extent = hi - lo
            if h > 0.25 * extent:
                raise ValueError(f"finite-difference step for {name} is {h:g}, more than a quarter of the domain "
                                 f"[{lo:g}, {hi:g}]: allowed range ({1e-5 * extent:g}, {0.25 * extent:g}]")  # fmt: skip
            if h < 1e-5 * extent:
                raise ValueError(f"finite-difference step for {name} is {h:g}, below float32 resolution for a second "
                                 f"difference on [{lo:g}, {hi:g}]: allowed range ({1e-5 * extent:g}, {0.25 * extent:g}]")  # fmt: skip

    def __setattr__(self, name: str, value) -> None:
        # Lightning sets `_current_fx_name` before and after every hook it calls, ~30 times per
        # training step; nn.Module.__setattr__ (which looks the name up among parameters, buffers
        # and submodules) made that ~0.1 ms of a 3.5 ms step. It is a plain string attribute.
        if name == "_current_fx_name":
            object.__setattr__(self, name, value)
        else:
            super().__setattr__(name, value)

    def forward(self, x: Tensor) -> Tensor:  # [n, d] -> [n, m]
        compiled = self._compiled_network is not None and self.training and torch.is_grad_enabled()
        return self.problem.output_transform(x, (self._compiled_network if compiled else self.network)(x))

    def natural_step(self) -> Tensor | None:
        """The grid's finest cell per input dimension (finite differences take their step from it)."""
        return self.network.natural_step()

    def loss_terms(self, batch: dict[str, Tensor]) -> dict[str, Tensor]:
        """Mean squared residual of the PDE and of each condition, as a dict of scalars.

        The condition points ride along in the derivative operator's forward pass, so a step
        makes one network evaluation whatever the operator.
        """
        x = batch["collocation"]
        names = self.problem.conditions + (("data",) if "data" in batch else ())
        sizes = [batch[name].shape[0] for name in names]
        extra = torch.cat([batch[name] for name in names]) if names else None
        d = self.derivatives(self, x, mixed=self.problem.mixed_derivatives, extra=extra)
        r2 = self.weighted_squared_residual(x, d)  # [n, r]
        if self.hparams.causal_chunks:
            terms = {"pde": self.causal_loss(x, r2.reshape(x.shape[0], -1).mean(1))}
        else:
            terms = {"pde": r2.mean()}
        if names:
            for name, xc, uc in zip(names, torch.split(extra, sizes), torch.split(d.extra, sizes)):
                if name == "data":  # observations of the compared outputs (inverse problems)
                    r = uc[:, self.problem.compared] - batch["data_values"].to(uc.dtype)
                else:
                    r = self.problem.condition_residual(name, xc, uc)
                terms[name] = r.square().mean()
        return terms

    def weighted_squared_residual(self, x: Tensor, d: FieldDerivatives) -> Tensor:
        r"""The squared PDE residual as the loss weighs it, :math:`\lambda r^2`, ``[n, r]``.

        :math:`\lambda` are the problem's ``residual_weights`` (all ones when it has none),
        detached: the loss treats them as constants. Adaptive sampling draws from the same
        quantity.
        """
        r2 = self.problem.residual(x, d).square()
        weights = self.problem.residual_weights(x, d)
        return r2 if weights is None else r2 * weights.detach()

    def causal_loss(self, x: Tensor, r2: Tensor) -> Tensor:
        """Causally weighted mean of the squared residuals ``r2`` [n] at points ``x`` [n, d]."""
        m, k = self.hparams.causal_chunks, self.problem.time_dim
        lo, hi = self.problem.lower[k], self.problem.upper[k]
        chunk = ((x[:, k] - lo) * (m / (hi - lo))).long().clamp_(0, m - 1)
        sums = torch.zeros(m, dtype=r2.dtype, device=r2.device).index_add_(0, chunk, r2)
        losses = sums / torch.bincount(chunk, minlength=m).clamp_min(1).to(r2.dtype)
        done = losses.detach()
        weights = torch.exp(-self.hparams.causal_epsilon * (done.cumsum(0) - done))  # sum over earlier slabs
        self._causal_weight_last = weights[-1]
        return (weights * losses).mean()

    def set_step(self, step: int) -> None:
        """Bring the schedules that follow the global step to ``step``: the encoding's
        coarse-to-fine levels and the stencils' ``order_switch``."""
        self.network.encoding.set_step(step)
        self.derivatives.set_step(step)

    @property
    def lbfgs_active(self) -> bool:
        """Whether this step belongs to the L-BFGS phase."""
        start = self.hparams.lbfgs_start
        return start is not None and self.global_step >= start

    def weights(self) -> dict[str, float]:
        """Current weight of each loss term: static weight times adaptive factor."""
        if self.hparams.loss_weighting == "static":
            return self.loss_weights  # no device read in the hot path
        factors = dict(zip(self.problem.conditions, self.adaptive_weights.tolist()))
        return {name: w * factors.get(name, 1.0) for name, w in self.loss_weights.items()}

    def total_loss(self, terms: dict[str, Tensor]) -> Tensor:
        """The weighted sum of the terms; adaptive factors stay on the device (no host read)."""
        if self.hparams.loss_weighting == "static":
            return sum(self.loss_weights[name] * value for name, value in terms.items())
        factors = dict(zip(self.problem.conditions, self.adaptive_weights.unbind()))
        return sum(
            self.loss_weights[name] * (factors[name].to(value.dtype) * value if name in factors else value)
            for name, value in terms.items()
        )

    def update_adaptive_weights(self, terms: dict[str, Tensor]) -> None:
        """One learning-rate-annealing update of the condition factors from this step's terms."""
        params = [p for p in self.parameters() if p.requires_grad]

        def grads(loss: Tensor) -> Tensor:
            gs = torch.autograd.grad(loss, params, retain_graph=True, allow_unused=True)
            return torch.cat([g.reshape(-1) for g in gs if g is not None]).abs()

        max_pde = grads(terms["pde"]).max()
        for i, name in enumerate(self.problem.conditions):
            estimate = (max_pde / grads(terms[name]).mean().clamp_min(1e-30)).double()
            if self._trainer is not None:  # the same factor on every rank
                estimate = self.trainer.strategy.reduce(estimate, reduce_op="mean")
            alpha = self.hparams.loss_weighting_alpha
            self.adaptive_weights[i] = (1 - alpha) * self.adaptive_weights[i] + alpha * estimate

    def training_step(self, batch: dict[str, Tensor] | list[dict[str, Tensor]], batch_idx: int) -> Tensor:
        """One optimizer step per draw: ``batch`` is one draw, or a list of them
        (``CollocationDataModule(steps_per_batch=k)``); logs once, after the last."""
        for draw in training_draws(batch):
            loss, terms = self._optimizer_step(draw)
        n = self.trainer.log_every_n_steps
        # Lightning writes on-step values only when the step is a multiple of n (it drops the rest),
        # and each `self.log` costs a few tenths of a millisecond (logging every step made a
        # 512-point Burgers hash + FD step ~10 % slower): log only then. The progress bar shows
        # the last logged loss.
        if n > 0 and self.global_step % n == 0:
            self._log_step(loss, terms)
        return loss

    def _optimizer_step(self, batch: dict[str, Tensor]) -> tuple[Tensor, dict[str, Tensor]]:
        """One step of the first-phase optimizer (or of L-BFGS) on one draw; returns the loss and its terms."""
        self.set_step(self.global_step)
        optimizers = self.optimizers()
        first, lbfgs = optimizers if isinstance(optimizers, list) else (optimizers, None)
        if self.lbfgs_active:
            seen: dict[str, dict[str, Tensor]] = {}

            def closure() -> Tensor:
                lbfgs.zero_grad()
                terms = self.loss_terms(batch)
                loss = self.total_loss(terms)
                self.manual_backward(loss)
                seen["terms"] = terms
                # Every rank must see the same objective, or ranks take different numbers of
                # closure calls and hang (DDP); the gradients are already averaged.
                return self.trainer.strategy.reduce(loss.detach(), reduce_op="mean")

            lbfgs.step(closure=closure)
            terms = seen["terms"]
            loss = self.total_loss(terms)
            self._check_finite(terms, loss)
        else:
            terms = self.loss_terms(batch)
            if (
                self.hparams.loss_weighting == "grad_norm"
                and self.problem.conditions
                and self.global_step % self.hparams.loss_weighting_every == 0
            ):
                self.update_adaptive_weights(terms)
            loss = self.total_loss(terms)
            self._record_nonfinite(terms, loss)
            if (self.global_step + 1) % self.hparams.nan_check_every == 0:
                self.raise_if_nonfinite()  # before the update
            first.zero_grad()
            self.manual_backward(loss)
            if self.hparams.grad_clip_norm is not None:
                self.clip_gradients(first, gradient_clip_val=self.hparams.grad_clip_norm, gradient_clip_algorithm="norm")
            first.step()
            scheduler = self.lr_schedulers()
            if scheduler is not None:
                scheduler.step()
        return loss, terms

    def _log_step(self, loss: Tensor, terms: dict[str, Tensor]) -> None:
        self.log("train/loss", loss, prog_bar=True)
        self.log_dict({f"train/loss_{name}": value for name, value in terms.items()})
        self.log_dict(self.grid_state())
        learned = self.problem.learned_coefficients()
        if learned:  # inverse problems: the coefficients' trajectories
            self.log_dict({f"coef/{name}": value for name, value in learned.items()}, prog_bar=True)
        if self.hparams.causal_chunks:
            self.log("train/causal_weight_last", self._causal_weight_last)
        if self.hparams.loss_weighting != "static":
            self.log_dict({f"train/weight_{name}": w for name, w in self.weights().items() if name != "pde"})

    def _check_finite(self, terms: dict[str, Tensor], loss: Tensor) -> None:
        """Stop at once on a non-finite loss (the L-BFGS phase, which reads the loss anyway)."""
        self._record_nonfinite(terms, loss)
        self.raise_if_nonfinite()

    def _record_nonfinite(self, terms: dict[str, Tensor], loss: Tensor) -> None:
        """Note on the device the step of the first non-finite loss (no host read; five small ops)."""
        seen = self._nonfinite_step
        seen.copy_(torch.where(torch.isfinite(loss.detach()) | (seen >= 0), seen, self.global_step))
        self._last_terms = {name: value.detach() for name, value in terms.items()}

    def raise_if_nonfinite(self) -> None:
        """Read the device-side note; raise :class:`NonFiniteLossError` if a step was non-finite.

        The message names the first non-finite step and the non-finite terms of the latest step
        (the same step when the note is read every step).
        """
        step = int(self._nonfinite_step)
        if step < 0:
            return
        values = {name: float(value) for name, value in getattr(self, "_last_terms", {}).items()}
        bad = [name for name, value in values.items() if not math.isfinite(value)] or list(values)
        listed = ", ".join(f"{name}={values[name]}" for name in bad)
        latest = "" if step == self.global_step else f" (terms at step {self.global_step})"
        raise NonFiniteLossError(
            f"non-finite loss at step {step}: {listed}{latest}; training stopped, the last checkpoint written "
            f"before that step is intact"
        )

    def on_save_checkpoint(self, checkpoint: dict) -> None:
        self.raise_if_nonfinite()  # never write weights that a non-finite step has touched

    def grid_state(self) -> dict[str, float]:
        """Active hash levels and the FD step per input (what coarse-to-fine changes), as floats."""
        state = {}
        active = getattr(self.network.encoding, "active_levels", None)
        if active is not None:
            state["grid/active_levels"] = float(active)
        if isinstance(self.derivatives, FiniteDifferenceDerivatives):
            names = self.problem.coordinate_names
            steps = self.derivatives.steps(self, self.problem.in_dim, torch.zeros(()))
            state.update({f"grid/fd_step_{name}": h for name, h in zip(names, steps.tolist())})
            state["grid/fd_order"] = float(self.derivatives.active_order)
        return state

    def hparams_summary(self) -> dict[str, float | int | str | bool]:
        """Flat, TensorBoard-friendly description of the run: module hyperparameters plus the
        problem, encoding and derivative classes and their scalar settings."""
        summary = {k: v for k, v in self.hparams.items() if isinstance(v, (int, float, str, bool))}
        for prefix, obj in (("problem", self.problem), ("encoding", self.network.encoding), ("derivatives", self.derivatives)):
            summary[prefix] = type(obj).__name__
            for key, value in vars(obj).items():
                if not key.startswith("_") and key != "training" and isinstance(value, (int, float, str, bool)):
                    summary[f"{prefix}.{key}"] = value
        return summary

    def _require_reference(self) -> None:
        problem = type(self.problem)
        if problem.solution is Problem.solution and problem.compute_reference is Problem.compute_reference:
            raise ValueError(
                f"{problem.__name__} has no reference solution for val/rel_l2 and test/rel_l2: implement "
                f"solution() or compute_reference(), or turn validation off (trainer.limit_val_batches: 0)"
            )

    def on_validation_start(self) -> None:
        self.raise_if_nonfinite()
        self._require_reference()

    def on_test_start(self) -> None:
        self._require_reference()

    def compared(self, x: Tensor) -> Tensor:
        """The outputs the error metric compares (the problem's ``compared_outputs``), ``[n, c]``."""
        u = self(x)
        return u if self.problem.compared_outputs is None else u[:, self.problem.compared]

    def validation_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        x, u_ref = batch
        self.val_rel_l2.update(self.compared(x), u_ref)
        self.log("val/rel_l2", self.val_rel_l2, prog_bar=True)

    def test_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        x, u_ref = batch
        self.test_rel_l2.update(self.compared(x), u_ref)
        self.log("test/rel_l2", self.test_rel_l2)

    @torch.no_grad()
    def reference_error(self, batch_size: int = 32768) -> float:
        """Relative L2 error of the current model on the problem's whole reference grid."""
        x, u = self.problem.reference()
        # The whole grid in this process: no cross-rank sync (it may run on rank 0 only).
        metric = RelativeL2Error(sync_on_compute=False).to(self.device)
        for start in range(0, x.shape[0], batch_size):
            xs = x[start : start + batch_size].float().to(self.device)
            metric.update(self.compared(xs), u[start : start + batch_size].float().to(self.device))
        return metric.compute().item()

    def predict_step(self, batch: Tensor, batch_idx: int) -> Tensor:
        return self(batch)

    def configure_optimizers(self):
        hp = self.hparams
        groups = parameter_groups(self, self.network.encoding, self.problem, hp.encoding_lr_scale,
                                  hp.coefficient_lr_scale)  # fmt: skip
        first = apply_lr_scales(self.optimizer_factory(groups))
        schedulers = []
        if self.lr_scheduler_factory is not None:
            schedulers.append({"scheduler": self.lr_scheduler_factory(first), "interval": "step"})
        if hp.lbfgs_start is None:
            return {"optimizer": first, "lr_scheduler": schedulers[0]} if schedulers else first
        lbfgs = torch.optim.LBFGS(
            self.parameters(),
            lr=hp.lbfgs_lr,
            max_iter=hp.lbfgs_max_iter,
            history_size=hp.lbfgs_history,
            line_search_fn="strong_wolfe",
        )
        return [first, lbfgs], schedulers
