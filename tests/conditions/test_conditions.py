"""Conditions: each residual vanishes on the field it describes and not on others; FD at boundary
points keeps its order; one network evaluation per step; bad conditions fail early."""

import math

import pytest
import torch

from pinn_lightning import (
    AutogradDerivatives,
    CollocationDataModule,
    FiniteDifferenceDerivatives,
    HashGridEncoding,
    HeatPlate2D,
    PINNModule,
    Problem,
)
from pinn_lightning.conditions import Dirichlet, Initial, Neumann, Operator, Periodic, PointData, PointSet, Robin
from pinn_lightning.geometry import Box, Disk, SpaceTime

torch.set_default_dtype(torch.float32)


def _sample(condition, geometry, n=200, key=0):
    p = condition.sample(geometry, n, key)
    return PointSet(p.x.double(), None if p.normal is None else p.normal.double(), p.values)


def _residual(condition, geometry, field, operator=None, n=200):
    p = _sample(condition, geometry, n)
    return condition.residual(p, (operator or AutogradDerivatives())(field, p.x))


def _perturbed(field):
    return lambda x: field(x) + 0.1 * (1 + x[:, :1] * x[:, 1:2] + x[:, 1:2])


def test_heat_plate_conditions_hold_on_the_exact_solution_only():
    p = HeatPlate2D(a=2.0, biot=1.5)
    for c in p.conditions:
        assert _residual(c, p.geometry, p.solution).abs().max() < 1e-10, c
        assert _residual(c, p.geometry, _perturbed(p.solution)).abs().max() > 1e-2, c
    x = torch.rand(100, 2, dtype=torch.float64)
    assert p.residual(x, AutogradDerivatives()(p.solution, x)).abs().max() < 1e-10


def test_robin_and_neumann_use_the_outward_normal_of_a_curved_boundary():
    disk = Disk((0.3, -0.2), 0.7)
    field = lambda x: (x - x.new_tensor([0.3, -0.2])).square().sum(1, keepdim=True)  # r^2: du/dn = 2r on the circle
    # the points and normals are float32: on the circle to ~1e-7
    assert _residual(Neumann(2 * 0.7), disk, field).abs().max() < 1e-6
    assert _residual(Neumann(-2 * 0.7), disk, field).abs().max() > 1  # an inward normal would give this
    assert _residual(Robin(a=3.0, b=0.5, g=3.0 * 0.49 + 0.5 * 1.4), disk, field).abs().max() < 1e-6


@pytest.mark.parametrize("order, expected", [(2, 4.0), (4, 16.0)])
def test_finite_differences_at_boundary_points_keep_their_order(order, expected):
    """The stencils of a boundary point step outside the domain (onto the hash grid's padding in
    training); on a smooth field the Neumann and Robin residuals fall as h^order."""
    p = HeatPlate2D(a=2.0)
    for c in p.conditions:
        if not c.needs_derivatives:
            continue
        errors = [_residual(c, p.geometry, p.solution, FiniteDifferenceDerivatives(step=h, order=order)).abs().max().item()
                  for h in (0.02, 0.01)]  # fmt: skip
        if c.name == "symmetry":  # u_y = 0 at y = 0 and the central stencil of an even field is exact
            assert max(errors) < 1e-12
            continue
        assert errors[0] / errors[1] == pytest.approx(expected, rel=0.1), (c, errors)


def test_periodic_pairs_values_and_derivatives():
    box = Box((-1.0, 0.0), (1.0, 1.0))
    c = Periodic(offset=(2.0, 0.0), on="x_min")
    p = _sample(c, box, 50)
    assert torch.equal(p.x[50:, 0], torch.ones(50, dtype=torch.float64)) and torch.equal(p.x[:50, 1], p.x[50:, 1])
    periodic = lambda x: torch.sin(math.pi * x[:, :1]) * (1 + x[:, 1:2])
    assert _residual(c, box, periodic, n=50).abs().max() < 1e-12
    values_only = lambda x: torch.cos(math.pi * x[:, :1] / 2)  # equal values at x = +-1, slopes +-pi/2
    r = _residual(c, box, values_only, n=50)
    assert r[:, 0].abs().max() < 1e-12 and r[:, 1].abs().min().item() == pytest.approx(math.pi, rel=1e-9)
    assert Periodic(offset=(2.0, 0.0), on="x_min", derivatives=False).needs_derivatives is False


def test_initial_condition_with_velocity():
    geometry = SpaceTime(Box((0.0,), (1.0,)), 0.0, 2.0)
    field = lambda x: torch.sin(math.pi * x[:, :1]) * (torch.cos(x[:, 1:]) + 2 * torch.sin(x[:, 1:]))
    value = lambda x: torch.sin(math.pi * x[:, :1])
    good = Initial(value, velocity=lambda x: 2 * torch.sin(math.pi * x[:, :1]))
    assert good.needs_derivatives and _sample(good, geometry).x[:, 1].eq(0).all()
    assert _residual(good, geometry, field).abs().max() < 1e-12
    assert _residual(Initial(value, velocity=0.0), geometry, field).abs().max() > 1
    assert not Initial(value).needs_derivatives


