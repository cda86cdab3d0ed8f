"""Readouts: classifiers that turn cube activity into a prediction.

Two are offered: NeuCube's :class:`~models.readouts.desnn.DeSNNClassifier`, and
:class:`~models.readouts.counts.SpikeCountClassifier`, a plain readout (spike counts per neuron →
standardized → L2 logistic regression) to compare it with.
"""

from __future__ import annotations

from ._base import ActivityReadout
from .counts import SpikeCountClassifier
from .desnn import DeSNNClassifier

__all__ = ["ActivityReadout", "DeSNNClassifier", "READOUTS", "SpikeCountClassifier", "make_readout"]


READOUTS = {"desnn": DeSNNClassifier, "counts": SpikeCountClassifier}


def make_readout(kind: str, **params: object) -> DeSNNClassifier | SpikeCountClassifier:
    """Create a readout by name.

    Parameters
    ----------
    kind : ``'desnn'`` | ``'counts'``
        NeuCube's deSNN, or spike counts with logistic regression.
    **params
        Constructor parameters of that readout.

    Returns
    -------
    readout : DeSNNClassifier | SpikeCountClassifier
        The unfitted readout.
    """
    if kind not in READOUTS:
        raise ValueError(f"readout must be one of {sorted(READOUTS)}, got {kind!r}.")
    return READOUTS[kind](**params)
