"""``neucube bench``: how fast the cube runs, against plain Brian2.

The workload is the bundled CHB-MIT recording (23 channels, 256 Hz) filtered,
TBR-encoded and looped to the requested duration (one hour by default), cut
into 2 s windows as the seizure detector cuts it. For each code-generation
target the cube runs the windows

- without learning (inference: every window from rest), and
- with STDP on (training),

and, in the same run, a plain Brian2 network with the same neurons, the same
connections and weights and the same input spikes, written the way a Brian2
user would (``SpikeGeneratorGroup``, ``Synapses(on_pre='v_post += w')``, one
``run``) is timed on the same target, over the first 10 minutes of the same
input: the baseline that tells our overhead from Brian2's own cost. Each measurement runs in a fresh subprocess, so its peak
memory (``ru_maxrss``) is its own.

The real-time factor is seconds of EEG processed per wall-clock second.
"""

from __future__ import annotations

import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import time

import numpy as np

WINDOW_S = 2.0
BATCH_WINDOWS = 150  # windows per cube call (5 min of EEG)
#: The plain-Brian2 baseline runs on at most this much EEG: its rate is
#: constant, and on the numpy target an hour takes longer than the rest.
PLAIN_MAX_S = 600.0


def _shipped_workload(duration):
    """Return (cube, sfreq, windows) of the shipped detector, looped to ``duration`` s.

    The windows are the spikes the detector's own encoder makes of the bundled
    recording, as its cube receives them.
    """
    from acquisition import read_raw
    from sample_data import SEIZURE_EDF

    from ..io import read_model

    detector = read_model().model
    raw = read_raw(SEIZURE_EDF)
    data, _ = detector.prepare(raw)
    win, _, bad = detector.windows(data)
    scale = detector.window_scales(detector.background_level().update(data), np.arange(len(win)))
    spikes = detector.score_windows(win, bad, scale).spikes
    n_windows = int(duration / WINDOW_S)
    windows = np.tile(spikes, (-(-n_windows // len(spikes)), 1, 1))[:n_windows]
    return detector.classifier_.cube_, detector.sfreq, np.ascontiguousarray(windows)


def _workload(duration):
    """Return (ch_names, sfreq, windows) of TBR spikes looped to ``duration`` s."""
    from acquisition import OnlineFilter, pick_placeable, read_raw
    from neucube.encoders import TBREncoder
    from sample_data import SEIZURE_EDF

    raw = pick_placeable(read_raw(SEIZURE_EDF))
    sfreq = raw.info["sfreq"]
    data = OnlineFilter(sfreq, 0.5, 40.0, notch=60.0).filter(raw.get_data(units="uV"))
    enc = TBREncoder(alpha=0.5).fit(data[:, : int(10 * sfreq)])
    spikes = enc.transform(data)
    win = int(WINDOW_S * sfreq)
    n_windows = int(duration / WINDOW_S)
    reps = int(np.ceil(n_windows * win / spikes.shape[1]))
    looped = np.tile(spikes, reps)[:, : n_windows * win]
    windows = looped.reshape(len(raw.ch_names), n_windows, win).transpose(1, 0, 2)
    return list(raw.ch_names), sfreq, np.ascontiguousarray(windows)


def _plain_brian2(cube, windows, target):
    """Time the same network written as plain Brian2 code, one ``run``."""
    import brian2 as b2

    n_samples, n_ch, n_times = windows.shape
    dt = 1.0 / cube.sfreq
    steps = n_samples * n_times
    flat = windows.transpose(1, 0, 2).reshape(n_ch, steps)
    ch, t = np.nonzero(flat)
    idx = 2 * ch + (flat[ch, t] < 0)
    standalone = target == "cpp_standalone"
    if standalone:
        b2.set_device("cpp_standalone", build_on_run=False)
        device = b2.get_device()
        device.reinit()  # the cube's own standalone project was built first
        device.activate(build_on_run=False)
    else:
        b2.prefs.codegen.target = target
    b2.start_scope()
    b2.defaultclock.dt = dt * b2.second
    inputs = b2.SpikeGeneratorGroup(2 * n_ch, idx, t * dt * b2.second)
    neurons = b2.NeuronGroup(
        cube.n_neurons,
        "v : 1",
        threshold=f"v >= {cube.threshold!r}",
        reset="v = 0",
        refractory=cube.refractory * dt * b2.second,
        method="exact",
    )
    neurons.run_regularly(f"v = clip(v - {cube.leak!r}, 0, inf)", when="start")
    # every window starts from rest
    neurons.run_regularly(
        "v = 0\nlastspike = -1e9*second", dt=n_times * dt * b2.second, when="start"
    )
    n = cube.n_neurons
    rec = cube.pre_ < n
    syn_eqs, on_pre = "w : 1", "v_post += w * int(not_refractory_post)"
    s_res = b2.Synapses(neurons, neurons, syn_eqs, on_pre=on_pre)
    s_res.connect(i=cube.pre_[rec], j=cube.post_[rec])
    s_res.w = cube.weights_[rec]
    s_in = b2.Synapses(inputs, neurons, syn_eqs, on_pre=on_pre)
    s_in.connect(i=cube.pre_[~rec] - n, j=cube.post_[~rec])
    s_in.w = cube.weights_[~rec]
    mon = b2.SpikeMonitor(neurons)
    net = b2.Network(inputs, neurons, s_res, s_in, mon)
    if standalone:
        # Build and compile once, then time only the compiled binary's run.
        import tempfile

        net.run(steps * dt * b2.second)
        device = b2.get_device()
        directory = tempfile.mkdtemp(prefix="neucube-bench-")
        device.build(directory=directory, compile=True, run=False)
        t0 = time.perf_counter()
        device.run(directory=directory, with_output=False, run_args=[])
        wall = time.perf_counter() - t0
        return wall, int(mon.num_spikes)
    net.run(10 * dt * b2.second)  # build/compile outside the timing (runtime targets)
    t0 = time.perf_counter()
    net.run((steps - 10) * dt * b2.second)
    wall = time.perf_counter() - t0
    return wall, int(mon.num_spikes)


def run_one(target: str, mode: str, duration: float, cube_kind: str = "neucube") -> dict:
    """Measure one (target, mode) configuration in this process.

    Parameters
    ----------
    target : str
        Brian2 code-generation target.
    mode : ``'inference'`` | ``'inference_one_cube'`` | ``'stdp'`` | ``'plain_brian2'``
        What to time: inference as the detector runs it (cubes side by side),
        inference one window after another (the code path before cubes ran
        side by side), STDP training, or the same network in plain Brian2.
    duration : float
        Seconds of EEG.
    cube_kind : ``'neucube'`` | ``'shipped'``
        NeuCube's preset (the ``Cube`` defaults on TBR spikes of the bundled
        recording), or the shipped seizure detector's calibrated cube on the
        spikes its own encoder makes of that recording.

    Returns
    -------
    result : dict
        Real-time factor, wall seconds, spikes, peak memory.
    """
    from neucube import _brian
    from neucube.cube import Cube

    if cube_kind == "shipped":
        cube, sfreq, windows = _shipped_workload(duration)
        cube.target = target
    else:
        ch_names, sfreq, windows = _workload(duration)
        cube = Cube.from_template(ch_names, sfreq=sfreq, target=target, random_state=0)
    copies = _brian.COPIES
    if mode == "inference_one_cube":
        _brian.COPIES = 1  # the code path before cubes ran side by side
    try:
        return _timed(cube, mode, sfreq, windows, target, duration, cube_kind)
    finally:
        _brian.COPIES = copies


def _timed(cube, mode, sfreq, windows, target, duration, cube_kind):
    """Time one configuration of :func:`run_one` on its cube and windows."""
    from neucube import _brian

    # Build and compile outside the timing, as a live session does once.
    t0 = time.perf_counter()
    if mode == "stdp":
        cube.transform(windows[:2])
    else:
        cube.transform(windows[:BATCH_WINDOWS])
    setup = time.perf_counter() - t0
    n_spikes = 0
    if mode == "plain_brian2":
        n_plain = int(min(duration, PLAIN_MAX_S) / WINDOW_S)
        windows = windows[:n_plain]
        wall, n_spikes = _plain_brian2(cube, windows, target)
    else:
        t0 = time.perf_counter()
        for a in range(0, len(windows), BATCH_WINDOWS):
            batch = windows[a : a + BATCH_WINDOWS]
            activity = cube.fit(batch) if mode == "stdp" else cube.transform(batch)
            if mode != "stdp":
                n_spikes += activity.n_spikes
        wall = time.perf_counter() - t0
    seconds = windows.shape[0] * windows.shape[2] / sfreq
    return {
        "target": target,
        "mode": mode,
        "cube": cube_kind,
        "copies": _brian.copies_for(BATCH_WINDOWS, mode == "stdp", True, target),
        "eeg_seconds": seconds,
        "wall_s": round(wall, 3),
        "realtime_factor": round(seconds / wall, 1),
        "setup_s": round(setup, 2),
        "reservoir_spikes_per_step": round(n_spikes / (seconds * sfreq), 2) if n_spikes else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "neurons": cube.n_neurons,
        "connections": cube.n_connections,
        "channels": cube.n_channels,
    }


def bench(
    duration: float = 3600.0,
    targets: list[str] | None = None,
    modes: tuple[str, ...] = ("inference", "inference_one_cube", "stdp", "plain_brian2"),
    repeat: int = 1,
    cubes: tuple[str, ...] = ("shipped", "neucube"),
) -> dict:
    """Run every (target, mode) configuration in its own subprocess.

    Parameters
    ----------
    duration : float
        Seconds of EEG per measurement (one hour by default).
    targets : list of str | None
        Code-generation targets; all available ones by default.
    modes : tuple of str
        Which measurements.
    repeat : int
        Repetitions of each measurement; the median is reported.
    cubes : tuple of str
        Which cubes (see :func:`run_one`): the shipped detector's calibrated
        cube and NeuCube's preset.

    Returns
    -------
    report : dict
        Machine, versions, and one entry per configuration.
    """
    from importlib.metadata import version

    from neucube.cube import available_targets

    if targets is None:
        targets = [t for t in ("numpy", "cython", "cpp_standalone") if t in available_targets()]
    results = []
    for cube_kind, target, mode in itertools.product(cubes, targets, modes):
        runs = []
        for _ in range(repeat):
            cmd = [
                sys.executable,
                "-m",
                "models.evaluation.bench",
                "--one",
                target,
                mode,
                str(duration),
                cube_kind,
            ]
            env = dict(os.environ, OMP_NUM_THREADS="1")
            out = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if out.returncode != 0:
                runs.append(
                    {
                        "target": target,
                        "mode": mode,
                        "cube": cube_kind,
                        "error": out.stderr.strip()[-2000:],
                    }
                )
                break
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        ok = [r for r in runs if "error" not in r]
        if ok:
            best = sorted(ok, key=lambda r: r["wall_s"])[len(ok) // 2]
            best = dict(best, repeats=len(ok), wall_s_all=[r["wall_s"] for r in ok])
            results.append(best)
        else:
            results.append(runs[-1])
    by = {(r["cube"], r["target"], r["mode"]): r for r in results if "error" not in r}
    for r in results:
        if "error" in r:
            continue
        plain = by.get((r["cube"], r["target"], "plain_brian2"))
        if plain and r["mode"] != "plain_brian2":
            r["vs_plain_brian2"] = round(r["realtime_factor"] / plain["realtime_factor"], 2)
        one = by.get((r["cube"], r["target"], "inference_one_cube"))
        if one and r["mode"] == "inference":
            r["vs_one_cube"] = round(r["realtime_factor"] / one["realtime_factor"], 2)
    return {
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "versions": {d: version(d) for d in ("neucube-eeg", "brian2", "numpy")},
        "workload": f"{duration:g} s of {WINDOW_S:g} s windows from rest of 23-channel 256 Hz "
        "CHB-MIT EEG (bundled chb01_03 looped): the shipped detector's cube on its own "
        "encoder's spikes, and NeuCube's preset on TBR (alpha 0.5) spikes; one thread",
        "results": results,
    }


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - the subprocess entry point
    """Run one configuration and print its result as one JSON line."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--one"]:
        target, mode, duration, cube_kind = argv[1], argv[2], float(argv[3]), argv[4]
        # The parent reads this one line (see bench()).
        sys.stdout.write(json.dumps(run_one(target, mode, duration, cube_kind)) + "\n")
        return 0
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
