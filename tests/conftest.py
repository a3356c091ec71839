import pytest
import torch


@pytest.fixture(autouse=True)
def _deterministic_threads():
    # Tests are run on a 2-core machine; one intra-op thread keeps timings and results stable.
    torch.set_num_threads(1)
    torch.manual_seed(0)
    yield
