"""The task level: what a user does with the cube, one sub-package per task.

- :mod:`models.classifier`: :class:`~models.classifier.NeuCubeClassifier`,
  the end-to-end estimator (encoder -> cube -> readout), scikit-learn style;
- :mod:`models.readouts`: deSNN and spike counts, cube activity -> class;
- :mod:`models.io`: every model file (:func:`~models.io.peek_model`,
  :func:`~models.io.read_model`);
- :mod:`models.seizure`: the seizure detector, its events, file formats,
  scoring and live pipeline;
- :mod:`models.trials`: trial classifiers (familiarity), their ERP baseline
  and live pipeline;
- :mod:`models.alerts`: the alert store, its records, schema, review and
  export;
- :mod:`models.report`: the HTML report of what a cube learned;
- :mod:`models.evaluation`: motor, seizure and familiarity evaluations and the
  speed benchmark;
- :mod:`models.spikestats`: spike rates of a recording per segment;
- :mod:`models.cli`: the ``neucube`` command line.
"""

import logging

logger = logging.getLogger("neucube.models")
