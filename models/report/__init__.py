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

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import logger

__all__ = ["ReportError", "load_model", "write_report"]

SEIZURE_DESCRIPTION = "seizure"
_VIEWS = (("seen from above (front at the top)", 90.0, -90.0),
          ("seen from the front left, above", 25.0, 135.0))
_AXIS_LABELS = ("x (mm, left → right)", "y (mm, back → front)", "z (mm, down → up)")


class ReportError(ValueError):
    """The report cannot be made from the inputs given (the message says why)."""


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------


@dataclass
class LoadedModel:
    """A model ready for the report.

    Attributes
    ----------
    kind : ``'seizure detector'`` | ``'classifier'``
        What the file holds.
    classifier : NeuCubeClassifier
        The classifier (the detector's ``classifier_``).
    detector : SeizureDetector | None
        The detector, for a seizure model.
    name : str
        File name (or class name for an object).
    info : dict
        The cube file's metadata (versions, creation time), when loaded from
        a file.
    """

    kind: str
    classifier: object
    detector: object = None
    name: str = ""
    info: dict = field(default_factory=dict)

    @property
    def cube(self):
        """The model's cube (Cube)."""
        return self.classifier.cube_


def _peek_sections(fname):
    """Names of a cube file's extra sections, without loading it (or None)."""
    try:
        with np.load(fname, allow_pickle=False) as npz:
            meta = json.loads(str(npz["metadata"]))
        return set((meta.get("extra") or {}).keys())
    except Exception:  # not a cube file: the loader below explains
        return None


def load_model(model):
    """Load a seizure detector or a NeuCubeClassifier, whichever the file holds.

    Parameters
    ----------
    model : path-like | SeizureDetector | NeuCubeClassifier
        A model file (``neucube train``'s output, or
        :meth:`NeuCubeClassifier.save`'s), or a trained model object.

    Returns
    -------
    loaded : LoadedModel
        The model with its kind.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ReportError
        If the file is not one of our models, or the object is not trained.
    """
    from neucube.persistence import CubeFileError

    from ..seizure.detector import SeizureDetector
    from ..classifier import NeuCubeClassifier

    if isinstance(model, SeizureDetector):
        if not hasattr(model, "classifier_") or model.method != "neucube":
            raise ReportError(
                "The SeizureDetector must be a trained cube detector (method='neucube'): "
                "call fit or SeizureDetector.load first."
            )
        return LoadedModel("seizure detector", model.classifier_, model, type(model).__name__,
                           getattr(model.classifier_.cube_, "file_info_", {}) or {})
    if isinstance(model, NeuCubeClassifier):
        if not hasattr(model, "cube_"):
            raise ReportError("The NeuCubeClassifier is not fitted: call fit or load one first.")
        return LoadedModel("classifier", model, None, type(model).__name__,
                           getattr(model.cube_, "file_info_", {}) or {})
    if not isinstance(model, (str, os.PathLike)):
        raise TypeError(
            "model must be a model file path, a SeizureDetector or a NeuCubeClassifier, got "
            f"{type(model).__name__}."
        )
    path = Path(model)
    if not path.is_file():
        raise FileNotFoundError(
            f"Model file not found: {path}. Pass a model written by `neucube train` (the "
            "shipped one is models/data/chb01_seizure.npz) or by NeuCubeClassifier.save."
        )
    sections = _peek_sections(path)
    try:
        if sections is not None and "detector" in sections:
            det = SeizureDetector.load(path)
            return LoadedModel("seizure detector", det.classifier_, det, path.name,
                               getattr(det.classifier_.cube_, "file_info_", {}) or {})
        clf = NeuCubeClassifier.load(path)
    except CubeFileError as err:
        raise ReportError(
            f"Not a NeuCube-EEG model: {err} `neucube report` takes a seizure detector "
            "(`neucube train`) or a NeuCubeClassifier saved with NeuCubeClassifier.save."
        ) from err
    return LoadedModel("classifier", clf, None, path.name,
                       getattr(clf.cube_, "file_info_", {}) or {})


def _recording_files(data):
    """The recording ``data`` names, or the EEG files in the folder it names."""
    from acquisition import SUPPORTED_EXTENSIONS

    path = Path(data)
    if not path.exists():
        raise FileNotFoundError(
            f"--data not found: {path}. Pass an EEG recording or a folder of them."
        )
    if path.is_file():
        return [path]
    exts = tuple(SUPPORTED_EXTENSIONS)
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(exts))
    if not files:
        raise FileNotFoundError(
            f"No EEG recording in {path} (looked for {', '.join(exts)} files, in subfolders too)."
        )
    return files


def _find_recording(files, prefer):
    """Read the first of ``files`` whose annotation descriptions satisfy ``prefer``."""
    from acquisition import read_raw

    first = None
    for f in files[:50]:
        raw = read_raw(f)
        if first is None:
            first = (f, raw)
        if len(files) == 1 or prefer({str(d).strip().lower() for d in raw.annotations.description}):
            return f, raw
    logger.info("None of %d recordings has the annotations looked for; using %s", len(files),
                first[0])
    return first


@dataclass
class Condition:
    """Samples of one condition: ``X`` (n, channels, times) and their onsets (s)."""

    name: str
    X: np.ndarray
    onsets: np.ndarray


def _spread(index, n):
    """At most ``n`` entries of ``index`` spread evenly over it."""
    index = np.asarray(index)
    if len(index) <= n:
        return index
    return index[np.unique(np.round(np.linspace(0, len(index) - 1, n)).astype(int))]


