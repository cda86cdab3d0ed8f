"""Readouts: classifiers that turn cube activity into a prediction.

Three are offered: NeuCube's :class:`~models.readouts.desnn.DeSNNClassifier`;
:class:`~models.readouts.counts.SpikeCountClassifier`, a plain readout (spike
counts per neuron → standardized → L2 logistic regression); and
:class:`~models.readouts.bins.BinnedCountClassifier`, which keeps time (spike
counts per group of neurons in time bins → standardized → L2 logistic
regression whose regularisation an inner cross-validation chooses).
"""

from __future__ import annotations

from ._base import ActivityReadout
from .bins import BinnedCountClassifier
from .counts import SpikeCountClassifier
from .desnn import DeSNNClassifier

__all__ = [
    "ActivityReadout",
    "BinnedCountClassifier",
    "DeSNNClassifier",
    "READOUTS",
    "SpikeCountClassifier",
    "make_readout",
]


READOUTS = {
    "desnn": DeSNNClassifier,
    "counts": SpikeCountClassifier,
    "bins": BinnedCountClassifier,
}


def make_readout(kind: str, **params: object) -> ActivityReadout:
    """Create a readout by name.

    Parameters
    ----------
    kind : ``'desnn'`` | ``'counts'`` | ``'bins'``
        NeuCube's deSNN, whole-sample spike counts with logistic regression,
        or spike counts in time bins with a logistic regression whose
        regularisation is chosen by inner cross-validation.
    **params
        Constructor parameters of that readout.

    Returns
    -------
    readout : ActivityReadout
        The unfitted readout.
    """
    if kind not in READOUTS:
        raise ValueError(f"readout must be one of {sorted(READOUTS)}, got {kind!r}.")
    return READOUTS[kind](**params)
