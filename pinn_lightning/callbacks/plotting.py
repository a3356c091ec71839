"""Drawing a field on a 2-D grid (shared by the image-logging callbacks)."""

from __future__ import annotations

from torch import Tensor


def draw_field(ax, fig, values: Tensor, extent: tuple[float, float, float, float], labels: tuple[str, str], title: str, cmap: str = "RdBu_r") -> None:
    """``values`` ``[n0, n1]`` (first axis along the first input) as an image with a colour bar."""
    img = ax.imshow(values.T.detach().cpu().numpy(), origin="lower", aspect="auto", extent=extent, cmap=cmap)
    ax.set(xlabel=labels[0], ylabel=labels[1], title=title)
    fig.colorbar(img, ax=ax)