def _seizure_conditions(det, raw, n):
    from ..seizure.events import events_from_annotations

    data, _ = det.prepare(raw)
    win, times, _ = det.windows(data)
    events = events_from_annotations(raw, description=SEIZURE_DESCRIPTION)
    how = ""
    if events:
        ev = events[0]
        before = np.flatnonzero(times + det.window <= ev.onset + 1e-9)[-n:]
        during = np.flatnonzero((times >= ev.onset - 1e-9) & (times + det.window <= ev.end + 1e-9))
        during = _spread(during, n)
        if len(before) and len(during):
            how = (f"the {len(before)} window(s) just before the annotated seizure "
                   f"({ev.onset:g}–{ev.end:g} s) and {len(during)} spread over it")
            return [Condition("before seizure", win[before], times[before]),
                    Condition("during seizure", win[during], times[during])], how
    pick = _spread(np.arange(len(win)), 60)
    proba = det.predict_proba_windows(win[pick])
    pos, neg = pick[proba >= det.threshold], pick[proba < det.threshold]
    conds = []
    if len(neg):
        neg = _spread(neg, n)
        conds.append(Condition("no seizure predicted", win[neg], times[neg]))
    if len(pos):
        pos = _spread(pos, n)
        conds.append(Condition("seizure predicted", win[pos], times[pos]))
    how = (f"no annotated seizure with windows before and during it: {len(pick)} windows spread "
           f"over the recording, split by the model's own call (threshold {det.threshold:g})")
    return conds, how


def _uci_folders(data):
    """The UCI EEG subject folders ``data`` names, or None if it names none."""
    from acquisition import find_uci_subjects

    path = Path(data)
    if not path.is_dir():
        return None
    try:
        return find_uci_subjects(path)
    except (FileNotFoundError, ValueError):
        return None


def _uci_conditions(clf, folders, n):
    """Familiar and unfamiliar trials of UCI subject folders, as conditions."""
    from acquisition import read_uci_epochs

    X, y, groups, ch_names, sfreq = read_uci_epochs(folders)
    if list(ch_names) != list(clf.ch_names) or abs(sfreq - float(clf.sfreq)) > 1e-6:
        raise ReportError(
            f"The trials in {folders[0].parent} have other channels or another rate than the "
            "model was trained on."
        )
    X = X * 1e6  # µV, as the classifier was trained
    crop = getattr(clf, "_crop", None)  # a FamiliarityClassifier sees only its window
    if crop is not None:
        X = crop(X)[0]
    conds = []
    for label in ("familiar", "unfamiliar"):
        idx = _spread(np.flatnonzero(y == label), n)
        conds.append(Condition(label, X[idx], idx.astype(float)))
    how = (f"UCI EEG trials of {len(set(groups))} subject(s): 'familiar' (S2 match) and "
           f"'unfamiliar' (S2 nomatch), as the classifier sees them")
    return conds, how


def _classifier_conditions(clf, raw, n, names, epoch, l_freq, h_freq, notch):
    from acquisition import OnlineFilter, resample

    fname = raw.filenames[0] if raw.filenames and raw.filenames[0] else "the recording"
    ch_names = list(clf.ch_names)
    missing = [c for c in ch_names if c not in raw.ch_names]
    if missing:
        raise ReportError(
            f"{fname} lacks {len(missing)} of the model's {len(ch_names)} channels: {missing}. "
            "Pass a recording with the channels the classifier was trained on."
        )
    raw = raw.copy().pick(ch_names)
    sfreq = float(clf.sfreq)
    if abs(raw.info["sfreq"] - sfreq) > 1e-6:
        logger.warning("%s is sampled at %g Hz; resampled to the model's %g Hz.", fname,
                       raw.info["sfreq"], sfreq)
        raw = resample(raw, new_sfreq=sfreq)
    data = raw.get_data(units="uV")
    data = OnlineFilter(sfreq, l_freq=l_freq, h_freq=h_freq, notch=notch).filter(data)
    n_times = int(round(epoch * sfreq))
    if n_times < 2 or n_times > data.shape[1]:
        raise ReportError(
            f"epoch={epoch:g} s does not fit: the recording is {data.shape[1] / sfreq:.1f} s long."
        )
    ann = raw.annotations
    onsets = {}
    for onset, desc in zip(ann.onset - raw.first_time, ann.description):
        if str(desc).lower().startswith(("bad", "edge")):
            continue
        start = int(round(onset * sfreq))
        if 0 <= start and start + n_times <= data.shape[1]:
            onsets.setdefault(str(desc), []).append(start)
    if names:
        unknown = [c for c in names if c not in onsets]
        if unknown:
            raise ReportError(
                f"--conditions {unknown} not among the annotations of {fname} with a whole "
                f"{epoch:g} s epoch: {sorted(onsets)}."
            )
        chosen = list(names)
    else:
        chosen = sorted(onsets, key=lambda d: (-len(onsets[d]), d))[:2]
    conds = []
    for name in chosen:
        starts = _spread(np.array(onsets[name]), n)
        X = np.stack([data[:, s : s + n_times] for s in starts])
        conds.append(Condition(name, X, starts / sfreq))
    how = ""
    if len(conds) == 1 and not names:
        # one kind of annotation: compare it with the EEG just before its first onset
        first = min(onsets[chosen[0]])
        starts = np.arange(first - n_times, -1, -n_times)[:n][::-1]
        if len(starts):
            X = np.stack([data[:, s : s + n_times] for s in starts])
            conds.insert(0, Condition(f"before {chosen[0]}", X, starts / sfreq))
            how = f"; '{conds[0].name}': the {len(starts)} epoch(s) just before its first onset"
    if conds:
        how = (f"{epoch:g} s epochs from the onsets of the annotations "
               + " and ".join(f"'{c}'" for c in chosen)
               + how + f", band-pass {l_freq}–{h_freq} Hz (causal)")
        return conds, how
    starts = np.arange(0, data.shape[1] - n_times + 1, n_times)[:n]
    X = np.stack([data[:, s : s + n_times] for s in starts])
    return [Condition("recording", X, starts / sfreq)], (
        f"the first {len(starts)} consecutive {epoch:g} s epochs (no annotations to compare)")


