"""Counter-based random numbers: the same bits on every device, keyed by integers.

A draw is a pure function of its key and of the index of each number: number ``i`` of key ``k``
is the SplitMix64 output ``mix(k + (i + 1) γ)`` (Steele, Lea & Flood 2014; γ the 64-bit golden
ratio), whose sequential stream passes BigCrush. Nothing is stateful, so a draw needs no
generator object, reads nothing from the host and has a static shape: it can run inside a
compiled or captured training step, and a resumed run, another rank or another device asks for
exactly the numbers it means by naming their key. Keys come from :func:`draw_key`.
"""

from __future__ import annotations

import torch
from torch import Tensor

_M64 = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15
_MUL1 = 0xBF58476D1CE4E5B9
_MUL2 = 0x94D049BB133111EB


def _signed(value: int) -> int:
    """The int64 with the low 64 bits of ``value``."""
    value &= _M64
    return value - (1 << 64) if value >= 1 << 63 else value


def _mix_int(z: int) -> int:
    """SplitMix64's finaliser on a Python int (mod 2^64)."""
    z &= _M64
    z = ((z ^ (z >> 30)) * _MUL1) & _M64
    z = ((z ^ (z >> 27)) * _MUL2) & _M64
    return z ^ (z >> 31)


def draw_key(*parts: int | Tensor) -> int | Tensor:
    """One 64-bit key from integers such as ``(seed, rank, step, stream)``: distinct tuples give
    unrelated keys. With Python ints the key is a Python int (signed int64); if a part is a 0-d
    int64 tensor (a step counter on the device, or a key inside a compiled step) the key is one
    too, with the same bits."""
    if not any(isinstance(part, Tensor) for part in parts):
        key = 0
        for part in parts:
            key = _mix_int(key ^ _mix_int(int(part) + _GAMMA))
        return _signed(key)
    device = next(part.device for part in parts if isinstance(part, Tensor))
    key = torch.zeros((), dtype=torch.int64, device=device)
    for part in parts:
        if isinstance(part, Tensor):
            mixed = _mix_tensor(part + _signed(_GAMMA))
        else:
            mixed = torch.tensor(_signed(_mix_int(int(part) + _GAMMA)), dtype=torch.int64, device=device)
        key = _mix_tensor(mixed ^ key)
    return key


def _shr(x: Tensor, k: int) -> Tensor:
    """Logical right shift of int64 ``x`` by ``k`` bits (torch's ``>>`` extends the sign)."""
    return (x >> k) & ((1 << (64 - k)) - 1)


def _mix_tensor(z: Tensor) -> Tensor:
    """SplitMix64's finaliser on int64 tensors (products wrap mod 2^64); in place where ``z`` is
    a fresh temporary of the caller's."""
    z = (z ^ _shr(z, 30)).mul_(_signed(_MUL1))
    z = (z ^ _shr(z, 27)).mul_(_signed(_MUL2))
    return z ^ _shr(z, 31)


def random_bits(key: int | Tensor, n: int, device: torch.device | str | None = None) -> Tensor:
    """``n`` random 64-bit words (int64), number ``i`` = SplitMix64 output ``i + 1`` from ``key``.

    Inside ``torch.compile`` the key must be a 0-d int64 tensor: a Python int becomes a constant
    that the compiler folds, and its 64-bit products overflow there (wrong numbers, silently).

    Raises:
        TypeError: a Python int key while compiling.
    """
    if not isinstance(key, Tensor) and torch.compiler.is_compiling():
        raise TypeError("random_bits: inside torch.compile pass the key as a 0-d int64 tensor, not a Python int")
    counter = torch.arange(1, n + 1, device=device, dtype=torch.int64).mul_(_signed(_GAMMA)).add_(key)
    return _mix_tensor(counter)


def uniform(
    key: int | Tensor, shape: tuple[int, ...], device: torch.device | str | None = None, dtype: torch.dtype = torch.float32
) -> Tensor:
    """Uniform numbers in ``[0, 1)`` of ``shape``: the top 24 (float32) or 53 (float64) bits of each word."""
    n = 1
    for size in shape:
        n *= size
    bits = random_bits(key, n, device)
    if dtype == torch.float64:
        values = _shr(bits, 11).to(torch.float64) * 2.0**-53
    else:
        values = _shr(bits, 40).to(torch.float32).mul_(2.0**-24).to(dtype)
    return values.view(shape)
