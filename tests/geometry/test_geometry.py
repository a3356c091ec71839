"""Geometries: interior points inside and uniform, boundary points on the boundary, uniform by length,
with outward unit normals; boolean combinations; named parts; keyed draws."""

import math

import pytest
import torch

from pinn_lightning.data import PointSampler
from pinn_lightning.geometry import Ball, Box, Disk, Polygon, SpaceTime

L_SHAPE = Polygon([[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]])  # area 3, perimeter 8


def _outward(geometry, x, normal, eps=1e-3):
    """Unit normals, and a small step along them leaves the region while a step against them enters it."""
    torch.testing.assert_close(normal.norm(dim=1), torch.ones(len(x)), rtol=0, atol=1e-5)
    assert not geometry.inside(x + eps * normal).any()
    assert geometry.inside(x - eps * normal).float().mean() > 0.99  # (corners of a polygon excepted)


@pytest.mark.parametrize("geometry, area", [
    (Disk([0.5, -1.0], 2.0), math.pi * 4),
    (L_SHAPE, 3.0),
    (Disk([0.0, 0.0], 1.0) - Disk([0.3, 0.0], 0.4), math.pi * (1 - 0.16)),
    (Box([0, 0], [2, 1]) | Disk([2.0, 0.5], 0.5), 2 + math.pi * 0.25 / 2),
    (Box([-1, -1], [1, 1]) & Disk([1.0, 1.0], 1.0), math.pi / 4),
], ids=["disk", "L", "disk_with_hole", "box_or_disk", "box_and_disk"])  # fmt: skip
def test_interior_points_are_inside_and_uniform(geometry, area):
    for method in ("uniform", "sobol"):
        x = geometry.sample_interior(20000, key=3, sampler=PointSampler(method))
        assert x.shape == (20000, 2) and geometry.inside(x).all()
    # uniform: the share in any sub-box is its area over the region's (checked on the bounding box's quarters)
    x = geometry.sample_interior(40000, key=5)
    lo, hi = (torch.tensor(b) for b in geometry.bounds())
    box_area = (hi - lo).prod().item()
    assert geometry.acceptance_rate() == pytest.approx(area / box_area, abs=0.01)  # Sobol estimate of the area
    mid = (lo + hi) / 2
    grid = PointSampler("sobol").interior(2**18, lo.tolist(), hi.tolist(), key=1)
    for sx in (0, 1):
        for sy in (0, 1):
            quarter = lambda p: ((p[:, 0] > mid[0]) == bool(sx)) & ((p[:, 1] > mid[1]) == bool(sy))  # noqa: E731
            expected = (quarter(grid) & geometry.inside(grid)).float().mean().item() * box_area / area
            assert quarter(x).float().mean().item() == pytest.approx(expected, abs=0.012)


@pytest.mark.parametrize("geometry, length", [
    (Disk([0.5, -1.0], 2.0), 4 * math.pi),
    (L_SHAPE, 8.0),
    (Box([0, 0, 0], [1, 2, 3]), 22.0),
    (Ball([0, 0, 1], 0.5), math.pi),
    (Disk([0.0, 0.0], 1.0) - Disk([0.3, 0.0], 0.4), 2 * math.pi * 1.4),
], ids=["disk", "L", "box3d", "ball", "disk_with_hole"])  # fmt: skip
def test_boundary_points_lie_on_the_boundary_with_outward_normals(geometry, length):
    x, normal = geometry.sample_boundary(4000, key=11)
    assert x.shape == normal.shape == (4000, geometry.dim)
    assert geometry.on_boundary(x, tol=1e-4).all()
    _outward(geometry, x, normal)
    assert geometry.boundary_measure() == pytest.approx(length, rel=0.01)


def test_boundary_points_are_uniform_by_length_across_parts_and_shapes():
    # disk of radius 1 with a hole of radius 0.4: the hole holds 0.4 / 1.4 of the boundary
    ring = Disk([0.0, 0.0], 1.0) - Disk([0.3, 0.0], 0.4)
    x, normal = ring.sample_boundary(40000, key=2)
    on_hole = (x - torch.tensor([0.3, 0.0])).norm(dim=1) < 0.5
    assert on_hole.float().mean().item() == pytest.approx(0.4 / 1.4, abs=0.01)
    # the hole's normals point into the hole (out of the ring): towards its centre
    towards = (torch.tensor([0.3, 0.0]) - x[on_hole]) / 0.4
    torch.testing.assert_close(normal[on_hole], towards, rtol=0, atol=1e-4)
    # along an L's edges: the edge x = 2 (length 1) holds 1/8
    x, _ = L_SHAPE.sample_boundary(40000, key=4)
    assert ((x[:, 0] - 2).abs() < 1e-6).float().mean().item() == pytest.approx(1 / 8, abs=0.006)
    # angles on a circle are uniform: each quadrant a quarter
    x, _ = Disk([0.0, 0.0], 1.0).sample_boundary(40000, key=6)
    quadrant = (x[:, 0] > 0).long() * 2 + (x[:, 1] > 0).long()
    torch.testing.assert_close(torch.bincount(quadrant).float() / 40000, torch.full((4,), 0.25), rtol=0, atol=0.01)


