"""Truncation error of the FD stencils on the exact Burgers solution, near the shock and away from it.

A PINN trained on finite-difference residuals converges towards the solution of the discrete
equations, not of the PDE: where the stencils' truncation error is a sizeable part of the
residual's terms, it sets a floor on the error. This script evaluates each residual term with the
stencil applied to the exact (Cole–Hopf) solution minus the same term from exact derivatives,
``tau = L_h(u*) - L(u*)`` per term, at the reference grid's columns next to the shock (x = 1/255)
and further out, maximised over t in {0.35, 0.45, 0.55, 0.75, 0.95}.

    python benchmarks/burgers_truncation.py
"""

from __future__ import annotations

import math

import torch

from pinn_lightning import FiniteDifferenceDerivatives, cole_hopf_solution

NU = 0.01 / math.pi
X = (1 / 255, 3 / 255, 5 / 255, 0.05, 0.2)  # reference-grid columns next to the shock, then further out
T = (0.35, 0.45, 0.55, 0.75, 0.95)


def main() -> None:
    torch.set_num_threads(1)
    xs, ts = torch.meshgrid(torch.tensor(X, dtype=torch.float64), torch.tensor(T, dtype=torch.float64),
                            indexing="ij")  # fmt: skip
    p = torch.stack([xs.reshape(-1), ts.reshape(-1)], 1).requires_grad_()  # [25, 2]
    field = lambda q: cole_hopf_solution(q[:, 0:1], q[:, 1:2], NU, n_nodes=8001)  # noqa: E731
    u = field(p)
    (g,) = torch.autograd.grad(u.sum(), p, create_graph=True)
    (gx,) = torch.autograd.grad(g[:, 0].sum(), p)
    u, ux, ut, uxx = u[:, 0].detach(), g[:, 0].detach(), g[:, 1].detach(), gx[:, 0]
    print(f"columns x = {', '.join(f'{x:.4f}' for x in X)}; max over t of |tau| per term")
    print("| h_x | h_t | order | tau(u_t) | tau(u u_x) | tau(nu u_xx) |")
    print("|---|---|---|---|---|---|")
    cases = [(2 / 1024, 1 / 32, 2), (2 / 1024, 1 / 64, 2), (2 / 1024, 1 / 128, 2),  # (h_x, h_t, order)
             (2 / 2048, 1 / 64, 2), (2 / 1024, 1 / 64, 4)]  # fmt: skip
    for hx, ht, order in cases:
        d = FiniteDifferenceDerivatives(step=[hx, ht], order=order)(field, p.detach())
        terms = (d.grad(1)[:, 0] - ut, u * (d.grad(0)[:, 0] - ux), NU * (d.d2(0, 0)[:, 0] - uxx))
        cols = [" ".join(f"{v:.2g}" for v in t.abs().reshape(len(X), len(T)).amax(1).tolist()) for t in terms]
        print(f"| 2/{round(2 / hx)} | 1/{round(1 / ht)} | {order} | {cols[0]} | {cols[1]} | {cols[2]} |")
    big = (u * ux).abs().reshape(len(X), len(T)).amax(1)
    print("max |u u_x| per column (the size of the terms):", " ".join(f"{v:.3g}" for v in big.tolist()))


if __name__ == "__main__":
    main()
