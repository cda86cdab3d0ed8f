"""The cube's rows of an evaluation table, fitted and scored on one fold.

Every evaluation scores the same set of cube configurations on its folds, so
that each table shows what each part adds:

``neucube_<readout>``
    The default cube (calibrated operating point, bounded STDP) read out by
    each readout: ``desnn`` (NeuCube's), ``counts`` (whole-sample spike
    counts) and ``bins`` (spike counts per electrode group in time bins).
``neucube_no_stdp_<readout>``
    The same cube with STDP off (``n_passes=0``): what STDP adds.
``neucube_preset_<readout>``
    NeuCube's published operating point (:data:`~models.classifier.NEUCUBE_PRESET`).
``spikes_only_<readout>``
    The encoder's spikes with no reservoir in between (``counts`` and
    ``bins``, one feature per input neuron): what the reservoir adds.
``neucube_tuned``
    Only when a grid is given: the cube whose parameters an inner
    cross-validation on the fold's training epochs chose
    (:func:`models.tuning.tune`), so that nothing is tuned on the epochs it is
    scored on (nested cross-validation).

Only the cube's (or the encoder's) spikes enter these readouts; the
baselines are scored beside them by each evaluation.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..classifier import NEUCUBE_PRESET, jsonable_params

__all__ = ["CUBE_CONFIGS", "READOUTS", "cube_rows", "row_names"]

#: Readouts scored on every cube configuration.
READOUTS = ("desnn", "counts", "bins")
#: Cube configurations: row prefix -> classifier parameters over the defaults.
CUBE_CONFIGS = {
    "neucube": {},
    "neucube_no_stdp": {"n_passes": 0},
    "neucube_preset": dict(NEUCUBE_PRESET),
}
#: Readouts of the encoder's spikes alone.
SPIKE_READOUTS = ("counts", "bins")


def row_names(configs=tuple(CUBE_CONFIGS), *, tuned: bool = False) -> list[str]:
    """Names of the rows :func:`cube_rows` returns, in table order.

    Parameters
    ----------
    configs : sequence of str
        Cube configurations (keys of :data:`CUBE_CONFIGS`).
    tuned : bool
        Whether a nested search adds the ``neucube_tuned`` row.

    Returns
    -------
    names : list of str
        ``<config>_<readout>`` for each configuration and readout, then
        ``spikes_only_<readout>`` (and ``neucube_tuned``).
    """
    names = [f"{c}_{r}" for c in configs for r in READOUTS]
    names += [f"spikes_only_{r}" for r in SPIKE_READOUTS]
    return names + (["neucube_tuned"] if tuned else [])


def cube_rows(
    make_classifier,
    X_train,
    y_train,
    X_test,
    *,
    configs=tuple(CUBE_CONFIGS),
    tune_grid=None,
    tune_cv=3,
):
    """Fit every cube configuration on one fold; return each row's predictions.

    Parameters
    ----------
    make_classifier : callable
        ``make_classifier(**params)`` returns an unfitted
        :class:`~models.classifier.NeuCubeClassifier` (or subclass) for the
        fold, with ``params`` overriding its defaults.
    X_train, y_train : ndarray
        Training epochs and labels.
    X_test : ndarray
        Test epochs.
    configs : sequence of str
        Which of :data:`CUBE_CONFIGS` to fit.
    tune_grid : dict | None
        A parameter grid (see :func:`models.tuning.tune`): adds the
        ``neucube_tuned`` row, searched on ``X_train`` alone.
    tune_cv : int
        Inner folds of that search.

    Returns
    -------
    pred : dict of str to ndarray
        Predicted labels of the test epochs per row (see :func:`row_names`).
    info : dict
        Per configuration: the fitted summary (``rate``, ``active_share``,
        ``threshold``, ``stdp_change`` on the training epochs) and
        ``test_rate`` / ``test_active_share`` on the test epochs; plus the
        test activity's provenance (``target``, versions) and ``spikes``
        (reservoir spikes, test epochs) of the default cube.
    """
    from neucube.cube import CubeActivity

    pred, info = {}, {"configs": {}}
    for config in configs:
        clf = make_classifier(**{"readout": "bins", **CUBE_CONFIGS[config]})
        a_train, s_train = clf.fit_transform(X_train, y_train, return_spikes=True)
        a_test, s_test = clf.transform(X_test, return_spikes=True)
        for readout in READOUTS:
            r = clf.set_params(readout=readout)._make_readout(clf.cube_)
            with warnings.catch_warnings():
                # few training epochs and many neurons: the solver may stop early
                warnings.simplefilter("ignore", category=UserWarning)
                pred[f"{config}_{readout}"] = r.fit(a_train, y_train).predict(a_test)
        info["configs"][config] = {
            **clf.fit_summary_,
            "test_rate": a_test.rate,
            "test_active_share": a_test.active_share,
        }
        if config == configs[0]:
            info.update(a_test.info)
            info["spikes"] = (a_test.n_spikes, len(X_test))
            info["cube"] = {k: v for k, v in clf.get_params().items() if k != "ch_names"}
            sfreq = clf.sfreq
            i_train = CubeActivity.from_spikes(s_train, sfreq)
            i_test = CubeActivity.from_spikes(s_test, sfreq)
            for readout in SPIKE_READOUTS:
                r = clf.set_params(readout=readout)._make_readout(None)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", category=UserWarning)
                    pred[f"spikes_only_{readout}"] = r.fit(i_train, y_train).predict(i_test)
    if tune_grid is not None:
        from ..tuning import tune

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=UserWarning)
            searcher = tune(make_classifier(), X_train, y_train, grid=tune_grid, cv=tune_cv)
            pred["neucube_tuned"] = searcher.best_estimator_.predict(X_test)
        info["tuned_params"] = jsonable_params(searcher.best_params_)
    return pred, info


def mean_config_info(infos):
    """Average the per-configuration numbers of several folds' ``info``.

    Parameters
    ----------
    infos : list of dict
        ``info`` of each fold from :func:`cube_rows`.

    Returns
    -------
    summary : dict
        Per configuration, the mean of each number over the folds (rounded).
    """
    out = {}
    for info in infos:
        for config, values in info.get("configs", {}).items():
            for key, value in values.items():
                out.setdefault(config, {}).setdefault(key, []).append(float(value))
    return {
        c: {k: float(np.format_float_positional(np.mean(v), 4)) for k, v in d.items()}
        for c, d in out.items()
    }