def test_named_parts_select_boundary_points():
    channel = Box([0.0, 0.0], [2.2, 0.41]) - Disk([0.2, 0.2], 0.05)
    channel.parts["cylinder"] = lambda x: (x - torch.tensor([0.2, 0.2])).norm(dim=1) < 0.051
    channel.parts["walls"] = lambda x: (x[:, 1] <= 1e-6) | (x[:, 1] >= 0.41 - 1e-6)
    inlet, normal = channel.sample_boundary(500, key=1, part="x_min")
    assert (inlet[:, 0] == 0).all() and (normal == torch.tensor([-1.0, 0.0])).all()
    cylinder, normal = channel.sample_boundary(500, key=1, part="cylinder")
    torch.testing.assert_close((cylinder - torch.tensor([0.2, 0.2])).norm(dim=1), torch.full((500,), 0.05), rtol=0, atol=1e-6)
    _outward(channel, cylinder, normal, eps=1e-3)
    walls, normal = channel.sample_boundary(500, key=1, part="walls")
    assert (normal[:, 0] == 0).all() and ((walls[:, 1] == 0) == (normal[:, 1] == -1)).all()
    with pytest.raises(ValueError, match="no boundary part 'outflow'"):
        channel.sample_boundary(10, key=0, part="outflow")


def test_draws_are_keyed_and_a_small_target_warns():
    disk = Disk([0.0, 0.0], 1.0)
    assert torch.equal(disk.sample_interior(100, key=7), disk.sample_interior(100, key=7))
    assert not torch.equal(disk.sample_interior(100, key=7), disk.sample_interior(100, key=8))
    corner = Box([0.0, 0.0], [10.0, 10.0]) & Disk([10.0, 10.0], 0.5)  # its bounding box is the overlap: 79 % accepted
    needle = Box([0.0, 0.0], [10.0, 10.0]) - Box([0.0, 0.0], [9.9, 10.0])  # 1 % of its bounding box
    with pytest.warns(UserWarning, match="of interior candidates are accepted"):
        x = needle.sample_interior(200, key=1)
    assert needle.inside(x).all() and corner.inside(corner.sample_interior(50, key=2)).all()


def test_a_time_interval_extends_a_shape():
    ring = SpaceTime(Disk([0.0, 0.0], 1.0) - Disk([0.0, 0.0], 0.5), 0.0, 2.0)
    assert ring.bounds() == ([-1.0, -1.0, 0.0], [1.0, 1.0, 2.0])
    x = ring.sample_interior(5000, key=1)
    assert ring.inside(x).all() and x[:, 2].mean().item() == pytest.approx(1.0, abs=0.03)
    b, normal = ring.sample_boundary(5000, key=2)
    radius = b[:, :2].norm(dim=1)
    assert (((radius - 1).abs() < 1e-5) | ((radius - 0.5).abs() < 1e-5)).all() and (normal[:, 2] == 0).all()
    assert ((radius < 0.75).float().mean().item()) == pytest.approx(1 / 3, abs=0.02)  # the hole: 0.5 / 1.5 of the length
    assert ring.boundary_measure() == pytest.approx(2 * math.pi * 1.5 * 2, rel=0.01)
    initial = ring.sample_initial(100, key=3)
    assert (initial[:, 2] == 0).all() and ring.space.inside(initial[:, :2]).all()
    with pytest.raises(ValueError, match="t0 < t1"):
        SpaceTime(Disk([0, 0], 1), 1.0, 1.0)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="radius must be > 0"):
        Disk([0, 0], 0)
    with pytest.raises(ValueError, match="at least 3 vertices"):
        Polygon([[0, 0], [1, 1]])
    with pytest.raises(ValueError, match="enclose no area"):
        Polygon([[0, 0], [1, 1], [2, 2]])
    with pytest.raises(ValueError, match="lower < upper"):
        Box([0, 1], [1, 0])
    with pytest.raises(ValueError, match="cannot combine a 2-D and a 3-D"):
        Disk([0, 0], 1) | Ball([0, 0, 0], 1)
