"""The LightningModule: network + problem + derivative operator + residual loss."""

from __future__ import annotations


import torch
from lightning.pytorch.cli import LRSchedulerCallable, OptimizerCallable
from torch import Tensor

from .conditions import PointData
from .derivatives import AutogradDerivatives, DerivativeOperator, FieldDerivatives, FiniteDifferenceDerivatives, Values
from .encodings import Encoding
from .evaluation import ReferenceEvaluation
from .metrics import RelativeL2Error
from .causal import CausalWeighting
from .lbfgs import LBFGSPhase
from .loss_weighting import GradNormWeighting, static_weights
from .network import Activation, FieldNetwork
from .nonfinite import NonFiniteGuard
from .optim import apply_lr_scales, default_optimizer, parameter_groups
from .problems import Problem


class PINNModule(ReferenceEvaluation):
    r"""A physics-informed neural network for one :class:`~pinn_lightning.problems.Problem`.

    The field is :math:`u(x) = T(x, \mathrm{MLP}(\gamma(x)))` (``T``: the problem's output
    transform, identity unless it imposes hard constraints). The loss is

    .. math::
        \mathcal L = w_{\mathrm{pde}}\, \overline{\|r(x_c)\|^2}
            + \sum_{\mathrm{cond}} w_{\mathrm{cond}}\, \overline{\|r_{\mathrm{cond}}(x_{\mathrm{cond}})\|^2}

    with the PDE residual ``r`` evaluated through ``derivatives`` (autograd or finite
    differences; the problem's residual is written once for both). Logged: ``train/loss``,
    ``train/loss_<term>``; validation and test: :class:`~pinn_lightning.evaluation.ReferenceEvaluation`
    (relative L2 error against the problem's reference, quantities of interest).

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
        loss_weighting: adaptive factors of the condition terms' weights
            (:class:`~pinn_lightning.GradNormWeighting`); ``None``: ``loss_weights`` as given.
        lbfgs: an L-BFGS phase that replaces the first-phase optimizer from a given step
            (:class:`~pinn_lightning.LBFGSPhase`); ``None``: the first optimizer throughout.
        causal: causal weighting of the PDE loss over time (:class:`~pinn_lightning.CausalWeighting`,
            time-dependent problems); ``None``: the plain mean.
        grad_clip_norm: if set, first-phase steps rescale the gradient to at most this global L2
            norm (``trainer.gradient_clip_val`` does not apply to manual optimization).
        nan_check_every: steps between the host's reads of the device-side note of the first
            non-finite loss (:class:`~pinn_lightning.nonfinite.NonFiniteGuard`), which is also read
            before every checkpoint and validation, so no checkpoint follows a non-finite step.
            1 reads it before every update (one host-device synchronisation per step: free on a
            CPU, a stall on a GPU); with ``n`` up to ``n - 1`` non-finite updates reach the weights
            in memory before the run stops.
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
        loss_weighting: GradNormWeighting | None = None,
        lbfgs: LBFGSPhase | None = None,
        causal: CausalWeighting | None = None,
        grad_clip_norm: float | None = None,
        nan_check_every: int = 100,
    ) -> None:
        super().__init__()
        for name, value in (("encoding_lr_scale", encoding_lr_scale), ("coefficient_lr_scale", coefficient_lr_scale)):
            if not value > 0:
                raise ValueError(f"{name} must be > 0, got {value}")
        if causal is not None and problem.time_dim is None:
            raise ValueError(f"causal weighting needs a time-dependent problem; {type(problem).__name__} has no time_dim")
        if grad_clip_norm is not None and not grad_clip_norm > 0:
            raise ValueError(f"grad_clip_norm must be > 0 (or null for no clipping), got {grad_clip_norm}")
        if not isinstance(nan_check_every, int) or nan_check_every < 1:
            raise ValueError(f"nan_check_every must be an integer >= 1, got {nan_check_every!r}")
        self.loss_weights = static_weights(loss_weights, ("pde",) + problem.condition_names + ("data",))
        # Callables and strategy objects are attributes, not hyperparameters (a checkpoint holds
        # only tensors and plain values).
        parts = ["problem", "encoding", "derivatives", "optimizer", "lr_scheduler", "loss_weighting", "lbfgs", "causal"]
        self.save_hyperparameters(ignore=parts)
        self.optimizer_factory, self.lr_scheduler_factory = optimizer, lr_scheduler
        self.loss_weighting, self.lbfgs, self.causal = loss_weighting, lbfgs, causal
        # Two optimizers (the first, then L-BFGS) are switched by step: manual optimization.
        self.automatic_optimization = False
        self.problem = problem
        self.network = FieldNetwork(
            problem.lower, problem.upper, problem.out_dim, encoding, hidden_width, hidden_layers, activation
        )
        self.derivatives = derivatives if derivatives is not None else AutogradDerivatives()
        if isinstance(self.derivatives, FiniteDifferenceDerivatives):
            self.derivatives.check_steps(self, problem.coordinate_names, problem.lower, problem.upper)
        if loss_weighting is not None:
            loss_weighting.check_encoding(self.network.encoding)
        # Adaptive factors of the condition terms (1 = the static weights); a buffer, so resumable.
        self.register_buffer("adaptive_weights", torch.ones(len(problem.condition_names), dtype=torch.float64))
        self.data_condition = PointData(name="data", components=problem.compared)  # the data module's observations
        self.nonfinite = NonFiniteGuard()
        self.val_rel_l2 = RelativeL2Error()
        self.test_rel_l2 = RelativeL2Error()

    def forward(self, x: Tensor) -> Tensor:  # [n, d] -> [n, m]
        return self.problem.output_transform(x, self.network(x))

    def natural_step(self) -> Tensor | None:  # [d]: the grid's finest cell, finite differences' step
        return self.network.natural_step()

    def loss_terms(self, batch: dict) -> dict[str, Tensor]:
        """Mean squared residual of the PDE and of each condition, as a dict of scalars.

        ``batch``: ``"collocation"`` ``[n, d]`` and a :class:`~pinn_lightning.conditions.PointSet`
        per condition (and ``"data"``). The conditions that need derivatives join the PDE's points
        in the derivative operator (FD stencils, or the autograd graph); the others ride along for
        values only: a step makes one network evaluation whatever the operator.
        """
        x = batch["collocation"]
        n = x.shape[0]
        conditions = self.problem.conditions + ((self.data_condition,) if "data" in batch else ())
        with_d = [c for c in conditions if c.needs_derivatives]
        values_only = [c for c in conditions if not c.needs_derivatives]
        points = torch.cat([x] + [batch[c.name].x for c in with_d]) if with_d else x
        extra = torch.cat([batch[c.name].x for c in values_only]) if values_only else None
        d_all = self.derivatives(self, points, mixed=self.problem.mixed_derivatives, extra=extra)
        d = d_all.rows(0, n) if with_d else d_all
        r2 = self.weighted_squared_residual(x, d)  # [n, r]
        if self.causal is not None:
            k = self.problem.time_dim
            pde, self._causal_weight_last = self.causal.loss(x[:, k], r2.reshape(n, -1).mean(1),
                                                             self.problem.lower[k], self.problem.upper[k])  # fmt: skip
            terms = {"pde": pde}
        else:
            terms = {"pde": r2.mean()}
        residuals, start = {}, n
        for c in with_d:
            stop = start + batch[c.name].x.shape[0]
            residuals[c.name], start = c.residual(batch[c.name], d_all.rows(start, stop)), stop
        if values_only:
            sizes = [batch[c.name].x.shape[0] for c in values_only]
            for c, u in zip(values_only, torch.split(d_all.extra, sizes)):
                residuals[c.name] = c.residual(batch[c.name], Values(u, x.shape[1]))
        terms.update({c.name: residuals[c.name].square().mean() for c in conditions})
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

    def set_step(self, step: int) -> None:
        """Bring the schedules that follow the global step to ``step``: the encoding's
        coarse-to-fine levels and the stencils' ``order_switch``."""
        self.network.encoding.set_step(step)
        self.derivatives.set_step(step)

    def weights(self) -> dict[str, float]:
        """Current weight of each loss term: static weight times adaptive factor (reads the device)."""
        if self.loss_weighting is None:
            return self.loss_weights
        factors = dict(zip(self.problem.condition_names, self.adaptive_weights.tolist()))
        return {name: w * factors.get(name, 1.0) for name, w in self.loss_weights.items()}

    def total_loss(self, terms: dict[str, Tensor]) -> Tensor:
        """The weighted sum of the terms; adaptive factors stay on the device (no host read)."""
        if self.loss_weighting is None:
            return sum(self.loss_weights[name] * value for name, value in terms.items())
        factors = dict(zip(self.problem.condition_names, self.adaptive_weights.unbind()))
        return sum(
            self.loss_weights[name] * (factors[name].to(value.dtype) * value if name in factors else value)
            for name, value in terms.items()
        )

    def training_step(self, batch: dict, batch_idx: int) -> Tensor:
        """One optimizer step on one draw (see :meth:`loss_terms`)."""
        loss, terms = self._optimizer_step(batch)
        n = self.trainer.log_every_n_steps
        # Lightning writes on-step values only at multiples of n and each `self.log` costs a few
        # tenths of a millisecond: log only then (the progress bar shows the last logged loss).
        if n > 0 and self.global_step % n == 0:
            self._log_step(loss, terms)
        return loss

    def _optimizer_step(self, batch: dict[str, Tensor]) -> tuple[Tensor, dict[str, Tensor]]:
        """One step of the first-phase optimizer (or of L-BFGS) on one draw; returns the loss and its terms."""
        self.set_step(self.global_step)
        optimizers = self.optimizers()
        first, lbfgs = optimizers if isinstance(optimizers, list) else (optimizers, None)
        if self.lbfgs is not None and self.lbfgs.active(self.global_step):

            def objective() -> tuple[Tensor, dict[str, Tensor]]:
                terms = self.loss_terms(batch)
                return self.total_loss(terms), terms

            loss, terms = self.lbfgs.step(lbfgs, objective, self.manual_backward,
                                          lambda t: self.trainer.strategy.reduce(t, reduce_op="mean"))  # fmt: skip
            self.nonfinite.record(self.global_step, terms, loss)
            self.nonfinite.check()  # L-BFGS has read the loss anyway
        else:
            terms = self.loss_terms(batch)
            names = self.problem.condition_names
            if self.loss_weighting is not None and names and self.loss_weighting.due(self.global_step):
                params = [p for p in self.parameters() if p.requires_grad]
                self.loss_weighting.update(self.adaptive_weights, terms, names, params,
                                           lambda t: self.trainer.strategy.reduce(t, reduce_op="mean"))  # fmt: skip
            loss = self.total_loss(terms)
            self.nonfinite.record(self.global_step, terms, loss)
            if (self.global_step + 1) % self.hparams.nan_check_every == 0:
                self.nonfinite.check()  # before the update
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
        if self.causal is not None:
            self.log("train/causal_weight_last", self._causal_weight_last)
        if self.loss_weighting is not None:
            self.log_dict({f"train/weight_{name}": w for name, w in self.weights().items() if name != "pde"})

    def on_save_checkpoint(self, checkpoint: dict) -> None:
        self.nonfinite.check()  # never write weights that a non-finite step has touched

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

    def on_validation_start(self) -> None:
        self.nonfinite.check()
        self.require_reference()

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
        if self.lbfgs is None:
            return {"optimizer": first, "lr_scheduler": schedulers[0]} if schedulers else first
        return [first, self.lbfgs.optimizer(self.parameters())], schedulers