def _load_metrics(metrics):
    if metrics is None:
        return None
    if isinstance(metrics, dict):
        return metrics
    path = Path(metrics)
    if not path.is_file():
        raise FileNotFoundError(f"--metrics file not found: {path}.")
    try:
        result = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as err:
        raise ReportError(
            f"--metrics {path} is not JSON ({err}). Pass the output of "
            "`neucube evaluate ... --json`."
        ) from err
    if not isinstance(result, dict):
        raise ReportError(f"--metrics {path} holds a JSON {type(result).__name__}, not an object "
                          "as `neucube evaluate ... --json` writes.")
    return result


# ---------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------


def _figure(width, height, layout=None):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout=layout)


def _png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, facecolor="white")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _palette(n):
    import matplotlib

    tab20 = list(matplotlib.colormaps["tab20"].colors)
    cols = tab20[0::2] + tab20[1::2] + list(matplotlib.colormaps["tab20b"].colors)
    cols += list(matplotlib.colormaps["tab20c"].colors)
    return np.array([cols[i % len(cols)] for i in range(n)])


def _cluster_colors(labels, n_channels):
    pal = _palette(n_channels)
    out = np.tile(np.array([0.75, 0.75, 0.75]), (len(labels), 1))
    ok = labels >= 0
    out[ok] = pal[labels[ok]]
    return out


def _axes3d(fig, rect, coords, title, elev, azim):
    """A 3D axes at ``rect`` (figure fraction), orthographic, with equal mm scales."""
    ax = fig.add_axes(rect, projection="3d")
    ax.set_proj_type("ortho")
    ax.view_init(elev=elev, azim=azim)
    ax.set_xlabel(_AXIS_LABELS[0], fontsize=8, labelpad=2)
    ax.set_ylabel(_AXIS_LABELS[1], fontsize=8, labelpad=2)
    ax.set_zlabel(_AXIS_LABELS[2], fontsize=8, labelpad=2)
    ax.tick_params(labelsize=7, pad=0)
    lo, hi = coords.min(0) - 5, coords.max(0) + 5
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_zlim(lo[2], hi[2])
    ax.set_box_aspect(hi - lo, zoom=1.25 if elev >= 89 else 1.05)
    if elev >= 89:  # from above: z points at the viewer
        ax.set_zticks([])
        ax.set_zlabel("")
    elif elev <= 1 and abs(abs(azim) - 180) < 1:  # from the side: x points at the viewer
        ax.set_xticks([])
        ax.set_xlabel("")
    ax.text2D(0.5, 1.02, title, transform=ax.transAxes, ha="center", va="bottom", fontsize=10)
    return ax


def _view_rects(left, right, bottom=0.07, top=0.9, gap=0.0):
    """Side-by-side rectangles for the two views between ``left`` and ``right``."""
    width = (right - left - gap) / 2
    return [(left, bottom, width, top - bottom), (left + width + gap, bottom, width, top - bottom)]


def _input_sites(ax, cube, names, fontsize=6):
    sites = cube.coords[cube.input_index]
    ax.scatter(*sites.T, marker="^", s=28, c="black", depthshade=False, zorder=5)
    for name, xyz in zip(names, sites):
        ax.text(*(xyz + np.array([1.5, 1.5, 1.5])), name, fontsize=fontsize, color="black",
                zorder=6)


