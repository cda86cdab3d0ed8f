"""Seizure detection: windows of EEG in, seizure events and alerts out.

One detector serves offline and live, and each stage has its own module:

- :mod:`~models.seizure.detector`: :class:`SeizureDetector` (windows,
  flat/disconnected flagging, channel mapping, the cube classifier or a
  non-spiking baseline, the shipped chb01 model);
- :mod:`~models.seizure.events`: :class:`SeizureEvent` and the events rule
  (:class:`EventTracker`, :func:`events_from_probabilities`), fed all windows
  at once offline and one window at a time live;
- :mod:`~models.seizure.formats`: events in and out of files (MNE, EDF+, BIDS,
  SzCORE, CSV);
- :mod:`~models.seizure.scoring`: SzCORE event and sample scoring through
  ``timescoring``;
- :mod:`~models.seizure.batch`: :func:`detect_many`, the detector over many
  recordings (here, through joblib or on a Dask cluster), each result stored
  as it arrives;
- :mod:`~models.seizure.live`: :class:`LivePipeline`, the detector on a live
  stream;
- :mod:`~models.seizure.headless`: :func:`run_headless`, the terminal demo.

The module names are the way in; nothing is imported here, so importing one
stage does not load the others (the live pipeline needs liblsl, the formats
need EDF export).
"""
