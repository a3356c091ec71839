"""HashGridEncoding: weights, continuity, indexing, gradients, and the second-derivative pitfall."""

import pytest
import torch

from pinn_lightning import HashGridEncoding


def make(dim=2, **kw):
    args = dict(n_levels=4, n_features=2, log2_table_size=10, base_resolution=4, finest_resolution=32)
    args.update(kw)
    return HashGridEncoding(in_dim=dim, **args).double()


@pytest.mark.parametrize("interpolation", ["linear", "smoothstep"])
@pytest.mark.parametrize("dim", [1, 2, 3, 4])
def test_weights_sum_to_one(interpolation, dim):
    enc = make(dim, interpolation=interpolation)
    z = torch.rand(200, dim, dtype=torch.float64) * 1.04 - 0.02  # slightly outside [0, 1] too
    _, w = enc.corner_indices(z)
    assert w.shape == (2**dim, 4, 200)
    torch.testing.assert_close(w.sum(0), torch.ones(4, 200, dtype=torch.float64), rtol=0, atol=1e-12)


def test_level_resolutions_span_min_to_max():
    enc = make(2, n_levels=16, base_resolution=16, finest_resolution=512)
    assert enc.resolutions[0] == (16, 16) and enc.resolutions[-1] == (512, 512)
    assert all(b[0] > a[0] for a, b in zip(enc.resolutions, enc.resolutions[1:]))


def test_per_input_resolutions_grow_at_their_own_rate():
    """x: 4 -> 1024, t: 4 -> 64 over 5 levels, i.e. b = 4 and 2."""
    enc = make(2, n_levels=5, base_resolution=4, finest_resolution=[1024, 64])
    assert enc.resolutions == [(4, 4), (16, 8), (64, 16), (256, 32), (1024, 64)]
    torch.testing.assert_close(enc.finest_cell_size(), torch.tensor([1 / 1024, 1 / 64], dtype=torch.float64))
    with pytest.raises(ValueError, match="2 values per level, but the problem has 3 inputs"):
        make(3, base_resolution=4, finest_resolution=[64, 16])
    with pytest.raises(ValueError, match="same number of values"):
        HashGridEncoding(base_resolution=[4, 4, 4], finest_resolution=[64, 16])
    with pytest.raises(ValueError, match=r"finest_resolution \(2\) must be >= base_resolution \(4\)"):
        HashGridEncoding(base_resolution=4, finest_resolution=[64, 2])


def test_dense_and_hashed_levels_chosen_and_indexed_correctly():
    enc = make(2, n_levels=6, log2_table_size=8, base_resolution=4, finest_resolution=64)
    sizes = enc.level_table_sizes()
    for level, (res, _) in enumerate(enc.resolutions):
        side = res + 3
        dense = side**2 <= 2**8
        assert (level < enc.n_dense_levels) == dense
        assert sizes[level] == (side**2 if dense else 2**8)
    # Every vertex of a dense level owns its own row; hashed rows stay inside the level's block.
    offsets = enc.level_offsets.tolist()
    for level, (res, _) in enumerate(enc.resolutions):
        ticks = (torch.arange(-1, res + 1, dtype=torch.float64) + 0.5) / res  # one point per padded cell
        z = torch.stack(torch.meshgrid(ticks, ticks, indexing="ij"), -1).reshape(-1, 2)
        rows, _ = enc.corner_indices(z)
        rows = rows[0, level]  # lower-left corner of each cell
        assert rows.min() >= offsets[level] and rows.max() < offsets[level] + sizes[level]
        if level < enc.n_dense_levels:
            assert rows.unique().numel() == rows.numel()
    assert enc.n_dense_levels < enc.n_levels  # the finest level here must hash


