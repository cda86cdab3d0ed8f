"""Trials: stimulus-locked epochs in, one class per trial out.

- :mod:`~models.trials.familiarity`: :class:`FamiliarityClassifier`, the cube
  classifier of UCI EEG trials (familiar vs unfamiliar picture);
- :mod:`~models.trials.erp`: the non-spiking baseline (down-sampled ERP
  amplitudes -> shrinkage LDA);
- :mod:`~models.trials.live`: :class:`LiveTrialPipeline`, a trial classifier
  on a live stream with markers (the desktop app's trial mode).

Their evaluation is :mod:`models.evaluation.familiarity`.
"""
