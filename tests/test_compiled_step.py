"""The training step's tensor work is free of host synchronisation: it compiles as one graph.

`torch.compile(fullgraph=True)` fails on any graph break: a `.item()`, a Python branch on a device
value, a data-dependent shape. The step compiled here is the eager path's own pieces: the data
module's device-side draw (scrambled, digitally shifted Sobol points on the box and its faces),
`PINNModule.loss_terms` (one network evaluation of every stencil and boundary point, 4th-order
finite differences), `total_loss`, the device-side non-finite record, the gradients, clipping by
global norm, and Adam's update (PyTorch's functional Adam: `Optimizer.step` itself inserts a
deliberate graph break, pytorch/pytorch#104053). Eager stays the reference: two compiled steps
must land where two eager ones do.
"""

import torch
from torch.optim.adam import adam as adam_update

from pinn_lightning import CollocationDataModule, FiniteDifferenceDerivatives, HashGridEncoding, Helmholtz2D, PINNModule
from pinn_lightning.data import draw_key


def _setup():
    torch.manual_seed(0)
    encoding = HashGridEncoding(n_levels=4, n_features=2, log2_table_size=8, base_resolution=4, finest_resolution=24,
                                interpolation="smoothstep")  # fmt: skip
    model = PINNModule(Helmholtz2D(), encoding, hidden_width=16, derivatives=FiniteDifferenceDerivatives(order=4),
                       loss_weights={"boundary": 10.0})  # fmt: skip
    assert 0 < model.network.encoding.n_dense_levels < 4  # dense and hashed levels
    dm = CollocationDataModule(n_collocation=256, n_boundary=64, sampler="sobol")
    params = [p for p in model.parameters() if p.requires_grad]
    state = {"m": [torch.zeros_like(p) for p in params], "v": [torch.zeros_like(p) for p in params],
             "t": [torch.tensor(0.0) for _ in params]}  # fmt: skip

    def step(key: torch.Tensor) -> torch.Tensor:
        draw = dm.sample_points(model.problem, 256, key)
        terms = model.loss_terms(draw)
        loss = model.total_loss(terms)
        model.nonfinite.record(0, terms, loss)
        grads = torch.autograd.grad(loss, params)
        for p, g in zip(params, grads):
            p.grad = g
        torch.nn.utils.clip_grad_norm_(params, 3.0)
        with torch.no_grad():
            adam_update(params, [p.grad for p in params], state["m"], state["v"], [], state["t"], foreach=False,
                        amsgrad=False, beta1=0.9, beta2=0.99, lr=1e-2, weight_decay=0.0, eps=1e-8, maximize=False)  # fmt: skip
        return loss.detach()

    dm.sample_batch(model.problem, 0)  # builds the Sobol pool once, outside the graph
    return model, step


def test_the_step_compiles_as_one_graph_and_matches_eager():
    eager_model, eager_step = _setup()
    keys = [torch.tensor(draw_key(0, 0, step)) for step in (3, 4)]  # the step's key: an input, not a constant
    eager = [eager_step(key) for key in keys]
    model, step = _setup()
    with torch._dynamo.config.patch(trace_autograd_ops=True):
        compiled = torch.compile(step, fullgraph=True, dynamic=False)
        losses = [compiled(key) for key in keys]
    assert int(model.nonfinite.first_step) == -1 and all(torch.isfinite(loss) for loss in losses)
    torch.testing.assert_close(torch.stack(losses), torch.stack(eager), rtol=1e-4, atol=0)
    # Adam divides by sqrt(v): where a gradient is ~0 its rounding moves the update by up to ~lr, so
    # the parameters are compared at 1 % of one step of lr = 1e-2
    for a, b in zip(model.parameters(), eager_model.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4)
    assert not torch.equal(model.network.encoding.embeddings, _setup()[0].network.encoding.embeddings)  # it trained