def fig_connections(cube, names, pos_conn, neg_conn):
    """Strongest connections in 3D, two views."""
    from matplotlib.lines import Line2D
    from mpl_toolkits.mplot3d.art3d import Line3DCollection

    positions = cube.positions
    fig = _figure(14, 7)
    wmax = max([np.abs(c.weights).max() for c in (pos_conn, neg_conn) if len(c)] or [1.0])
    for (view, elev, azim), rect in zip(_VIEWS, _view_rects(0.0, 1.0, bottom=0.1)):
        ax = _axes3d(fig, rect, cube.coords, view, elev, azim)
        ax.scatter(*cube.coords.T, s=3, c="0.7", alpha=0.5, depthshade=False)
        for conn, color in ((pos_conn, "tab:red"), (neg_conn, "tab:blue")):
            if not len(conn):
                continue
            segs = np.stack([positions[conn.pre], positions[conn.post]], axis=1)
            widths = 0.4 + 2.2 * np.abs(conn.weights) / wmax
            ax.add_collection3d(Line3DCollection(segs, colors=color, linewidths=widths,
                                                 alpha=0.65))
        _input_sites(ax, cube, names)
    handles = [
        Line2D([], [], color="tab:red", lw=2, label=f"excitatory (w > 0): {len(pos_conn)}"),
        Line2D([], [], color="tab:blue", lw=2, label=f"inhibitory (w < 0): {len(neg_conn)}"),
        Line2D([], [], ls="", marker="o", ms=4, color="0.7", label="reservoir neuron"),
        Line2D([], [], ls="", marker="^", ms=6, color="black", label="input neurons (channel)"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=9, frameon=False,
               bbox_to_anchor=(0.5, 0.0))
    fig.suptitle("Strongest connections of the cube (line width ∝ |weight|)", fontsize=13)
    return fig


def fig_clusters(cube, clusters, names):
    """Neurons coloured by cluster, two views."""
    from matplotlib.lines import Line2D

    lab = clusters.reservoir_labels
    pal = _palette(cube.n_channels)
    fig = _figure(15, 7)
    for (view, elev, azim), rect in zip(_VIEWS, _view_rects(0.0, 0.85, bottom=0.03)):
        ax = _axes3d(fig, rect, cube.coords, view, elev, azim)
        ax.scatter(*cube.coords.T, s=14, c=_cluster_colors(lab, cube.n_channels),
                   depthshade=False, alpha=0.9, linewidths=0)
        _input_sites(ax, cube, names)
    handles = [Line2D([], [], ls="", marker="o", ms=6, color=pal[c],
                      label=f"{names[c]} ({clusters.sizes[c]})") for c in range(cube.n_channels)]
    if clusters.n_unassigned:
        handles.append(Line2D([], [], ls="", marker="o", ms=6, color="0.75",
                              label=f"unassigned ({clusters.n_unassigned})"))
    fig.legend(handles=handles, loc="center right", fontsize=8, title="cluster (neurons)",
               title_fontsize=9, ncol=1 if len(handles) <= 24 else 2, frameon=False)
    fig.suptitle(f"Neuron clusters around each input (label propagation, α = {clusters.alpha:g})",
                 fontsize=13)
    return fig


def _channel_xy(cube, names):
    """2D (x, y) electrode position of each channel in mm, duplicates spread apart."""
    from neucube.template import channel_position

    xy = np.empty((len(names), 2))
    for k, name in enumerate(names):
        try:
            xy[k] = channel_position(name)[:2]
        except ValueError:  # a custom montage: use the input neurons' site
            xy[k] = cube.coords[cube.input_index[k], :2]
    keys = [tuple(np.round(p).astype(int)) for p in xy]
    groups = {}
    for k, key in enumerate(keys):
        groups.setdefault(key, []).append(k)
    for members in groups.values():
        if len(members) > 1:
            angles = np.linspace(0, 2 * np.pi, len(members), endpoint=False) + np.pi / 4
            xy[members] += 7.0 * np.c_[np.cos(angles), np.sin(angles)]
    return xy


def fig_interaction(cube, clusters, M, names):
    """The feature interaction network: a graph on the scalp and the matrix."""
    from matplotlib.patches import Circle, Polygon

    n = len(M)
    pal = _palette(n)
    xy = _channel_xy(cube, names)
    sym = M + M.T
    np.fill_diagonal(sym, 0.0)
    top = sym.max() if sym.size else 0.0
    fig = _figure(15, 7, layout="constrained")
    ax, axm = fig.subplots(1, 2, width_ratios=[1.0, 1.05])
    centre = xy.mean(0)
    radius = np.max(np.linalg.norm(xy - centre, axis=1)) + 14
    ax.add_patch(Circle(centre, radius, fill=False, lw=1.2, color="0.5"))
    ax.add_patch(Polygon([centre + [-9, radius - 1], centre + [0, radius + 11],
                          centre + [9, radius - 1]], closed=False, fill=False, color="0.5"))
    if top > 0:
        pairs = [(sym[i, j], i, j) for i in range(n) for j in range(i + 1, n)
                 if sym[i, j] >= 0.05 * top]
        for value, i, j in sorted(pairs):
            frac = value / top
            ax.plot(*xy[[i, j]].T, color="tab:purple", lw=0.5 + 7.5 * frac, alpha=0.25 + 0.6 * frac,
                    solid_capstyle="round", zorder=1)
    area = 60 + 500 * clusters.sizes / max(clusters.sizes.max(), 1)
    ax.scatter(*xy.T, s=area, c=pal, edgecolors="black", linewidths=0.8, zorder=3)
    for k, name in enumerate(names):
        ax.annotate(name, xy[k], xytext=(0, -np.sqrt(area[k]) / 2 - 7), textcoords="offset points",
                    ha="center", va="center", fontsize=7, zorder=4,
                    bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.7))
    ax.set_aspect("equal")
    ax.set_xlim(centre[0] - radius - 10, centre[0] + radius + 10)
    ax.set_ylim(centre[1] - radius - 10, centre[1] + radius + 18)
    ax.set_xlabel("x (mm, left → right)")
    ax.set_ylabel("y (mm, back → front)")
    ax.set_title("Channels at their electrode positions, seen from above; node size ∝ "
                 "cluster size,\nedge width ∝ Σ|w| between the two clusters (both directions; "
                 "under 5 % of the strongest: hidden)", fontsize=9)
    shown = M.astype(float).copy()
    np.fill_diagonal(shown, np.nan)
    im = axm.imshow(shown, cmap="viridis", interpolation="nearest")
    axm.set_xticks(range(n), names, rotation=90, fontsize=6)
    axm.set_yticks(range(n), names, fontsize=6)
    axm.set_xlabel("to cluster")
    axm.set_ylabel("from cluster")
    axm.set_title("Σ|w| of the connections from one cluster to another\n"
                  "(within a cluster, the diagonal, left blank)", fontsize=9)
    cb = fig.colorbar(im, ax=axm, shrink=0.8)
    cb.set_label("total |weight|")
    fig.suptitle("Feature interaction network", fontsize=13)
    return fig