@pytest.mark.parametrize("dim,finest", [(1, 9), (2, 9), (3, 9), (2, [12, 3]), (3, [3, 9, 6])])
def test_linear_interpolation_reproduces_a_linear_function(dim, finest):
    """Set every vertex value to an affine function of its position: the encoding returns it exactly.

    Vertex ``v`` of a level with resolutions ``N`` sits at ``z_i = v_i / N_i`` and owns row
    ``offset + sum_i (v_i + 1) * prod_{j<i} (N_j + 3)``; anisotropic grids check both.
    """
    enc = make(dim, n_levels=3, n_features=1, log2_table_size=16, base_resolution=3, finest_resolution=finest)
    assert enc.n_dense_levels == enc.n_levels
    coef = torch.tensor([0.7, -1.3, 2.1, 0.4][:dim], dtype=torch.float64)
    with torch.no_grad():
        for level, res in enumerate(enc.resolutions):
            off, stride = enc.level_offsets[level].item(), 1
            rows = torch.zeros((), dtype=torch.long)
            for r in res:  # row of every vertex, [res_0 + 3, ..., res_{d-1} + 3]
                rows = rows[..., None] + torch.arange(r + 3) * stride
                stride *= r + 3
            ticks = [torch.arange(-1, r + 2, dtype=torch.float64) / r for r in res]
            pos = torch.stack(torch.meshgrid(*ticks, indexing="ij"), -1)
            enc.embeddings[0, off + rows.reshape(-1)] = (  # rows and pos both indexed [v_0, v_1, ...]
                (pos * coef).sum(-1).reshape(-1) + 0.25
            )
    z = torch.rand(300, dim, dtype=torch.float64) * 1.1 - 0.05
    expected = (z * coef).sum(-1, keepdim=True) + 0.25
    torch.testing.assert_close(enc(z), expected.expand(-1, 3), rtol=0, atol=1e-12)


@pytest.mark.parametrize("interpolation", ["linear", "smoothstep"])
def test_continuous_across_cell_faces(interpolation):
    enc = make(2, interpolation=interpolation, init_scale=1.0)
    res = enc.resolutions[-1][0]
    faces = torch.tensor([[7.0 / res, 0.31], [0.52, 12.0 / res], [20.0 / res, 9.0 / res]], dtype=torch.float64)
    for eps in (1e-6, 1e-9):
        for axis in (0, 1):
            shift = torch.zeros(2, dtype=torch.float64)
            shift[axis] = eps
            jump = (enc(faces + shift) - enc(faces - shift)).abs().max().item()
            assert jump < 50 * res * eps  # Lipschitz with the cell-scale slope, no jump


