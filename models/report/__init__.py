"""An HTML report of what a model's cube learned.

:func:`write_report` takes a trained model (a seizure detector saved by
``neucube train`` or a :class:`~models.classifier.NeuCubeClassifier` file),
runs its cube on a few samples of a recording, and writes one
self-contained HTML file (figures inline as base64 PNG, nothing else to
carry) with NeuCube's analyses (:mod:`neucube.analysis`):

* the strongest connections in 3D from two views, excitatory red and
  inhibitory blue, the input neurons labelled with their channels;
* the neuron clusters around each input (label propagation), two views;
* the feature interaction network: each channel at its electrode's position,
  edges as wide as the weight between their clusters, and the matrix;
* a spike raster of the cube (and the encoder's input spikes) on one sample
  of each condition, neurons grouped by cluster;
* spikes per cluster over time, each condition;
* the two conditions compared: firing per cluster, the weight carried
  between clusters and the connections whose co-activation differs most;
* what STDP changed (per neuron), when the initial weights can be rebuilt
  from the cube's recorded seed;
* the accuracy table of ``neucube evaluate ... --json``, when given.

Conditions: for a seizure detector the windows just before the recording's
first annotated seizure and windows spread over it (without annotations:
windows the model calls seizure vs. not); for a classifier, epochs after the
recording's two most frequent annotations (or the ones named).

Figures are drawn with Matplotlib's object API on the Agg canvas (no
``pyplot``, no display needed).
"""

from .inputs import ReportError
from .write import write_report

__all__ = ["ReportError", "write_report"]
