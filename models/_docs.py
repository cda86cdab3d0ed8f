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
band : tuple of float | None
    Activity band the cube is calibrated into on the training epochs:
    lowest and highest mean firing rate, spikes per neuron per step (see
    :meth:`neucube.cube.Cube.calibrate`); calibrated before STDP and again
    after it. Default (0.002, 0.01): about half the neurons fire in an
    epoch, none near the refractory ceiling of 1/7. ``None`` keeps
    NeuCube's threshold of 0.5.
weight_bound : float | None
    STDP keeps learned weights within plus or minus this many times the
    strongest initial weight (0.2, an input connection's). Default 2 (+-0.4).
    ``None``: NeuCube's bounds of +-2.
readout : ``'bins'`` | ``'desnn'`` | ``'counts'``
    Spike counts per electrode group in time bins with an inner-CV
    logistic regression, deSNN (NeuCube), or whole-epoch spike counts with
    logistic regression.
mod, drift, n_neighbors : float, float, int
    deSNN parameters (NeuCube: 0.8, 0.005, 3).
C : float
    Inverse regularisation of the ``'counts'`` readout.
n_bins : int
    Time bins per epoch of the ``'bins'`` readout.
group_by : ``'electrode'`` | ``'neuron'``
    The ``'bins'`` readout counts spikes per group of reservoir neurons
    nearest to each input electrode, or per neuron.
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
readout_ : ActivityReadout
    The fitted readout.
classes_ : ndarray
    Class labels.
fit_summary_ : dict
    The cube's operating point on the training epochs: ``rate`` (spikes per
    neuron per step), ``active_share`` (share of neurons firing in an
    epoch), ``spikes_per_sample``, ``threshold`` and ``stdp_change`` (mean
    absolute weight change of the STDP passes over the mean initial weight
    magnitude). Saved with the model."""

fill_doc = fill_doc_from(docdict)