@pytest.mark.parametrize("interpolation", ["linear", "smoothstep"])
def test_gradcheck_float64(interpolation):
    enc = make(2, interpolation=interpolation, init_scale=1.0)
    # Points away from cell faces (linear interpolation is not differentiable on them).
    z = ((torch.rand(6, 2, dtype=torch.float64) * 0.8 + 0.1) * 4).floor() / 4 + 0.11
    z.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda p, e: enc._forward_with(p, e), (z, enc.embeddings))


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_sorted_table_gradient_equals_the_scatter(dtype):
    """The deterministic (sorted, segment-summed) table gradient is the scatter's, on dense and hashed
    levels, with many points per cell (rows shared by hundreds of points), and passes gradcheck."""
    sums = {}
    for mode in ("index_add", "sorted"):
        torch.manual_seed(0)
        enc = make(3, log2_table_size=10, table_gradient=mode).to(dtype)  # level 0 dense (7^3 rows), the rest hashed
        assert 0 < enc.n_dense_levels < enc.n_levels
        z = torch.rand(3000, 3, dtype=dtype)
        (enc(z).sin() * torch.linspace(-1, 1, enc.out_dim, dtype=dtype)).sum().backward()
        sums[mode] = enc.embeddings.grad
    assert sums["index_add"].abs().max() > 1  # rows really are shared
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == torch.float64 else dict(rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(sums["sorted"], sums["index_add"], **tol)
    enc = make(2, table_gradient="sorted")
    z = torch.rand(30, 2, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda e: enc._forward_with(z, e), (enc.embeddings,))


def test_hash_matches_instant_ngp_uint32_hash():
    """int32 wrap-around hashing equals the 64-bit XOR-of-primes hash modulo 2^T."""
    enc = make(3, n_levels=2, log2_table_size=12, base_resolution=200, finest_resolution=300)
    assert enc.n_dense_levels == 0
    z = torch.rand(500, 3, dtype=torch.float64)
    rows, _ = enc.corner_indices(z)
    primes = (1, 2654435761, 805459861)
    for level, res in enumerate(enc.resolutions):
        cell = torch.floor(z * torch.tensor(res, dtype=torch.float64)).long()
        for corner in range(8):
            bits = [(corner >> (2 - i)) & 1 for i in range(3)]  # first dimension slowest
            h = torch.zeros(500, dtype=torch.long)
            for i in range(3):
                h ^= (cell[:, i] + bits[i]) * primes[i]
            expected = (h % 2**12) + enc.level_offsets[level].item()
            assert torch.equal(rows[corner, level].long(), expected)


def test_smoothstep_autograd_second_derivative_is_correct():
    """Double backward through the custom interpolation: compare with differences of the gradient."""
    enc = make(2, interpolation="smoothstep", init_scale=1.0)
    z = torch.rand(20, 2, dtype=torch.float64) * 0.8 + 0.1
    f = lambda p: torch.tanh(enc(p)).sum(-1)  # noqa: E731

    def first(p):
        p = p.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(f(p).sum(), p, create_graph=True)
        return p, g

    p, g = first(z)
    (h,) = torch.autograd.grad(g[:, 0].sum(), p)
    eps = 1e-6
    _, gp = first(z + torch.tensor([eps, 0.0], dtype=torch.float64))
    _, gm = first(z - torch.tensor([eps, 0.0], dtype=torch.float64))
    fd = (gp[:, 0] - gm[:, 0]) / (2 * eps)
    inside = ((z[:, 0] * torch.tensor(enc.resolutions)[:, 0, None]).frac() - 0.5).abs().max(0).values < 0.49
    torch.testing.assert_close(h[inside, 0], fd[inside].detach(), rtol=1e-5, atol=1e-5)
    # and the table can be trained through the second derivative: gradcheck of theta -> u_zz
    small = make(2, n_levels=2, log2_table_size=6, base_resolution=2, finest_resolution=3,
                 interpolation="smoothstep", init_scale=1.0)
    zs = torch.rand(5, 2, dtype=torch.float64) * 0.8 + 0.1

    def u_zz(table):
        p = zs.clone().requires_grad_(True)
        u = torch.tanh(small._forward_with(p, table)).sum()
        (g,) = torch.autograd.grad(u, p, create_graph=True)
        (h,) = torch.autograd.grad(g[:, 0].sum(), p, create_graph=True)
        return h[:, 0]

    table = small.embeddings.detach().clone().requires_grad_(True)
    assert torch.autograd.gradcheck(u_zz, (table,))


def test_linear_grid_has_zero_second_derivative_inside_cells_smoothstep_does_not():
    """The pitfall behind the paper: autograd u_xx of a linear hash grid vanishes."""
    z = torch.rand(64, 2, dtype=torch.float64)
    for interpolation, is_zero in (("linear", True), ("smoothstep", False)):
        enc = make(2, interpolation=interpolation, init_scale=1.0)
        zz = z.clone().requires_grad_(True)
        y = enc(zz).sum()
        (g,) = torch.autograd.grad(y, zz, create_graph=True)
        (h,) = torch.autograd.grad(g[:, 0].sum(), zz, allow_unused=True, materialize_grads=True)
        second = h[:, 0].abs().max().item()
        # Linear: zero up to rounding in the product-rule backward (the first derivative is O(1)).
        assert (second < 1e-9) if is_zero else (second > 1e-1), (interpolation, second)


def test_rejects_bad_configuration():
    with pytest.raises(ValueError, match="table_gradient must be 'auto', 'index_add' or 'sorted'"):
        make(2, table_gradient="atomic")
    with pytest.raises(ValueError, match="finest_resolution"):
        HashGridEncoding(base_resolution=64, finest_resolution=16)
    with pytest.raises(ValueError, match="log2_table_size"):
        HashGridEncoding(log2_table_size=40)
    with pytest.raises(ValueError, match="interpolation"):
        HashGridEncoding(interpolation="cubic")
    with pytest.raises(ValueError, match="in_dim 1..4"):
        HashGridEncoding(in_dim=5)
    enc = HashGridEncoding(in_dim=2)
    with pytest.raises(ValueError, match="built for in_dim=2"):
        enc.bind(3)


def test_coarse_to_fine_masks_fine_levels_and_coarsens_the_finest_cell():
    enc = make(2, n_levels=4, coarse_to_fine_steps=10, initial_levels=2, init_scale=1.0)
    z = torch.rand(30, 2, dtype=torch.float64)
    feats = enc(z).view(30, 2, 4)  # [n, F, L]
    assert feats[..., 2:].abs().max() == 0 and feats[..., :2].abs().min() > 0
    assert enc.finest_cell_size().tolist() == [1.0 / r for r in enc.resolutions[1]]
    enc.set_step(25)  # 2 + 25 // 10 = 4 levels
    assert int(enc.active_levels) == 4 and enc.finest_cell_size().tolist() == [1.0 / r for r in enc.resolutions[-1]]
    assert enc(z).view(30, 2, 4)[..., 3].abs().min() > 0
    # the state travels with the checkpoint
    fresh = make(2, n_levels=4, coarse_to_fine_steps=10, initial_levels=2)
    fresh.load_state_dict(enc.state_dict())
    assert int(fresh.active_levels) == 4
    assert fresh.finest_cell_size().tolist() == [1.0 / r for r in enc.resolutions[-1]]  # the host's copy too
    torch.testing.assert_close(fresh(z), enc(z), rtol=0, atol=0)
