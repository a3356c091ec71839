"""The one place where warnings that a user cannot act on are silenced, each by its exact message.

Every entry is a message of Lightning or PyTorch that this framework triggers by design:

* the data module's loader is an ``IterableDataset`` with a length (the batches per epoch) and
  one process: the warning is about several loader workers, which it never uses.
* Lightning 2.6's own use of ``torch.utils._pytree.LeafSpec``, deprecated by PyTorch.
* ``validate``/``test``/``predict`` log to a new version directory, so the checkpoint callback's
  saved ``dirpath`` differs from the restored one; nothing of it is needed outside ``fit``.
* the prediction loop cannot record batch indices of an iterable loader; the prediction writer
  does not use them.
* Lightning's advertisement for its cloud logger (an info message, not a warning).
"""

from __future__ import annotations

import logging
import warnings

MESSAGES = (
    r"Your `IterableDataset` has `__len__` defined",
    r"`isinstance\(treespec, LeafSpec\)` is deprecated",
    r"The dirpath has changed from .* therefore `best_model_score`",
    r"Couldn't infer the batch indices fetched from your dataloader",
)
INFO_MESSAGES = ("💡 Tip: For seamless cloud logging",)


class _DropInfo(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(INFO_MESSAGES)


def silence_known_warnings() -> None:
    """Install the filters (idempotent)."""
    for message in MESSAGES:
        warnings.filterwarnings("ignore", message=message)
    for name in ("lightning.pytorch.utilities.rank_zero", "lightning.fabric.utilities.rank_zero"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropInfo) for f in logger.filters):
            logger.addFilter(_DropInfo())
