"""How much of the cavity's rel-L2 the two lid corners alone can hold.

The lid's velocity (u = 1) meets the walls' (u = 0) at the two top corners, where the velocity
is undefined; the reference solver, like Ghia et al., gives those two grid points the lid's
value. A field equal to the reference everywhere except u = c at the two corners has this
relative L2 error on the 129 x 129 reference grid, whatever it does elsewhere.

    python benchmarks/ldc_corner_floor.py
"""

from __future__ import annotations

import torch

from pinn_lightning import LidDrivenCavity2D


def main() -> None:
    x, u = LidDrivenCavity2D(re=100.0).reference()  # [n, 2], [n, 2] (u, v)
    corners = (x[:, 1] == 1.0) & ((x[:, 0] == 0.0) | (x[:, 0] == 1.0))
    print(f"reference at the lid corners {x[corners].tolist()}: (u, v) = {u[corners].tolist()}")
    print("| u at both lid corners | rel-L2 from those two points alone |")
    print("|---|---|")
    for c in (0.0, 0.5, 0.62, 0.7, 0.8, 0.9):
        field = u.clone()
        field[corners, 0] = c
        print(f"| {c:g} | {((field - u).norm() / u.norm()).item():.4f} |")


if __name__ == "__main__":
    main()