def _neuron_rank(labels, n_channels):
    key = np.where(labels >= 0, labels, n_channels)
    order = np.lexsort((np.arange(len(labels)), key))
    rank = np.empty(len(labels), dtype=int)
    rank[order] = np.arange(len(labels))
    bounds = np.searchsorted(key[order], np.arange(n_channels + 1))
    return rank, bounds


def _representative(act):
    """The sample whose spike count is the median of its condition."""
    totals = act.counts.sum(axis=1)
    return int(np.argsort(totals, kind="stable")[(len(totals) - 1) // 2])


def fig_raster(conditions, acts, inputs, clusters, names, sfreq, picks):
    """Input spikes and the reservoir's raster, one sample per condition."""
    n_ch = clusters.n_channels
    lab = clusters.reservoir_labels
    rank, bounds = _neuron_rank(lab, n_ch)
    colors = _cluster_colors(lab, n_ch)
    k = len(conditions)
    fig = _figure(7.5 * k if k > 1 else 11, 9, layout="constrained")
    grid = fig.add_gridspec(2, k, height_ratios=[1, 3.2])
    centres = (bounds[:-1] + bounds[1:]) / 2
    for c, (cond, act, spikes, i) in enumerate(zip(conditions, acts, inputs, picks)):
        ax_in = fig.add_subplot(grid[0, c])
        ax = fig.add_subplot(grid[1, c], sharex=ax_in)
        s = spikes[i]
        for sign, color, label in ((1, "tab:red", "+ spike"), (-1, "tab:blue", "− spike")):
            ch, t = np.nonzero(s == sign)
            ax_in.scatter(t / sfreq, ch, s=2, c=color, marker="|", linewidths=0.6, label=label)
        ax_in.set_ylim(s.shape[0] - 0.5, -0.5)
        ax_in.set_yticks(range(s.shape[0])[::2], names[::2], fontsize=5)
        ax_in.set_title(f"{cond.name}: {cond.onsets[i]:.1f}–"
                        f"{cond.onsets[i] + act.n_times / sfreq:.1f} s of the recording\n"
                        f"encoder input spikes ({int(np.abs(s).sum())})", fontsize=9)
        ax_in.tick_params(labelbottom=False)
        if c == 0:
            ax_in.set_ylabel("channel")
            ax_in.legend(loc="upper right", fontsize=7, markerscale=3)
        neuron, step = act.spikes(i)
        if len(neuron):
            ax.scatter(step / sfreq, rank[neuron], s=2.5, c=colors[neuron], marker=".",
                       linewidths=0, rasterized=True)
        else:
            ax.text(0.5, 0.5, "no reservoir spikes in this sample", transform=ax.transAxes,
                    ha="center", va="center", fontsize=11, color="0.3")
        for b in bounds[1:-1]:
            ax.axhline(b - 0.5, color="0.85", lw=0.4, zorder=0)
        ax.set_xlim(0, act.n_times / sfreq)
        ax.set_ylim(len(lab) - 0.5, -0.5)
        ax.set_yticks(centres, names, fontsize=5)
        ax.set_xlabel("time in the sample (s)")
        ax.set_title(f"reservoir spikes ({len(neuron)}), neurons grouped by cluster", fontsize=9)
        if c == 0:
            ax.set_ylabel("neuron (by cluster)")
    fig.suptitle("Spike raster of the cube", fontsize=13)
    return fig


def fig_cluster_activity(conditions, cluster_acts, names):
    """Mean spikes per neuron per second of each cluster over time, per condition."""
    k = len(conditions)
    rates = [ca.rate.mean(axis=0) for ca in cluster_acts]
    vmax = max(max(float(r.max()) for r in rates), 1e-9)
    fig = _figure(7.5 * k if k > 1 else 10, 7, layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, k, sharey=True))
    im = None
    for ax, cond, ca, rate in zip(axes, conditions, cluster_acts, rates):
        t_end = ca.edges[-1] / (ca.sfreq or 1.0)
        im = ax.imshow(rate, aspect="auto", cmap="magma", vmin=0, vmax=vmax,
                       extent=[0, t_end, len(names) - 0.5, -0.5], interpolation="nearest")
        ax.set_yticks(range(len(names)), names, fontsize=7)
        ax.set_xlabel("time in the sample (s)")
        width = (ca.edges[1] - ca.edges[0]) / (ca.sfreq or 1.0)
        ax.set_title(f"{cond.name} (mean of {len(cond.X)} sample(s), {width:.2g} s bins)",
                     fontsize=10)
        if not ca.counts.any():
            ax.text(0.5, 0.5, "no reservoir spikes", transform=ax.transAxes, ha="center",
                    va="center", fontsize=12, color="white")
    axes[0].set_ylabel("cluster (input channel)")
    cb = fig.colorbar(im, ax=list(axes), shrink=0.85)
    cb.set_label("spikes per neuron per second")
    fig.suptitle("Spike activity of each cluster over time", fontsize=13)
    return fig


def fig_compare(comparison, names):
    """Firing per cluster in both conditions and the change in weight carried."""
    a, b = comparison.names
    n = len(names)
    fig = _figure(15, 7.5, layout="constrained")
    ax, axf = fig.subplots(1, 2, width_ratios=[1, 1.1])
    y = np.arange(n)
    ax.barh(y - 0.2, comparison.cluster_rate[0], height=0.4, color="tab:gray", label=a)
    ax.barh(y + 0.2, comparison.cluster_rate[1], height=0.4, color="tab:orange", label=b)
    ax.set_yticks(y, names, fontsize=7)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlabel("mean spikes per neuron per second")
    ax.set_ylabel("cluster (input channel)")
    ax.legend(fontsize=9)
    ax.set_title("Firing of each cluster", fontsize=10)
    if comparison.flow is not None:
        diff = comparison.flow[1] - comparison.flow[0]
        lim = max(float(np.abs(diff).max()), 1e-9)
        im = axf.imshow(diff, cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
        axf.set_xticks(range(n), names, rotation=90, fontsize=6)
        axf.set_yticks(range(n), names, fontsize=6)
        axf.set_xlabel("to cluster")
        axf.set_ylabel("from cluster")
        cb = fig.colorbar(im, ax=axf, shrink=0.8)
        cb.set_label(f"Σ co-activations × |w| per sample: {b} − {a}")
        axf.set_title("Weight carried by reservoir spikes between clusters\n"
                      f"(source fires, target fires one step later): '{b}' minus '{a}'",
                      fontsize=10)
    else:
        axf.set_axis_off()
    fig.suptitle(f"'{a}' and '{b}' compared", fontsize=13)
    return fig


def fig_weight_change(cube, change):
    """Summed |Δw| per neuron in 3D, two views, and the distribution of Δw."""
    from matplotlib import colors as mcolors

    fig = _figure(16, 7)
    vmax = max(float(change.per_neuron.max()), 1e-9)
    norm = mcolors.Normalize(0, vmax)
    sc = None
    for (view, elev, azim), rect in zip(_VIEWS, _view_rects(0.0, 0.66, bottom=0.14)):
        ax = _axes3d(fig, rect, cube.coords, view, elev, azim)
        sc = ax.scatter(*cube.coords.T, s=14, c=change.per_neuron, cmap="viridis", norm=norm,
                        depthshade=False, linewidths=0)
    cax = fig.add_axes((0.1, 0.08, 0.46, 0.025))
    cb = fig.colorbar(sc, cax=cax, orientation="horizontal")
    cb.set_label("Σ|Δw| of the neuron's incoming and outgoing connections")
    axh = fig.add_axes((0.745, 0.14, 0.24, 0.72))
    axh.hist(change.delta, bins=80, color="tab:green", log=True)
    axh.set_xlabel("Δw = weight after − before learning")
    axh.set_ylabel("connections (log scale)")
    axh.set_title(f"{change.n_changed} of {len(change.delta)} connections changed", fontsize=10)
    fig.suptitle("What STDP changed", fontsize=13)
    return fig


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1500px;margin:2em auto;
padding:0 1.5em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ccc}
.meta{color:#666}figure{margin:1em 0}img{max-width:100%;border:1px solid #eee}
figcaption{color:#555;font-size:.92em;max-width:70em}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em}
td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}th{background:#f4f4f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}.note{color:#8a5a00}
"""


def _e(x):
    return html.escape(str(x))


def _table(header, rows, numeric=()):
    out = ["<table>", "<tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr>"]
    for row in rows:
        cells = []
        for k, v in enumerate(row):
            cls = ' class="num"' if k in numeric else ""
            cells.append(f"<td{cls}>{_e(v)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _img(b64, alt, caption):
    return (f'<figure><img src="data:image/png;base64,{b64}" alt="{_e(alt)}">'
            f"<figcaption>{caption}</figcaption></figure>")


def _fmt(value, spec=".3f"):
    if value is None:
        return "–"
    if isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool):
        return format(value, spec)
    return str(value)


def _metrics_html(result):
    parts = []
    if result.get("data"):
        parts.append(f"<p>{_e(result['data'])}</p>")
    facts = [f"{k}: {result[k]}" for k in ("cv", "chance", "brian2_target", "seed", "wall_s",
                                            "background_training") if k in result]
    if facts:
        parts.append(f"<p class=meta>{_e('; '.join(facts))}</p>")
    if isinstance(result.get("accuracy"), dict):
        rows = []
        for name, acc in result["accuracy"].items():
            acc = acc if isinstance(acc, dict) else {"mean": acc}
            rows.append([name, _fmt(acc.get("mean")), _fmt(acc.get("sd")), _fmt(acc.get("median")),
                         len(acc.get("folds") or [])])
        parts.append(_table(["method", "accuracy (mean)", "sd", "median", "folds"], rows,
                            numeric=(1, 2, 3, 4)))
    if isinstance(result.get("methods"), dict):
        rows = []
        for name, entry in result["methods"].items():
            bg = entry.get("background") or {}
            found = f"{entry.get('seizures_detected', '–')} of {entry.get('seizures', '–')}"
            rows.append([name, found,
                         _fmt(entry.get("median_latency_s"), ".1f"),
                         _fmt(bg.get("false_alarms_per_hour"), ".2f") if bg else "–"])
        parts.append(_table(["method", "seizures detected", "median latency (s)",
                             "false alarms per hour"], rows, numeric=(2, 3)))
    if not any(isinstance(result.get(k), dict) for k in ("accuracy", "methods")):
        rows = [[k, v] for k, v in result.items() if isinstance(v, (int, float, str, bool))]
        parts.append(_table(["metric", "value"], rows) if rows else
                     "<p class=note>The metrics file holds no accuracy or seizure table.</p>")
    return "\n".join(parts)


def _html(title, sections):
    body = "\n".join(f'<section id="{_e(sid)}"><h2>{_e(head)}</h2>\n{content}</section>'
                     for sid, head, content in sections)
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>\n"
            f"<h1>{_e(title)}</h1><p class=meta>NeuCube-EEG report, written {now}</p>\n"
            f"{body}\n</body></html>\n")


# ---------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------


def write_report(model, data=None, out="report.html", *, metrics=None, threshold=None,
                 n_connections=200, n_samples=3, conditions=None, epoch=None, l_freq=0.5,
                 h_freq=40.0, notch=None, alpha=0.99):
    """Write the HTML report of what a model's cube learned.

    Parameters
    ----------
    model : path-like | SeizureDetector | NeuCubeClassifier
        The trained model (see :func:`load_model`).
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
    from neucube.analysis import (
        cluster_activity,
        compare_conditions,
        feature_interaction_network,
        initial_weights,
        neuron_clusters,
        strongest_connections,
        weight_change,
    )
    from neucube._checks import check_positive

    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ReportError(f"--out must name an .html file, got {out}.")
    if threshold is not None:
        threshold = check_positive(threshold, "threshold", strict=False)
    if isinstance(n_connections, bool) or not isinstance(n_connections, (int, np.integer)) \
            or n_connections < 1:
        raise ReportError(f"n_connections must be a positive int, got {n_connections!r}.")
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ReportError(f"n_samples must be a positive int, got {n_samples!r}.")
    result = _load_metrics(metrics)
    uci = None if data is None else _uci_folders(data)
    files = None if data is None or uci else _recording_files(data)
    m = load_model(model)
    clf, cube = m.classifier, m.cube
    names = list(cube.ch_names or getattr(clf, "ch_names", None) or
                 [f"ch{c}" for c in range(cube.n_channels)])
    sfreq = float(clf.sfreq)
    sections = []

    # -- model ------------------------------------------------------------------
    versions = m.info.get("versions") or {}
    rows = [
        ["model", f"{m.name} ({m.kind})"],
        ["channels", f"{cube.n_channels}: {', '.join(names)}"],
        ["sampling rate", f"{sfreq:g} Hz (one cube step per sample)"],
        ["reservoir", f"{cube.n_neurons} neurons, {cube.n_connections} connections "
                      f"({int(np.sum(cube.weights_ > 0))} excitatory, "
                      f"{int(np.sum(cube.weights_ < 0))} inhibitory), radius {cube.radius:g} mm"],
        ["learning", f"{cube.stdp} STDP, rate {cube.stdp_rate:g}, {cube.n_passes_} pass(es); "
                     f"weights in [{cube.weights_.min():.3g}, {cube.weights_.max():.3g}]"],
        ["seed", cube.seed_],
        ["readout", getattr(clf, "readout", "–")],
    ]
    if m.detector is not None:
        det = m.detector
        rows.append(["detector", f"{det.window:g} s windows every {det.hop:g} s, band "
                                 f"{det.l_freq}–{det.h_freq} Hz, notch {det.notch}, "
                                 f"threshold {det.threshold:g}"])
    if versions or m.info.get("created"):
        rows.append(["written by", ", ".join(f"{k} {v}" for k, v in versions.items())
                     + (f"; {m.info['created']}" if m.info.get("created") else "")])
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
    lows = [f"{kind} from |w| = {np.abs(c.weights).min():.3g} to {np.abs(c.weights).max():.3g}"
            for kind, c in (("excitatory", pos), ("inhibitory", neg)) if len(c)]
    logger.info("Report: drawing %d + %d connections", len(pos), len(neg))
    fig = fig_connections(cube, names, pos, neg)
    content = _img(_png(fig), "strongest connections in 3D",
                   f"Drawn: {_e(rule)}; {_e('; '.join(lows) or 'none')}. Grey dots are the "
                   "reservoir neurons at their brain coordinates (MNI mm); black triangles the "
                   "input neurons, labelled with their channel. Left: seen from above (front "
                   "at the top); right: from the front left, above (orthographic views).")
    sections.append(("connections", "Connections", content))

    # -- clusters ------------------------------------------------------------------
    clusters = neuron_clusters(cube, alpha=alpha)
    fig = fig_clusters(cube, clusters, names)
    biggest = np.argsort(-clusters.sizes, kind="stable")[:3]
    content = _img(_png(fig), "neuron clusters",
                   "Each reservoir neuron takes the channel whose input reaches it most: "
                   f"F = (I − {alpha:g}·S)⁻¹·Y with S = D^−½·W·D^−½ over the absolute weights "
                   "(made symmetric), Y marking each channel's two input neurons; the cluster "
                   "is the largest entry of the neuron's row of F. Largest clusters: "
                   + _e(", ".join(f"{names[c]} ({clusters.sizes[c]} neurons)" for c in biggest))
                   + (f"; {clusters.n_unassigned} neurons are reached by no input."
                      if clusters.n_unassigned else "."))
    sections.append(("clusters", "Clusters", content))

    # -- feature interaction network ------------------------------------------------
    M = feature_interaction_network(cube, clusters)
    fig = fig_interaction(cube, clusters, M, names)
    sym = M + M.T
    np.fill_diagonal(sym, 0)
    iu = np.triu_indices(len(M), 1)
    order = np.argsort(-sym[iu], kind="stable")[:5]
    strongest = ", ".join(f"{names[iu[0][k]]} – {names[iu[1][k]]} ({sym[iu][k]:.3g})"
                          for k in order if sym[iu][k] > 0)
    content = _img(_png(fig), "feature interaction network",
                   "M[i, j] = Σ|w| over the connections from a neuron of cluster i to one of "
                   "cluster j (input neurons count in their channel's cluster; raw sums in "
                   "weight units, not normalised). The graph draws M[i, j] + M[j, i]. "
                   f"Strongest links: {_e(strongest or 'none')}.")
    sections.append(("interaction", "Feature interaction network", content))

    # -- activity -------------------------------------------------------------------
    if data is None:
        note = "<p class=note>No recording given (--data): no activity to show.</p>"
        for sid, head in (("raster", "Spike raster"), ("activity", "Cluster activity"),
                          ("conditions", "Conditions compared")):
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
                clf, raw, n_samples, conditions, 2.0 if epoch is None else float(epoch),
                l_freq, h_freq, notch)
        data_desc = f"{path.name}: {how}"
        logger.info("Report: running the cube on %s", data_desc)
        acts, inputs = [], []
        for cond in conds:
            inputs.append(clf.encoder_.transform(cond.X))
            acts.append(cube.transform(inputs[-1]))
        picks = [_representative(a) for a in acts]
        fig = fig_raster(conds, acts, inputs, clusters, names, sfreq, picks)
        content = _img(_png(fig), "spike raster",
                       f"Samples from {_e(data_desc)}. For each condition the sample with the "
                       "median number of reservoir spikes: on top the encoder's spikes per "
                       "channel (positive red, negative blue), below each reservoir neuron's "
                       "spikes, neurons grouped by cluster and coloured like the cluster map.")
        sections.append(("raster", "Spike raster", content))
        cas = [cluster_activity(a, clusters) for a in acts]
        fig = fig_cluster_activity(conds, cas, names)
        totals = ", ".join(f"{c.name}: {a.n_spikes / max(len(a), 1):.0f} reservoir spikes per "
                           "sample" for c, a in zip(conds, acts))
        content = _img(_png(fig), "cluster activity",
                       "Spikes of each cluster's neurons per neuron per second, in 0.1 s bins, "
                       f"averaged over the condition's samples ({_e(totals)}).")
        sections.append(("activity", "Cluster activity", content))
        if len(conds) == 2:
            cmp = compare_conditions(acts[0], acts[1], clusters, cube,
                                     names=(conds[0].name, conds[1].name), n=15)
            fig = fig_compare(cmp, names)
            text = "".join(f"<li>{_e(line)}</li>" for line in cmp.summary())
            def cluster_of(neuron):
                lab = clusters.labels[neuron]
                return names[lab] if lab >= 0 else "unassigned"

            rows = []
            for r, (k, p, q, w) in enumerate(zip(cmp.top.index, cmp.top.pre, cmp.top.post,
                                                 cmp.top.weights), 1):
                rows.append([r, f"{p} ({cluster_of(p)})", f"{q} ({cluster_of(q)})",
                             f"{w:+.3f}", f"{cmp.coactivation[0, k]:.2f}",
                             f"{cmp.coactivation[1, k]:.2f}"])
            table = (_table(["#", "from neuron (cluster)", "to neuron (cluster)", "weight",
                             f"co-activations per sample: {conds[0].name}",
                             f"… {conds[1].name}"], rows, numeric=(0, 3, 4, 5))
                     if rows else "<p>No connection's co-activation differs.</p>")
            content = (f"<ul>{text}</ul>"
                       + _img(_png(fig), "conditions compared",
                              "Left: each cluster's mean firing in each condition. Right: for "
                              "each pair of clusters, Σ over their connections of |w| × the "
                              "number of times the source fired one step before the target "
                              "(the spikes that connection carried into a firing target), per "
                              "sample; red: more in the second condition.")
                       + "<p>The connections whose co-activation (source fires, target fires "
                         "one step later) differs most between the conditions:</p>" + table)
            sections.append(("conditions", "Conditions compared", content))
        else:
            sections.append(("conditions", "Conditions compared",
                             f"<p class=note>Only one condition in the data ({_e(how)}): "
                             "nothing to compare.</p>"))

    # -- weight change ------------------------------------------------------------------
    w0 = initial_weights(cube)
    if w0 is None:
        content = ("<p class=note>The model does not carry its initial weights, and they "
                   "cannot be rebuilt (no seed recorded, or connections set by hand): no "
                   "weight-change map.</p>")
    elif cube.n_passes_ == 0 and np.array_equal(w0, cube.weights_):
        content = ("<p class=note>The cube has not learned (no STDP pass): its weights are the "
                   "initial ones.</p>")
    else:
        change = weight_change(w0, cube.weights_, cube.pre_, cube.post_, cube.n_neurons)
        fig = fig_weight_change(cube, change)
        hot = np.argsort(-change.per_neuron, kind="stable")[:5]
        flipped = int(np.sum(np.sign(w0) != np.sign(cube.weights_)))
        where = []
        for n in hot:
            xyz = ", ".join(f"{v:g}" for v in cube.coords[n])
            lab = clusters.labels[n]
            where.append(f"neuron {n} at ({xyz}) mm"
                         + (f", {names[lab]} cluster" if lab >= 0 else ""))
        where = "; ".join(where)
        content = _img(_png(fig), "weight change map",
                       f"Initial weights rebuilt from the cube's seed ({cube.seed_}) and "
                       f"compared with the learned ones after {cube.n_passes_} STDP pass(es). "
                       f"Mean |Δw| {np.abs(change.delta).mean():.3g}; {flipped} "
                       f"connections changed sign. Most changed: {_e(where)}.")
    sections.append(("weights", "Weight change", content))

    # -- accuracy -----------------------------------------------------------------------
    if result is not None:
        sections.append(("accuracy", "Accuracy", _metrics_html(result)))
    else:
        sections.append(("accuracy", "Accuracy",
                         "<p class=note>No metrics given (--metrics, the JSON of "
                         "<code>neucube evaluate ... --json</code>).</p>"))

    page = _html(f"What the cube learned: {m.name}", sections)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, out)
    logger.info("Report written to %s (%d kB)", out, len(page) // 1024)
    return out
