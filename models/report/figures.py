"""The report's figures, drawn with Matplotlib's object API on the Agg canvas."""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from neucube.analysis import (
        ClusterActivity,
        Clusters,
        ConditionComparison,
        Connections,
        WeightChange,
    )
    from neucube.cube import Cube, CubeActivity

    from .inputs import Condition

_VIEWS = (
    ("seen from above (front at the top)", 90.0, -90.0),
    ("seen from the front left, above", 25.0, 135.0),
)
_AXIS_LABELS = ("x (mm, left → right)", "y (mm, back → front)", "z (mm, down → up)")


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
    """Add a 3D axes at ``rect`` (figure fraction), orthographic, with equal mm scales."""
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
        ax.text(
            *(xyz + np.array([1.5, 1.5, 1.5])), name, fontsize=fontsize, color="black", zorder=6
        )


def fig_connections(
    cube: Cube, names: list[str], pos_conn: Connections, neg_conn: Connections
) -> Figure:
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
            ax.add_collection3d(Line3DCollection(segs, colors=color, linewidths=widths, alpha=0.65))
        _input_sites(ax, cube, names)
    handles = [
        Line2D([], [], color="tab:red", lw=2, label=f"excitatory (w > 0): {len(pos_conn)}"),
        Line2D([], [], color="tab:blue", lw=2, label=f"inhibitory (w < 0): {len(neg_conn)}"),
        Line2D([], [], ls="", marker="o", ms=4, color="0.7", label="reservoir neuron"),
        Line2D([], [], ls="", marker="^", ms=6, color="black", label="input neurons (channel)"),
    ]
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=4,
        fontsize=9,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
    )
    fig.suptitle("Strongest connections of the cube (line width ∝ |weight|)", fontsize=13)
    return fig


def fig_clusters(cube: Cube, clusters: Clusters, names: list[str]) -> Figure:
    """Neurons coloured by cluster, two views."""
    from matplotlib.lines import Line2D

    lab = clusters.reservoir_labels
    pal = _palette(cube.n_channels)
    fig = _figure(15, 7)
    for (view, elev, azim), rect in zip(_VIEWS, _view_rects(0.0, 0.85, bottom=0.03)):
        ax = _axes3d(fig, rect, cube.coords, view, elev, azim)
        ax.scatter(
            *cube.coords.T,
            s=14,
            c=_cluster_colors(lab, cube.n_channels),
            depthshade=False,
            alpha=0.9,
            linewidths=0,
        )
        _input_sites(ax, cube, names)
    handles = [
        Line2D(
            [], [], ls="", marker="o", ms=6, color=pal[c], label=f"{names[c]} ({clusters.sizes[c]})"
        )
        for c in range(cube.n_channels)
    ]
    if clusters.n_unassigned:
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                ms=6,
                color="0.75",
                label=f"unassigned ({clusters.n_unassigned})",
            )
        )
    fig.legend(
        handles=handles,
        loc="center right",
        fontsize=8,
        title="cluster (neurons)",
        title_fontsize=9,
        ncol=1 if len(handles) <= 24 else 2,
        frameon=False,
    )
    fig.suptitle(
        f"Neuron clusters around each input (label propagation, α = {clusters.alpha:g})",
        fontsize=13,
    )
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


