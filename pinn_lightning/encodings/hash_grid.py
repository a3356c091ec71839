"""Multi-resolution hash encoding (Müller et al. 2022, Instant-NGP) in pure PyTorch."""

from __future__ import annotations

import itertools
import math
from typing import Literal

import torch
from torch import Tensor, nn

from .base import Encoding

# Instant-NGP's spatial-hash primes; the first is 1 so that consecutive x indices stay local.
_PRIMES = (1, 2654435761, 805459861, 3674653429)
_MAX_DIM = len(_PRIMES)


def _as_int32(value: int) -> int:
    """``value`` as the int32 with the same low 32 bits (for wrap-around hashing)."""
    value &= 0xFFFFFFFF
    return value - 2**32 if value >= 2**31 else value


def scatter_add_rows(n_rows: int, rows: Tensor, values: Tensor, deterministic: bool) -> Tensor:
    """``out[:, r] = sum of values[:, i] over i with rows[i] == r``: ``[F, M]`` values, ``[M]`` rows -> ``[F, n_rows]``.

    ``deterministic=False``: one ``index_add_`` (on a GPU it adds atomically, in no fixed order,
    so the float sums differ from run to run). ``deterministic=True``: the rows are sorted
    (stable) and each row's values summed in that fixed order by ``segment_reduce``; the offsets
    come from ``searchsorted`` against every row, so shapes stay static and nothing waits on
    the host. On CPU both are deterministic; ``index_add_`` is the faster there.
    """
    if not deterministic:
        return values.new_zeros(values.shape[0], n_rows).index_add_(1, rows, values)
    order = torch.argsort(rows, stable=True)
    offsets = torch.searchsorted(rows[order], torch.arange(n_rows + 1, device=rows.device, dtype=rows.dtype))
    return torch.segment_reduce(values[:, order].t(), "sum", offsets=offsets, axis=0, unsafe=True).t()


class _InterpolateRows(torch.autograd.Function):
    """``out[f, l, n] = sum_c weights[c, l, n] * table[f, rows[c, l, n]]`` with a scatter backward.

    The layout (features, corners and levels outermost, points innermost) keeps every
    elementwise op contiguous or broadcast over leading dimensions only, which CPU kernels
    vectorise; gathering with int32 rows and scattering the table gradient with one
    :func:`scatter_add_rows` avoids the sort that autograd through indexing does. The backward
    is built from differentiable ops, so autograd derivatives of the encoding (smoothstep) can
    themselves be trained through.
    """

    @staticmethod
    def forward(ctx, table: Tensor, rows: Tensor, weights: Tensor, deterministic: bool) -> Tensor:
        # table [F, R], rows [C, L, n] int32, weights [C, L, n] -> [F, L, n]
        feats = table.index_select(1, rows.reshape(-1)).view(table.shape[0], *rows.shape)  # [F, C, L, n]
        ctx.save_for_backward(table, rows, weights)
        ctx.deterministic = deterministic
        out = feats[:, 0] * weights[0]  # accumulated corner by corner: no [F, C, L, n] product
        for c in range(1, rows.shape[0]):
            out.addcmul_(feats[:, c], weights[c])
        return out

    @staticmethod
    def backward(ctx, grad_out: Tensor) -> tuple[Tensor | None, None, Tensor | None, None]:
        table, rows, weights = ctx.saved_tensors
        n_feat = table.shape[0]
        grad_table = grad_weights = None
        # The encoding's [n, F * L] output is a transposed view of [F, L, n], so the incoming
        # gradient is strided; one contiguous copy makes the products below plain vector loops.
        grad_out = grad_out.contiguous()
        if ctx.needs_input_grad[0]:
            grad_feats = weights * grad_out[:, None]  # [F, C, L, n]
            # int64 rows: with int32 ones index_add_ cost ~5 ms more per Burgers step (torch 2.13, CPU)
            grad_table = scatter_add_rows(
                table.shape[1], rows.reshape(-1).long(), grad_feats.reshape(n_feat, -1), ctx.deterministic
            )
        if ctx.needs_input_grad[2]:
            feats = table.index_select(1, rows.reshape(-1)).view(n_feat, *rows.shape)
            grad_weights = (feats * grad_out[:, None]).sum(0)  # [C, L, n]
        return grad_table, None, grad_weights, None


