"""Write the report: :func:`write_report` (see :mod:`models.report`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import logger
from .figures import (
    _png,
    _representative,
    fig_cluster_activity,
    fig_clusters,
    fig_compare,
    fig_connections,
    fig_interaction,
    fig_raster,
    fig_weight_change,
)
from .html import _e, _html, _img, _metrics_html, _table
from .inputs import (
    SEIZURE_DESCRIPTION,
    ReportError,
    _classifier_conditions,
    _find_recording,
    _load_metrics,
    _recording_files,
    _seizure_conditions,
    _uci_conditions,
    _uci_folders,
)

if TYPE_CHECKING:
    from ..classifier import NeuCubeClassifier
    from ..seizure.detector import SeizureDetector


def write_report(
    model: str | os.PathLike | SeizureDetector | NeuCubeClassifier,
    data: str | os.PathLike | None = None,
    out: str | os.PathLike = "report.html",
    *,
    metrics: str | os.PathLike | dict | None = None,
    threshold: float | None = None,
    n_connections: int = 200,
    n_samples: int = 3,
    conditions: list[str] | None = None,
    epoch: float | None = None,
    l_freq: float | None = 0.5,
    h_freq: float | None = 40.0,
    notch: float | None = None,
    alpha: float = 0.99,
) -> Path:
    """Write the HTML report of what a model's cube learned.

    Parameters
    ----------
    model : path-like | SeizureDetector | NeuCubeClassifier
        The trained model (see :func:`models.io.read_model`).
    data : path-like | None
        An EEG recording, or a folder of them (the first with a seizure
        annotation for a detector, with annotations for a classifier, is
        used), to run the cube on. ``None``: the sections that need activity
        (raster, cluster activity, conditions) say so instead.
    out : path-like
        The HTML file to write (replaced if it exists; folders created).
    metrics : path-like | dict | None
        The JSON written by ``neucube evaluate ... --json`` (or its dict),
        shown as an accuracy table.
    threshold : float | None
        Draw the connections with ``|w| >= threshold`` (at most 2,000 per
        sign, the strongest). ``None``: the ``n_connections`` strongest of
        each sign.
    n_connections : int
        Connections of each sign drawn when ``threshold`` is None.
    n_samples : int
        Windows or epochs per condition run through the cube.
    conditions : list of str | None
        Classifier only: the two annotation descriptions to compare (default:
        the two most frequent).
    epoch : float | None
        Classifier only: epoch length in seconds after each annotation onset
        (default 2 s). A detector uses its own windows.
    l_freq, h_freq, notch : float | None
        Classifier only: the causal band-pass (and notch) applied before
        encoding; use the band the classifier was trained with. A detector
        uses its own settings.
    alpha : float
        Label propagation factor of the clusters (NeuCube: 0.99).

    Returns
    -------
    path : pathlib.Path
        The report written.
    """
    from neucube._checks import check_positive
    from neucube.analysis import (
        cluster_activity,
        compare_conditions,
        feature_interaction_network,
        initial_weights,
        neuron_clusters,
        strongest_connections,
        weight_change,
    )

    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ReportError(f"--out must name an .html file, got {out}.")
    if threshold is not None:
        threshold = check_positive(threshold, "threshold", strict=False)
    if (
        isinstance(n_connections, bool)
        or not isinstance(n_connections, (int, np.integer))
        or n_connections < 1
    ):
        raise ReportError(f"n_connections must be a positive int, got {n_connections!r}.")
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ReportError(f"n_samples must be a positive int, got {n_samples!r}.")
    result = _load_metrics(metrics)
    uci = None if data is None else _uci_folders(data)
    files = None if data is None or uci else _recording_files(data)
    from ..io import read_model

    m = read_model(model)
    if m.detector is not None and m.detector.method != "neucube":
        raise ReportError(
            "The SeizureDetector must be a trained cube detector (method='neucube'); "
            f"{m.name} uses method={m.detector.method!r}."
        )
    clf, cube = m.classifier, m.cube
    names = list(
        cube.ch_names
        or getattr(clf, "ch_names", None)
        or [f"ch{c}" for c in range(cube.n_channels)]
    )
    sfreq = float(clf.sfreq)
    sections = []

    # -- model ------------------------------------------------------------------
    versions = m.info.get("versions") or {}
    rows = [
        ["model", f"{m.name} ({m.description})"],
        ["channels", f"{cube.n_channels}: {', '.join(names)}"],
        ["sampling rate", f"{sfreq:g} Hz (one cube step per sample)"],
        [
            "reservoir",
            f"{cube.n_neurons} neurons, {cube.n_connections} connections "
            f"({int(np.sum(cube.weights_ > 0))} excitatory, "
            f"{int(np.sum(cube.weights_ < 0))} inhibitory), radius {cube.radius:g} mm",
        ],
        [
            "learning",
            f"{cube.stdp} STDP, rate {cube.stdp_rate:g}, {cube.n_passes_} pass(es); "
            f"weights in [{cube.weights_.min():.3g}, {cube.weights_.max():.3g}]",
        ],
        ["seed", cube.seed_],
        ["readout", getattr(clf, "readout", "–")],
    ]
    if m.detector is not None:
        det = m.detector
        rows.append(
            [
                "detector",
                f"{det.window:g} s windows every {det.hop:g} s, band "
                f"{det.l_freq}–{det.h_freq} Hz, notch {det.notch}, "
                f"threshold {det.threshold:g}",
            ]
        )
    if versions or m.info.get("created"):
        rows.append(
            [
                "written by",
                ", ".join(f"{k} {v}" for k, v in versions.items())
                + (f"; {m.info['created']}" if m.info.get("created") else ""),
            ]
        )
    sections.append(("model", "Model", _table(["", ""], rows)))

    # -- connections -------------------------------------------------------------
    if threshold is None:
        pos = strongest_connections(cube, n=n_connections, sign="positive")
        neg = strongest_connections(cube, n=n_connections, sign="negative")
        rule = f"the {n_connections} strongest of each sign"
    else:
        pos = strongest_connections(cube, n=2000, sign="positive", threshold=threshold)
        neg = strongest_connections(cube, n=2000, sign="negative", threshold=threshold)
        rule = f"those with |w| ≥ {threshold:g} (at most 2,000 of each sign)"
    lows = [
        f"{kind} from |w| = {np.abs(c.weights).min():.3g} to {np.abs(c.weights).max():.3g}"
        for kind, c in (("excitatory", pos), ("inhibitory", neg))
        if len(c)
    ]
    logger.info("Report: drawing %d + %d connections", len(pos), len(neg))
    fig = fig_connections(cube, names, pos, neg)
    content = _img(
        _png(fig),
        "strongest connections in 3D",
        f"Drawn: {_e(rule)}; {_e('; '.join(lows) or 'none')}. Grey dots are the "
        "reservoir neurons at their brain coordinates (MNI mm); black triangles the "
        "input neurons, labelled with their channel. Left: seen from above (front "
        "at the top); right: from the front left, above (orthographic views).",
    )
    sections.append(("connections", "Connections", content))

    # -- clusters ------------------------------------------------------------------
    clusters = neuron_clusters(cube, alpha=alpha)
    fig = fig_clusters(cube, clusters, names)
    biggest = np.argsort(-clusters.sizes, kind="stable")[:3]
    content = _img(
        _png(fig),
        "neuron clusters",
        "Each reservoir neuron takes the channel whose input reaches it most: "
        f"F = (I − {alpha:g}·S)⁻¹·Y with S = D^−½·W·D^−½ over the absolute weights "
        "(made symmetric), Y marking each channel's two input neurons; the cluster "
        "is the largest entry of the neuron's row of F. Largest clusters: "
        + _e(", ".join(f"{names[c]} ({clusters.sizes[c]} neurons)" for c in biggest))
        + (
            f"; {clusters.n_unassigned} neurons are reached by no input."
            if clusters.n_unassigned
            else "."
        ),
    )
    sections.append(("clusters", "Clusters", content))

    # -- feature interaction network ------------------------------------------------
    M = feature_interaction_network(cube, clusters)
    fig = fig_interaction(cube, clusters, M, names)
    sym = M + M.T
    np.fill_diagonal(sym, 0)
    iu = np.triu_indices(len(M), 1)
    order = np.argsort(-sym[iu], kind="stable")[:5]
    strongest = ", ".join(
        f"{names[iu[0][k]]} – {names[iu[1][k]]} ({sym[iu][k]:.3g})" for k in order if sym[iu][k] > 0
    )
    content = _img(
        _png(fig),
        "feature interaction network",
        "M[i, j] = Σ|w| over the connections from a neuron of cluster i to one of "
        "cluster j (input neurons count in their channel's cluster; raw sums in "
        "weight units, not normalised). The graph draws M[i, j] + M[j, i]. "
        f"Strongest links: {_e(strongest or 'none')}.",
    )
    sections.append(("interaction", "Feature interaction network", content))

    # -- activity -------------------------------------------------------------------
    if data is None:
        note = "<p class=note>No recording given (--data): no activity to show.</p>"
        for sid, head in (
            ("raster", "Spike raster"),
            ("activity", "Cluster activity"),
            ("conditions", "Conditions compared"),
        ):
            sections.append((sid, head, note))
        data_desc = None
    else:
        if m.detector is not None:
            path, raw = _find_recording(files, lambda d: SEIZURE_DESCRIPTION in d)
            conds, how = _seizure_conditions(m.detector, raw, n_samples)
        elif uci:
            path = Path(data)
            conds, how = _uci_conditions(clf, uci, n_samples)
        else:
            path, raw = _find_recording(files, lambda d: bool(d))
            conds, how = _classifier_conditions(
                clf,
                raw,
                n_samples,
                conditions,
                2.0 if epoch is None else float(epoch),
                l_freq,
                h_freq,
                notch,
            )
        data_desc = f"{path.name}: {how}"
        logger.info("Report: running the cube on %s", data_desc)
        acts, inputs = [], []
        for cond in conds:
            inputs.append(clf.encoder_.transform(cond.X))
            acts.append(cube.transform(inputs[-1]))
        picks = [_representative(a) for a in acts]
        fig = fig_raster(conds, acts, inputs, clusters, names, sfreq, picks)
        content = _img(
            _png(fig),
            "spike raster",
            f"Samples from {_e(data_desc)}. For each condition the sample with the "
            "median number of reservoir spikes: on top the encoder's spikes per "
            "channel (positive red, negative blue), below each reservoir neuron's "
            "spikes, neurons grouped by cluster and coloured like the cluster map.",
        )
        sections.append(("raster", "Spike raster", content))
        cas = [cluster_activity(a, clusters) for a in acts]
        fig = fig_cluster_activity(conds, cas, names)
        totals = ", ".join(
            f"{c.name}: {a.n_spikes / max(len(a), 1):.0f} reservoir spikes per sample"
            for c, a in zip(conds, acts)
        )
        content = _img(
            _png(fig),
            "cluster activity",
            "Spikes of each cluster's neurons per neuron per second, in 0.1 s bins, "
            f"averaged over the condition's samples ({_e(totals)}).",
        )
        sections.append(("activity", "Cluster activity", content))
        if len(conds) == 2:
            cmp = compare_conditions(
                acts[0], acts[1], clusters, cube, names=(conds[0].name, conds[1].name), n=15
            )
            fig = fig_compare(cmp, names)
            text = "".join(f"<li>{_e(line)}</li>" for line in cmp.summary())

            def cluster_of(neuron):
                lab = clusters.labels[neuron]
                return names[lab] if lab >= 0 else "unassigned"

            rows = []
            for r, (k, p, q, w) in enumerate(
                zip(cmp.top.index, cmp.top.pre, cmp.top.post, cmp.top.weights), 1
            ):
                rows.append(
                    [
                        r,
                        f"{p} ({cluster_of(p)})",
                        f"{q} ({cluster_of(q)})",
                        f"{w:+.3f}",
                        f"{cmp.coactivation[0, k]:.2f}",
                        f"{cmp.coactivation[1, k]:.2f}",
                    ]
                )
            table = (
                _table(
                    [
                        "#",
                        "from neuron (cluster)",
                        "to neuron (cluster)",
                        "weight",
                        f"co-activations per sample: {conds[0].name}",
                        f"… {conds[1].name}",
                    ],
                    rows,
                    numeric=(0, 3, 4, 5),
                )
                if rows
                else "<p>No connection's co-activation differs.</p>"
            )
            content = (
                f"<ul>{text}</ul>"
                + _img(
                    _png(fig),
                    "conditions compared",
                    "Left: each cluster's mean firing in each condition. Right: for "
                    "each pair of clusters, Σ over their connections of |w| × the "
                    "number of times the source fired one step before the target "
                    "(the spikes that connection carried into a firing target), per "
                    "sample; red: more in the second condition.",
                )
                + "<p>The connections whose co-activation (source fires, target fires "
                "one step later) differs most between the conditions:</p>" + table
            )
            sections.append(("conditions", "Conditions compared", content))
        else:
            sections.append(
                (
                    "conditions",
                    "Conditions compared",
                    f"<p class=note>Only one condition in the data ({_e(how)}): "
                    "nothing to compare.</p>",
                )
            )

    # -- weight change ------------------------------------------------------------------
    w0 = initial_weights(cube)
    if w0 is None:
        content = (
            "<p class=note>The model does not carry its initial weights, and they "
            "cannot be rebuilt (no seed recorded, or connections set by hand): no "
            "weight-change map.</p>"
        )
    elif cube.n_passes_ == 0 and np.array_equal(w0, cube.weights_):
        content = (
            "<p class=note>The cube has not learned (no STDP pass): its weights are the "
            "initial ones.</p>"
        )
    else:
        change = weight_change(w0, cube.weights_, cube.pre_, cube.post_, cube.n_neurons)
        fig = fig_weight_change(cube, change)
        hot = np.argsort(-change.per_neuron, kind="stable")[:5]
        flipped = int(np.sum(np.sign(w0) != np.sign(cube.weights_)))
        where = []
        for n in hot:
            xyz = ", ".join(f"{v:g}" for v in cube.coords[n])
            lab = clusters.labels[n]
            where.append(
                f"neuron {n} at ({xyz}) mm" + (f", {names[lab]} cluster" if lab >= 0 else "")
            )
        where = "; ".join(where)
        content = _img(
            _png(fig),
            "weight change map",
            f"Initial weights rebuilt from the cube's seed ({cube.seed_}) and "
            f"compared with the learned ones after {cube.n_passes_} STDP pass(es). "
            f"Mean |Δw| {np.abs(change.delta).mean():.3g}; {flipped} "
            f"connections changed sign. Most changed: {_e(where)}.",
        )
    sections.append(("weights", "Weight change", content))

    # -- accuracy -----------------------------------------------------------------------
    if result is not None:
        sections.append(("accuracy", "Accuracy", _metrics_html(result)))
    else:
        sections.append(
            (
                "accuracy",
                "Accuracy",
                "<p class=note>No metrics given (--metrics, the JSON of "
                "<code>neucube evaluate ... --json</code>).</p>",
            )
        )

    page = _html(f"What the cube learned: {m.name}", sections)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)
    logger.info("Report written to %s (%d kB)", out, len(page) // 1024)
    return out