def fig_interaction(cube: Cube, clusters: Clusters, M: np.ndarray, names: list[str]) -> Figure:
    """Draw the feature interaction network: a graph on the scalp and the matrix."""
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
    ax.add_patch(
        Polygon(
            [centre + [-9, radius - 1], centre + [0, radius + 11], centre + [9, radius - 1]],
            closed=False,
            fill=False,
            color="0.5",
        )
    )
    if top > 0:
        pairs = [
            (sym[i, j], i, j) for i in range(n) for j in range(i + 1, n) if sym[i, j] >= 0.05 * top
        ]
        for value, i, j in sorted(pairs):
            frac = value / top
            ax.plot(
                *xy[[i, j]].T,
                color="tab:purple",
                lw=0.5 + 7.5 * frac,
                alpha=0.25 + 0.6 * frac,
                solid_capstyle="round",
                zorder=1,
            )
    area = 60 + 500 * clusters.sizes / max(clusters.sizes.max(), 1)
    ax.scatter(*xy.T, s=area, c=pal, edgecolors="black", linewidths=0.8, zorder=3)
    for k, name in enumerate(names):
        ax.annotate(
            name,
            xy[k],
            xytext=(0, -np.sqrt(area[k]) / 2 - 7),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=7,
            zorder=4,
            bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.7),
        )
    ax.set_aspect("equal")
    ax.set_xlim(centre[0] - radius - 10, centre[0] + radius + 10)
    ax.set_ylim(centre[1] - radius - 10, centre[1] + radius + 18)
    ax.set_xlabel("x (mm, left → right)")
    ax.set_ylabel("y (mm, back → front)")
    ax.set_title(
        "Channels at their electrode positions, seen from above; node size ∝ "
        "cluster size,\nedge width ∝ Σ|w| between the two clusters (both directions; "
        "under 5 % of the strongest: hidden)",
        fontsize=9,
    )
    shown = M.astype(float).copy()
    np.fill_diagonal(shown, np.nan)
    im = axm.imshow(shown, cmap="viridis", interpolation="nearest")
    axm.set_xticks(range(n), names, rotation=90, fontsize=6)
    axm.set_yticks(range(n), names, fontsize=6)
    axm.set_xlabel("to cluster")
    axm.set_ylabel("from cluster")
    axm.set_title(
        "Σ|w| of the connections from one cluster to another\n"
        "(within a cluster, the diagonal, left blank)",
        fontsize=9,
    )
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
    """Return the sample whose spike count is the median of its condition."""
    totals = act.counts.sum(axis=1)
    return int(np.argsort(totals, kind="stable")[(len(totals) - 1) // 2])


def fig_raster(
    conditions: list[Condition],
    acts: list[CubeActivity],
    inputs: list[np.ndarray],
    clusters: Clusters,
    names: list[str],
    sfreq: float,
    picks: list[int],
) -> Figure:
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
        ax_in.set_title(
            f"{cond.name}: {cond.onsets[i]:.1f}–"
            f"{cond.onsets[i] + act.n_times / sfreq:.1f} s of the recording\n"
            f"encoder input spikes ({int(np.abs(s).sum())})",
            fontsize=9,
        )
        ax_in.tick_params(labelbottom=False)
        if c == 0:
            ax_in.set_ylabel("channel")
            ax_in.legend(loc="upper right", fontsize=7, markerscale=3)
        neuron, step = act.spikes(i)
        if len(neuron):
            ax.scatter(
                step / sfreq,
                rank[neuron],
                s=2.5,
                c=colors[neuron],
                marker=".",
                linewidths=0,
                rasterized=True,
            )
        else:
            ax.text(
                0.5,
                0.5,
                "no reservoir spikes in this sample",
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=11,
                color="0.3",
            )
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


def fig_cluster_activity(
    conditions: list[Condition], cluster_acts: list[ClusterActivity], names: list[str]
) -> Figure:
    """Mean spikes per neuron per second of each cluster over time, per condition."""
    k = len(conditions)
    rates = [ca.rate.mean(axis=0) for ca in cluster_acts]
    vmax = max(max(float(r.max()) for r in rates), 1e-9)
    fig = _figure(7.5 * k if k > 1 else 10, 7, layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, k, sharey=True))
    im = None
    for ax, cond, ca, rate in zip(axes, conditions, cluster_acts, rates):
        t_end = ca.edges[-1] / (ca.sfreq or 1.0)
        im = ax.imshow(
            rate,
            aspect="auto",
            cmap="magma",
            vmin=0,
            vmax=vmax,
            extent=[0, t_end, len(names) - 0.5, -0.5],
            interpolation="nearest",
        )
        ax.set_yticks(range(len(names)), names, fontsize=7)
        ax.set_xlabel("time in the sample (s)")
        width = (ca.edges[1] - ca.edges[0]) / (ca.sfreq or 1.0)
        ax.set_title(
            f"{cond.name} (mean of {len(cond.X)} sample(s), {width:.2g} s bins)", fontsize=10
        )
        if not ca.counts.any():
            ax.text(
                0.5,
                0.5,
                "no reservoir spikes",
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=12,
                color="white",
            )
    axes[0].set_ylabel("cluster (input channel)")
    cb = fig.colorbar(im, ax=list(axes), shrink=0.85)
    cb.set_label("spikes per neuron per second")
    fig.suptitle("Spike activity of each cluster over time", fontsize=13)
    return fig


def fig_compare(comparison: ConditionComparison, names: list[str]) -> Figure:
    """Draw the firing per cluster in both conditions and the change in weight carried."""
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
        axf.set_title(
            "Weight carried by reservoir spikes between clusters\n"
            f"(source fires, target fires one step later): '{b}' minus '{a}'",
            fontsize=10,
        )
    else:
        axf.set_axis_off()
    fig.suptitle(f"'{a}' and '{b}' compared", fontsize=13)
    return fig


def fig_weight_change(cube: Cube, change: WeightChange) -> Figure:
    """Draw the summed |Δw| per neuron in 3D, two views, and the distribution of Δw."""
    from matplotlib import colors as mcolors

    fig = _figure(16, 7)
    vmax = max(float(change.per_neuron.max()), 1e-9)
    norm = mcolors.Normalize(0, vmax)
    sc = None
    for (view, elev, azim), rect in zip(_VIEWS, _view_rects(0.0, 0.66, bottom=0.14)):
        ax = _axes3d(fig, rect, cube.coords, view, elev, azim)
        sc = ax.scatter(
            *cube.coords.T,
            s=14,
            c=change.per_neuron,
            cmap="viridis",
            norm=norm,
            depthshade=False,
            linewidths=0,
        )
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
