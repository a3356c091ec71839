"""Centre-line velocity extrema of lid-driven cavity flow at Re = 100, grid-converged.

Botella & Peyret (1998), "Benchmark spectral results on the lid-driven cavity flow", Comput.
Fluids 27, 421-433 (a Chebyshev collocation method with the corner singularity subtracted).
The values are as quoted with this citation by public validation codes; the paper's own table
was not available to us. Our solver's extrema converge to them at second order (tests). Their
lid moves towards -x, ours towards +x: their (x, u) is our (1 - x, -u), converted below.
"""

# name: (value, where) — u along the vertical centre line x = 0.5 (where: y),
# v along the horizontal centre line y = 0.5 (where: x)
BOTELLA_PEYRET_RE100 = {
    "u_min": (-0.2140424, 0.4581),
    "v_max": (0.1795728, 1 - 0.7630),
    "v_min": (-0.2538030, 1 - 0.1896),
}