def test_point_data_and_operator():
    x = torch.rand(30, 2, dtype=torch.float64)
    field = lambda x: torch.cat([x[:, :1] * 2, x[:, 1:] ** 2], 1)
    data = PointData(x, x[:, 1] ** 2, components=[1])
    shares = [data.sample(None, 0, 0, rank=r, world_size=3) for r in range(3)]
    assert sum(s.x.shape[0] for s in shares) == 30
    assert data.residual(shares[0], AutogradDerivatives()(field, shares[0].x.double())).abs().max() < 1e-6
    op = Operator(lambda x, d, normal: d.grad(0)[:, :1] - 2.0, on="x_max")
    assert _residual(op, Box((0.0, 0.0), (1.0, 1.0)), field).abs().max() < 1e-12


class _Plate(Problem):
    input_names = ("x", "y")

    def __init__(self, conditions):
        super().__init__(lower=(0.0, 0.0), upper=(1.0, 1.0))
        self._given = conditions

    def residual(self, x, d):
        return d.laplacian()

    def define_conditions(self):
        return self._given


@pytest.mark.parametrize(
    "conditions, message",
    [
        ([Dirichlet(0.0, name="a"), Neumann(0.0, name="a")], "condition names must differ"),
        ([Dirichlet(0.0, on="inlet")], "no boundary part 'inlet'"),
        ([Dirichlet(0.0, components=[3])], "components must lie in 0..0"),
        ([Initial(0.0)], "needs a time-dependent problem"),
    ],
)
def test_bad_conditions_fail_when_the_problem_is_built(conditions, message):
    with pytest.raises(ValueError, match=message):
        PINNModule(_Plate(conditions))


def test_bad_condition_arguments():
    with pytest.raises(ValueError, match="condition name"):
        Dirichlet(0.0, name="pde")
    with pytest.raises(ValueError, match="points must be a positive integer"):
        Neumann(0.0, points=0)
    with pytest.raises(ValueError, match="a != 0 or b != 0"):
        Robin(a=0.0, b=0.0)
    with pytest.raises(ValueError, match="offset must be nonzero"):
        Periodic(offset=(0.0, 0.0), on="x_min")


def test_a_step_evaluates_the_network_once_and_each_condition_is_its_term():
    """Neumann and Robin points join the PDE's stencils; Dirichlet points ride along as values; each
    condition draws its own count (``points``) or the data module's default."""
    torch.manual_seed(0)
    p = HeatPlate2D()
    p._conditions = None
    p.define_conditions = lambda: [
        Dirichlet(p.solution, name="hot", on="x_min", points=12),
        Neumann(lambda x: 2 * math.e**2 * torch.cos(2 * x[:, 1:2]), name="flux", on="x_max"),
        Robin(a=1.0, b=1.0, g=lambda x: torch.exp(2 * x[:, :1]) * (math.cos(2.0) - 2 * math.sin(2.0)), name="cooling", on="y_max"),
    ]
    fd = FiniteDifferenceDerivatives()
    m = PINNModule(p, HashGridEncoding(n_levels=4, base_resolution=4, finest_resolution=16), derivatives=fd,
                   loss_weights={"flux": 3.0})  # fmt: skip
    batch = CollocationDataModule(n_collocation=64, n_boundary=20).sample_batch(p, 0)
    assert [batch[n].x.shape[0] for n in ("hot", "flux", "cooling")] == [12, 20, 20]
    assert (batch["flux"].x[:, 0] == 1).all() and torch.equal(batch["flux"].normal, torch.tensor([[1.0, 0.0]]).expand(20, 2))
    calls = []
    m.network.register_forward_hook(lambda mod, inp, out: calls.append(inp[0].shape[0]))
    terms = m.loss_terms(batch)
    assert calls == [(64 + 20 + 20) * 5 + 12]
    assert list(terms) == ["pde", "hot", "flux", "cooling"]
    calls.clear()
    for name in ("flux", "cooling"):
        pts = batch[name]
        expected = p.condition(name).residual(pts, fd(m, pts.x)).square().mean()
        torch.testing.assert_close(terms[name], expected)
    torch.testing.assert_close(terms["hot"], (m(batch["hot"].x) - p.solution(batch["hot"].x)).square().mean())
    torch.testing.assert_close(terms["pde"], p.residual(batch["collocation"], fd(m, batch["collocation"])).square().mean())
    total = m.total_loss(terms)
    torch.testing.assert_close(total, terms["pde"] + terms["hot"] + 3 * terms["flux"] + terms["cooling"])
    total.backward()
    assert m.network.encoding.embeddings.grad.abs().sum() > 0
