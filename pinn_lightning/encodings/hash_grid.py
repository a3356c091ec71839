"""Multi-resolution hash encoding (Müller et al. 2022, Instant-NGP) in pure PyTorch."""

from __future__ import annotations

import math
from typing import Literal

import torch
from torch import Tensor, nn

from .base import Encoding

# Instant-NGP's spatial-hash primes; the first is 1 so that consecutive x indices stay local.
_PRIMES = (1, 2654435761, 805459861, 3674653429)
_MAX_DIM = len(_PRIMES)


class _GatherRows(torch.autograd.Function):
    """``table[idx]`` whose backward is a single ``index_add_``.

    The stock indexing/embedding backward on CPU sorts the indices first; scattering with
    ``index_add_`` is markedly faster for the millions of lookups a PINN step makes.
    """

    @staticmethod
    def forward(ctx, table: Tensor, idx: Tensor) -> Tensor:  # [R, F], [m] -> [m, F]
        ctx.save_for_backward(idx)
        ctx.n_rows = table.shape[0]
        return table.index_select(0, idx)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor, None]:
        (idx,) = ctx.saved_tensors
        return grad.new_zeros(ctx.n_rows, grad.shape[1]).index_add_(0, idx, grad), None


class HashGridEncoding(Encoding):
    r"""Multi-resolution hash encoding with d-linear or smoothstep interpolation.

    Level :math:`l = 0..L-1` is a grid of resolution
    :math:`N_l = \lfloor N_{\min}\, b^{l} \rfloor`, :math:`b = (N_{\max}/N_{\min})^{1/(L-1)}`,
    over :math:`[0, 1]^d`. Each vertex owns ``n_features`` trainable values; a point's feature
    at level :math:`l` is the interpolation of its cell's :math:`2^d` corner values

    .. math::
        f_l(z) = \sum_{c \in \{0,1\}^d} \prod_{i=1}^{d} w(s_i)^{c_i}\,(1 - w(s_i))^{1-c_i}\;
                 \theta_l[\mathrm{index}_l(\lfloor N_l z \rfloor + c)],

    with :math:`s = N_l z - \lfloor N_l z \rfloor` and :math:`w(s) = s` (linear) or
    :math:`w(s) = 3s^2 - 2s^3` (smoothstep, C¹ in z, so autograd second derivatives are
    non-zero inside cells). Levels whose vertices fit in the table (``(N_l + 3)^d <= 2^T``) are
    indexed densely (no collisions); finer levels use the XOR-of-primes spatial hash modulo
    :math:`2^T`. The grid is padded by one vertex on each side so that finite-difference stencil
    points up to one cell outside :math:`[0, 1]^d` still interpolate inside a real cell.

    The output concatenates all levels: shape ``[n, L * F]``.

    Args:
        n_levels: number of resolution levels ``L``.
        n_features: features per level and vertex ``F``.
        log2_table_size: ``T``, the per-level table holds at most ``2**T`` rows.
        base_resolution: coarsest resolution ``N_min`` (cells per unit length).
        finest_resolution: finest resolution ``N_max``; ignored when ``per_level_scale`` is set.
        per_level_scale: growth factor ``b`` between levels; derived from ``finest_resolution``
            when ``None``.
        interpolation: ``"linear"`` (the paper; pair it with finite differences) or
            ``"smoothstep"`` (usable with autograd derivatives).
        init_scale: table entries start uniform in ``[-init_scale, init_scale]``.
        in_dim: input dimension (1 to 4); left ``None`` it is taken from the problem.
    """

    def __init__(
        self,
        n_levels: int = 16,
        n_features: int = 2,
        log2_table_size: int = 16,
        base_resolution: int = 16,
        finest_resolution: int = 256,
        per_level_scale: float | None = None,
        interpolation: Literal["linear", "smoothstep"] = "linear",
        init_scale: float = 1e-4,
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
        if base_resolution < 1:
            raise ValueError(f"base_resolution must be >= 1, got {base_resolution}")
        if per_level_scale is None:
            if finest_resolution < base_resolution:
                raise ValueError(
                    f"finest_resolution ({finest_resolution}) must be >= base_resolution "
                    f"({base_resolution})"
                )
            per_level_scale = (
                math.exp(math.log(finest_resolution / base_resolution) / (n_levels - 1))
                if n_levels > 1
                else 1.0
            )
        elif per_level_scale < 1.0:
            raise ValueError(f"per_level_scale must be >= 1, got {per_level_scale}")
        if interpolation not in ("linear", "smoothstep"):
            raise ValueError(f"interpolation must be 'linear' or 'smoothstep', got {interpolation!r}")
        if not init_scale > 0:
            raise ValueError(f"init_scale must be > 0, got {init_scale}")
        self.n_levels = n_levels
        self.n_features = n_features
        self.log2_table_size = log2_table_size
        self.base_resolution = base_resolution
        self.per_level_scale = float(per_level_scale)
        self.interpolation = interpolation
        self.init_scale = init_scale
        # A tiny epsilon keeps floor() from losing the top level to rounding (e.g. 255.99999).
        self.resolutions = [
            int(math.floor(base_resolution * self.per_level_scale**level + 1e-6))
            for level in range(n_levels)
        ]
        super().__init__(in_dim)

    def _build(self, in_dim: int) -> None:
        if not 1 <= in_dim <= _MAX_DIM:
            raise ValueError(f"HashGridEncoding supports in_dim 1..{_MAX_DIM}, got {in_dim}")
        table_cap = 2**self.log2_table_size
        sizes, dense, strides = [], [], []
        for res in self.resolutions:
            side = res + 3  # vertices -1 .. res + 1
            is_dense = side**in_dim <= table_cap
            dense.append(is_dense)
            sizes.append(side**in_dim if is_dense else table_cap)
            strides.append([side**i for i in range(in_dim)])
        offsets = [0]
        for size in sizes[:-1]:
            offsets.append(offsets[-1] + size)
        n_rows = offsets[-1] + sizes[-1]
        if n_rows * self.n_features > 2**31:
            raise ValueError(
                f"hash tables would hold {n_rows * self.n_features} parameters; reduce "
                f"log2_table_size or n_levels"
            )
        self.embeddings = nn.Parameter(
            torch.empty(n_rows, self.n_features).uniform_(-self.init_scale, self.init_scale)
        )
        self.register_buffer("level_res", torch.tensor(self.resolutions, dtype=torch.float32), persistent=False)
        self.register_buffer("level_dense", torch.tensor(dense), persistent=False)
        self.register_buffer("level_strides", torch.tensor(strides, dtype=torch.long), persistent=False)
        self.register_buffer("level_offsets", torch.tensor(offsets, dtype=torch.long), persistent=False)
        self.register_buffer("primes", torch.tensor(_PRIMES[:in_dim], dtype=torch.long), persistent=False)
        bits = [[(c >> i) & 1 for i in range(in_dim)] for c in range(2**in_dim)]
        self.register_buffer("corner_bits", torch.tensor(bits, dtype=torch.long), persistent=False)  # [C, d]

    @property
    def out_dim(self) -> int:
        return self.n_levels * self.n_features

    def finest_cell_size(self) -> float:
        return 1.0 / self.resolutions[-1]

    def level_table_sizes(self) -> list[int]:
        """Rows of the table that each level owns."""
        bounds = self.level_offsets.tolist() + [self.embeddings.shape[0]]
        return [b - a for a, b in zip(bounds[:-1], bounds[1:])]

    def corner_indices(self, z: Tensor) -> tuple[Tensor, Tensor]:
        """Table rows of each point's cell corners and the fractional position in the cell.

        Args:
            z: points in normalised coordinates, ``[n, d]``.

        Returns:
            ``rows`` ``[n, L, 2^d]`` (global rows of :attr:`embeddings`) and ``frac`` ``[n, L, d]``.
        """
        res = self.level_res.to(z.dtype)[None, :, None]  # [1, L, 1]
        pos = z[:, None, :] * res  # [n, L, d]
        # Stay inside the padded grid: cells -1 .. res (vertices -1 .. res + 1).
        cell = torch.minimum(torch.floor(pos), res).clamp_min(-1.0)
        frac = pos - cell  # [n, L, d]
        corners = cell.long()[:, :, None, :] + self.corner_bits  # [n, L, C, d]
        dense_rows = ((corners + 1) * self.level_strides[None, :, None, :]).sum(-1)  # [n, L, C]
        hashed = corners[..., 0] * self.primes[0]
        for i in range(1, corners.shape[-1]):
            hashed = torch.bitwise_xor(hashed, corners[..., i] * self.primes[i])
        hashed = hashed & (2**self.log2_table_size - 1)
        rows = torch.where(self.level_dense[None, :, None], dense_rows, hashed)
        return rows + self.level_offsets[None, :, None], frac

    def corner_weights(self, frac: Tensor) -> Tensor:
        """Interpolation weights of the ``2^d`` corners, ``[n, L, d] -> [n, L, 2^d]``."""
        s = frac if self.interpolation == "linear" else frac * frac * (3.0 - 2.0 * frac)
        s = s[:, :, None, :]  # [n, L, 1, d]
        bits = self.corner_bits.bool()  # [C, d]
        return torch.where(bits, s, 1.0 - s).prod(-1)

    def forward(self, z: Tensor) -> Tensor:  # [n, d] -> [n, L * F]
        self._check_bound(z)
        return self._forward_with(z, self.embeddings)

    def _forward_with(self, z: Tensor, embeddings: Tensor) -> Tensor:
        rows, frac = self.corner_indices(z)
        weights = self.corner_weights(frac).to(embeddings.dtype)  # [n, L, C]
        n, n_levels, n_corners = rows.shape
        feats = _GatherRows.apply(embeddings, rows.reshape(-1))
        feats = feats.view(n, n_levels, n_corners, self.n_features)  # [n, L, C, F]
        out = (weights.unsqueeze(-1) * feats).sum(2)  # [n, L, F]
        return out.reshape(n, n_levels * self.n_features)