def _corner_combine(pairs: list[Tensor], op) -> Tensor:
    """Combine per-dimension ``[2, ...]`` (lower, upper) stacks into all ``2^d`` corners, ``[C, ...]``.

    Corners come in ``itertools.product((0, 1), repeat=d)`` order (first dimension slowest);
    each dimension is one broadcast ``op`` of the corners so far with its pair.
    """
    corners = pairs[0]
    for pair in pairs[1:]:
        corners = op(corners[:, None], pair[None]).reshape(-1, *pair.shape[1:])
    return corners


class HashGridEncoding(Encoding):
    r"""Multi-resolution hash encoding with d-linear or smoothstep interpolation.

    Level :math:`l = 0..L-1` is a grid of resolution
    :math:`N_{l,i} = \lfloor N_{\min,i}\, b_i^{l} \rfloor`,
    :math:`b_i = (N_{\max,i}/N_{\min,i})^{1/(L-1)}`, along input :math:`i` of :math:`[0, 1]^d`;
    the resolutions are the same along every input unless given per input (anisotropic grids,
    e.g. fine in x and coarse in t for a stationary shock). Each vertex owns ``n_features``
    trainable values; a point's feature at level :math:`l` is the interpolation of its cell's
    :math:`2^d` corner values

    .. math::
        f_l(z) = \sum_{c \in \{0,1\}^d} \prod_{i=1}^{d} w(s_i)^{c_i}\,(1 - w(s_i))^{1-c_i}\;
                 \theta_l[\mathrm{index}_l(\lfloor N_l z \rfloor + c)],

    with :math:`s = N_l z - \lfloor N_l z \rfloor` and :math:`w(s) = s` (linear) or
    :math:`w(s) = 3s^2 - 2s^3` (smoothstep, C¹ in z, so autograd second derivatives are
    non-zero inside cells). Levels whose vertices fit in the table
    (``prod_i (N_{l,i} + 3) <= 2^T``) are indexed densely (no collisions); finer levels use the
    XOR-of-primes spatial hash modulo :math:`2^T`. The grid is padded by one vertex on each side,
    so that finite-difference stencil points up to one cell outside :math:`[0, 1]^d` still
    interpolate inside a real cell.

    The output holds every level's features: shape ``[n, F * L]`` (feature-major).

    Args:
        n_levels: number of resolution levels ``L``.
        n_features: features per level and vertex ``F``.
        log2_table_size: ``T``, the per-level table holds at most ``2**T`` rows.
        base_resolution: coarsest resolution ``N_min`` (cells per unit length), one value or one
            per input.
        finest_resolution: finest resolution ``N_max``, one value or one per input; ignored when
            ``per_level_scale`` is set.
        per_level_scale: growth factor ``b`` between levels (every input); derived from
            ``finest_resolution`` when ``None``.
        interpolation: ``"linear"`` (the paper; pair it with finite differences) or
            ``"smoothstep"`` (usable with autograd derivatives).
        init_scale: table entries start uniform in ``[-init_scale, init_scale]``.
        coarse_to_fine_steps: if > 0, training starts with ``initial_levels`` active levels
            (finer levels output zeros) and activates one more level every this many steps. The
            finest *active* cell is what finite differences take as their step, so the step
            shrinks with the grid: early steps see a smooth, coarse problem.
        initial_levels: levels active at step 0 when ``coarse_to_fine_steps > 0``.
        table_gradient: how the backward sums the table gradient over the points that share a
            row: ``"index_add"`` (one scatter; atomic, in no fixed order, on a GPU),
            ``"sorted"`` (rows sorted, each row summed in a fixed order: the same seed gives
            bitwise the same run on a GPU) or ``"auto"`` (``"sorted"`` off the CPU,
            ``"index_add"`` on it, where it is deterministic and faster).
        in_dim: input dimension (1 to 4); left ``None`` it is taken from the problem.
    """

    def __init__(
        self,
        n_levels: int = 16,
        n_features: int = 2,
        log2_table_size: int = 16,
        base_resolution: int | list[int] = 16,
        finest_resolution: int | list[int] = 256,
        per_level_scale: float | None = None,
        interpolation: Literal["linear", "smoothstep"] = "linear",
        init_scale: float = 1e-4,
        coarse_to_fine_steps: int = 0,
        initial_levels: int = 1,
        table_gradient: Literal["auto", "index_add", "sorted"] = "auto",
        in_dim: int | None = None,
    ) -> None:
        if not 1 <= n_levels <= 64:
            raise ValueError(f"n_levels must be in [1, 64], got {n_levels}")
        if not 1 <= n_features <= 64:
            raise ValueError(f"n_features must be in [1, 64], got {n_features}")
        if not 4 <= log2_table_size <= 26:
            raise ValueError(
                f"log2_table_size must be in [4, 26] (2**26 rows per level is ~0.5 GB at F=2), "
                f"got {log2_table_size}"
            )
        base = [base_resolution] if isinstance(base_resolution, int) else list(base_resolution)
        finest = [finest_resolution] if isinstance(finest_resolution, int) else list(finest_resolution)
        if not base or min(base) < 1:
            raise ValueError(
                f"base_resolution must be >= 1 (one value or one per input), got {base_resolution}"
            )
        if per_level_scale is None:
            if len(base) > 1 and len(finest) > 1 and len(base) != len(finest):
                raise ValueError(
                    f"base_resolution {base_resolution} and finest_resolution {finest_resolution} "
                    f"must give one value each or the same number of values"
                )
            n = max(len(base), len(finest))
            base, finest = base * (n // len(base)), finest * (n // len(finest))
            for lo, hi in zip(base, finest):
                if hi < lo:
                    raise ValueError(f"finest_resolution ({hi}) must be >= base_resolution ({lo})")
            # Per-input growth factors: b_i = (N_max,i / N_min,i)^(1 / (L - 1)).
            scales = [
                math.exp(math.log(hi / lo) / (n_levels - 1)) if n_levels > 1 else 1.0
                for lo, hi in zip(base, finest)
            ]
        elif per_level_scale < 1.0:
            raise ValueError(f"per_level_scale must be >= 1, got {per_level_scale}")
        else:
            scales = [float(per_level_scale)] * len(base)
        if interpolation not in ("linear", "smoothstep"):
            raise ValueError(f"interpolation must be 'linear' or 'smoothstep', got {interpolation!r}")
        if not init_scale > 0:
            raise ValueError(f"init_scale must be > 0, got {init_scale}")
        if coarse_to_fine_steps < 0:
            raise ValueError(f"coarse_to_fine_steps must be >= 0, got {coarse_to_fine_steps}")
        if not 1 <= initial_levels <= n_levels:
            raise ValueError(f"initial_levels must be in [1, n_levels={n_levels}], got {initial_levels}")
        if table_gradient not in ("auto", "index_add", "sorted"):
            raise ValueError(f"table_gradient must be 'auto', 'index_add' or 'sorted', got {table_gradient!r}")
        self.table_gradient = table_gradient
        self.coarse_to_fine_steps = coarse_to_fine_steps
        self.initial_levels = initial_levels
        self.n_levels = n_levels
        self.n_features = n_features
        self.log2_table_size = log2_table_size
        self.interpolation = interpolation
        self.init_scale = init_scale
        # A tiny epsilon keeps floor() from losing the top level to rounding (e.g. 255.99999).
        # [L][1 or d] cells per unit length; one value is shared by every input.
        self._level_spec = [
            [int(math.floor(lo * b**level + 1e-6)) for lo, b in zip(base, scales)] for level in range(n_levels)
        ]
        self.resolutions: list[tuple[int, ...]] = []  # [L] tuples of [d], set by _build
        super().__init__(in_dim)

    def _build(self, in_dim: int) -> None:
        if not 1 <= in_dim <= _MAX_DIM:
            raise ValueError(f"HashGridEncoding supports in_dim 1..{_MAX_DIM}, got {in_dim}")
        n_spec = len(self._level_spec[0])
        if n_spec not in (1, in_dim):
            raise ValueError(
                f"base_resolution/finest_resolution give {n_spec} values per level, but the problem "
                f"has {in_dim} inputs: give one value or {in_dim}"
            )
        self.resolutions = [tuple(spec * in_dim if n_spec == 1 else spec) for spec in self._level_spec]
        table_cap = 2**self.log2_table_size
        sizes, dense, strides = [], [], []
        for res in self.resolutions:
            sides = [r + 3 for r in res]  # vertices -1 .. res + 1 along each input
            vertices = math.prod(sides)
            is_dense = vertices <= table_cap
            dense.append(is_dense)
            sizes.append(vertices if is_dense else table_cap)
            strides.append([math.prod(sides[:i]) for i in range(in_dim)])
        offsets = [0]
        for size in sizes[:-1]:
            offsets.append(offsets[-1] + size)
        n_rows = offsets[-1] + sizes[-1]
        if n_rows >= 2**31 or n_rows * self.n_features > 2**31:
            raise ValueError(
                f"hash tables would hold {n_rows * self.n_features} parameters; reduce "
                f"log2_table_size or n_levels"
            )
        # Feature-major [F, R]: see _InterpolateRows for why.
        self.embeddings = nn.Parameter(
            torch.empty(self.n_features, n_rows).uniform_(-self.init_scale, self.init_scale)
        )
        # Persistent: a checkpoint taken mid-schedule evaluates with the levels it trained with.
        start = self.initial_levels if self.coarse_to_fine_steps > 0 else self.n_levels
        self.register_buffer("active_levels", torch.tensor(start))
        # The host's copy, so that a step never reads the device; a loaded checkpoint resets it.
        self._active_host = start
        self.register_load_state_dict_post_hook(lambda module, _keys: module._sync_active_host())
        self.n_dense_levels = sum(dense)
        if any(dense[self.n_dense_levels :]):
            raise AssertionError("dense levels must be a prefix: resolutions increase")
        # [d, L]: cells per unit length of each level along each input
        level_res = torch.tensor(self.resolutions, dtype=torch.float32).t().contiguous()
        self.register_buffer("level_res", level_res, persistent=False)
        self.register_buffer("level_strides", torch.tensor(strides, dtype=torch.int32), persistent=False)
        self.register_buffer("level_offsets", torch.tensor(offsets, dtype=torch.int32), persistent=False)
        # Dense levels: row = offset + sum_i (c_i + 1) * stride_i for corner vertex c. Split into
        # the lower corner's part, [Ld, 1] (offset and the +1 shift folded in), and each corner's
        # offset from it, [2^d, Ld, 1].
        nd = self.n_dense_levels
        dense_strides = self.level_strides[:nd]  # [Ld, d]
        self.register_buffer(
            "dense_base", (self.level_offsets[:nd] + dense_strides.sum(1, dtype=torch.int32))[:, None], persistent=False
        )
        corner_bits = torch.tensor(list(itertools.product((0, 1), repeat=in_dim)), dtype=torch.int32)  # [2^d, d]
        self.register_buffer("dense_corner_rows", (corner_bits @ dense_strides.t())[:, :, None], persistent=False)
        self.hash_primes = [_as_int32(p) for p in _PRIMES[:in_dim]]

    @property
    def out_dim(self) -> int:
        return self.n_levels * self.n_features

    def set_step(self, step: int) -> None:
        if self.coarse_to_fine_steps > 0:
            active = min(self.n_levels, self.initial_levels + step // self.coarse_to_fine_steps)
            if active != self._active_host:  # a phase change: the only write
                self._active_host = active
                self.active_levels.fill_(active)

    def _sync_active_host(self) -> None:
        self._active_host = int(self.active_levels)

    def finest_cell_size(self) -> Tensor:
        """Cell size of the finest *active* level along each input, normalised coordinates, ``[d]``."""
        return 1.0 / self.level_res[:, self._active_host - 1]

    def level_table_sizes(self) -> list[int]:
        """Rows of the table that each level owns."""
        bounds = self.level_offsets.tolist() + [self.embeddings.shape[1]]
        return [b - a for a, b in zip(bounds[:-1], bounds[1:])]

    def corner_indices(self, z: Tensor) -> tuple[Tensor, Tensor]:
        """Table rows and interpolation weights of each point's ``2^d`` cell corners.

        Corners are ordered like ``itertools.product((0, 1), repeat=d)`` (first dimension
        slowest) and lead the shape, points come last, so that all big elementwise work runs
        on contiguous rows of ``n`` values with per-level constants broadcast along them.

        Args:
            z: points in normalised coordinates, ``[n, d]``.

        Returns:
            ``rows`` ``[2^d, L, n]`` int32 (columns of :attr:`embeddings`) and
            ``weights`` ``[2^d, L, n]`` (they sum to one over corners).
        """
        n, d = z.shape
        res = self.level_res.to(z.dtype)[:, :, None]  # [d, L, 1]
        pos = z.t().contiguous()[:, None, :] * res  # [d, L, n]; a contiguous z^T: 63 vs 70 us at n = 7680
        # Stay inside the padded grid: cells -1 .. res (vertices -1 .. res + 1).
        cell = torch.floor(pos).clamp_(min=res.new_tensor(-1.0), max=res)
        frac = pos - cell  # [d, L, n]
        s = frac if self.interpolation == "linear" else frac * frac * (3.0 - 2.0 * frac)
        factors = torch.stack((1.0 - s, s))  # [2, d, L, n]: each dimension's (lower, upper) weight
        weights = _corner_combine([factors[:, i] for i in range(d)], torch.mul)
        cell = cell.int()
        nd = self.n_dense_levels
        blocks = []
        if nd > 0:  # row = offset + sum_i (c_i + 1) * stride_i, no collisions
            strides = self.level_strides[:nd, :, None]  # [Ld, d, 1]
            base = cell[0, :nd] * strides[:, 0]
            base += self.dense_base
            for i in range(1, d):
                base.addcmul_(cell[i, :nd], strides[:, i])
            blocks.append(base + self.dense_corner_rows)  # [2^d, Ld, n]
        if nd < self.n_levels:  # row = offset + (XOR_i c_i * prime_i) mod 2^T
            pairs = []
            for i in range(d):
                prime = self.hash_primes[i]
                lo = cell[i, nd:] * prime  # int32 multiply wraps like instant-ngp's uint32 hash
                pairs.append(torch.stack((lo, lo + prime)))
            hashed = _corner_combine(pairs, torch.bitwise_xor) & (2**self.log2_table_size - 1)
            blocks.append(hashed + self.level_offsets[nd:, None])
        rows = torch.cat(blocks, dim=1) if len(blocks) > 1 else blocks[0]
        return rows, weights

    def forward(self, z: Tensor) -> Tensor:  # [n, d] -> [n, F * L]
        self._check_bound(z)
        return self._forward_with(z, self.embeddings)

    def _forward_with(self, z: Tensor, embeddings: Tensor) -> Tensor:
        rows, weights = self.corner_indices(z)
        deterministic = self.table_gradient == "sorted" or (self.table_gradient == "auto" and z.device.type != "cpu")
        out = _InterpolateRows.apply(embeddings, rows, weights.to(embeddings.dtype), deterministic)  # [F, L, n]
        if self.coarse_to_fine_steps > 0 and self._active_host < self.n_levels:
            active = torch.arange(self.n_levels, device=out.device) < self.active_levels
            out = out * active.to(out.dtype)[:, None]
        # A transposed view, no copy: a linear layer takes it as it is.
        return out.reshape(self.n_features * self.n_levels, z.shape[0]).t()
