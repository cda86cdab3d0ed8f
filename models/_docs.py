"""Shared parameter text of the task level (see :mod:`neucube._docs`).

The cube classifier's parameters are described once here and filled into
:class:`~models.classifier.NeuCubeClassifier` and its subclasses with
:func:`fill_doc`.
"""

from __future__ import annotations

from neucube._docs import fill_doc_from

__all__ = ["docdict", "fill_doc"]

#: Parameter text by key (see :data:`neucube._docs.docdict` for the layout).
docdict: dict[str, str] = {}

docdict["cube_classifier_params"] = """\
encoder : ``'tbr'`` | ``'step_forward'`` | ``'moving_window'`` | ``'bsa'``
    Spike encoder (NeuCube: TBR).
alpha : float | ``'auto'``
    Threshold factor of the delta encoders (NeuCube: 0.5); ``'auto'``
    picks it by the lowest reconstruction error on the training epochs.
resolution : float
    Grid spacing of the brain template in mm (NeuCube: 10).
radius : float
    Small-world connection radius in mm (NeuCube: 25).
stdp : ``'neucube'`` | ``'trace'``
    Unsupervised learning rule of the cube.
stdp_rate : float
    STDP learning rate (NeuCube: 0.001).
n_passes : int
    STDP passes over the training epochs (NeuCube: 1; 0 leaves the
    initial weights).
readout : ``'desnn'`` | ``'counts'``
    deSNN (NeuCube) or spike counts with logistic regression.
mod, drift, n_neighbors : float, float, int
    deSNN parameters (NeuCube: 0.8, 0.005, 3).
C : float
    Inverse regularisation of the ``'counts'`` readout.
target : str
    Brian2 code-generation target (``'auto'``, ``'numpy'``, ``'cython'``,
    ``'cpp_standalone'``).
random_state : int | None
    Seed of the cube's connections."""

docdict["cube_classifier_attributes"] = """\
encoder_ : encoder
    The fitted spike encoder (thresholds frozen).
cube_ : neucube.cube.Cube
    The cube, with STDP-shaped weights.
readout_ : DeSNNClassifier | SpikeCountClassifier
    The fitted readout.
classes_ : ndarray
    Class labels."""

fill_doc = fill_doc_from(docdict)
