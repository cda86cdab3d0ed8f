"""How well and how fast: the cube against a non-spiking baseline, in the same run.

- :mod:`~models.evaluation.motor`: EEGMMIDB left vs right fist, repeated
  stratified K-fold, deSNN and spike-count readouts against CSP + LDA;
- :mod:`~models.evaluation.seizure`: CHB-MIT chb01 leave-one-seizure-out and
  false alarms on seizure-free EEG, against line-length and band-power
  features;
- :mod:`~models.evaluation.familiarity`: UCI trials within and across
  subjects, against the ERP baseline;
- :mod:`~models.evaluation.summary`: accuracy over folds in one shape;
- :mod:`~models.evaluation.bench`: the cube's speed per Brian2 target
  (``neucube bench``).

``neucube evaluate --task motor|seizure|familiarity`` and ``neucube bench`` run
them; their numbers are in BENCHMARKS.md.
"""
