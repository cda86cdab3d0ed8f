"""The ``neucube`` command line.

Each subcommand is a small function that parses its options, calls the
library and prints what it found. Heavy imports (MNE, Brian2) happen inside
the subcommands, so ``neucube --help`` answers at once.
"""

import argparse
import json
import sys
from pathlib import Path

EPILOG = "Run 'neucube COMMAND --help' for the options of one command."


def _versions():
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for dist in ("neucube-eeg", "mne", "brian2", "numpy", "scipy", "scikit-learn", "mne-lsl"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = None
    return out


def cmd_info(args):
    """Print versions, the Brian2 code-generation target and compiler status."""
    from neucube.cube import target_info

    targets = target_info("auto", check=True)
    info = {"python": sys.version.split()[0], **_versions()}
    info["brian2_target_in_use"] = targets["target"]
    info["brian2_targets_available"] = ", ".join(targets["available"])
    info["cpp_compiler"] = targets.get("cxx_compiler")
    info["cpp_compiler_usable"] = bool(targets.get("cxx_usable"))
    info["cache_dir"] = targets.get("cache_dir")
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    width = max(len(k) for k in info)
    for key, value in info.items():
        print(f"{key:<{width}}  {value}")
    return 0


def _print_spike_table(stats, out=None):
    out = sys.stdout if out is None else out
    names = list(stats.rates)
    head = f"{'channel':<12}" + "".join(f"{n + ' /s':>12}" for n in names)
    if {"before", "during"} <= set(names):
        head += f"{'during/before':>15}"
    print(head, file=out)
    ratio = stats.ratio("during", "before") if "during" in stats.rates and "before" in stats.rates else None
    for k, ch in enumerate(stats.ch_names):
        row = f"{ch:<12}" + "".join(f"{stats.rates[n][k]:>12.2f}" for n in names)
        if ratio is not None:
            row += f"{ratio[k]:>15.2f}"
        print(row, file=out)
    row = f"{'mean':<12}" + "".join(f"{stats.rates[n].mean():>12.2f}" for n in names)
    if ratio is not None:
        row += f"{stats.rates['during'].mean() / stats.rates['before'].mean():>15.2f}"
    print(row, file=out)


def cmd_spikes(args):
    """Encode a recording into spikes and print spike rates per segment."""
    from ..spikestats import spike_statistics

    segments = None
    if args.segment:
        segments = {name: (float(t0), float(t1)) for name, t0, t1 in args.segment}
    stats = spike_statistics(
        args.recording,
        segments=segments,
        fit_segment=args.fit,
        encoder=args.encoder,
        alpha=args.alpha,
        l_freq=args.l_freq,
        h_freq=args.h_freq,
        notch=args.notch,
    )
    if args.json:
        print(json.dumps({
            "recording": stats.fname,
            "sfreq": stats.sfreq,
            "encoder": args.encoder,
            "alpha": args.alpha,
            "segments": stats.segments,
            "channels": stats.ch_names,
            "thresholds_uV": [float(t) for t in getattr(stats.encoder, "thresholds_", [])],
            "rates_per_s": {k: [round(float(x), 4) for x in v] for k, v in stats.rates.items()},
        }, indent=2))
        return 0
    seg = ", ".join(f"{k} {a:g}–{b:g} s" for k, (a, b) in stats.segments.items())
    print(f"{stats.fname}\n{len(stats.ch_names)} channels at {stats.sfreq:g} Hz; segments: {seg}")
    print(
        f"{args.encoder} encoder, alpha={args.alpha}, thresholds fitted on '{args.fit}' and frozen; "
        f"band-pass {args.l_freq}–{args.h_freq} Hz (causal)\n"
    )
    _print_spike_table(stats)
    return 0


def _display_available():
    """Whether a window can open here (checked without importing Qt)."""
    import os

    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and platform not in ("xcb", "wayland", "cocoa", "windows"):
        return False  # offscreen, minimal, ...: no window a person could see
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def cmd_demo(args):
    """The main job: the live window, or the same live pipeline headless."""
    if args.offline:
        return _demo_offline(args)
    if args.headless:
        return _demo_headless(args)
    if not _display_available():
        print("No display here: running the live pipeline headless (neucube demo --headless).")
        return _demo_headless(args)
    # The desktop app runs in its own process: nothing imports the gui package.
    import subprocess

    rc = subprocess.call([sys.executable, "-m", "gui"])
    if rc == 3:  # the app found no display it could open a window on
        print("The desktop app found no display: running the live pipeline headless.")
        return _demo_headless(args)
    return rc


def _demo_headless(args):
    """Replay the bundled seizure recording through LSL, print alerts as they happen."""
    from ..seizure.live import run_headless

    print("NeuCube-EEG live demo (headless): replaying the bundled CHB-MIT recording "
          "(chb01_03, seizure from 10 s) as an LSL stream in real time, shipped seizure model.",
          flush=True)
    result = run_headless(db=args.db, echo=lambda line: print(line, flush=True))
    return 0 if result is not None else 1


def _demo_offline(args):
    """Run the offline spike pipeline on the bundled seizure recording."""
    from sample_data import SEIZURE_EDF

    from ..spikestats import spike_statistics

    stats = spike_statistics(SEIZURE_EDF, notch=60.0)
    onset = stats.segments["during"][0]
    print("NeuCube-EEG demo: offline pipeline on a bundled CHB-MIT recording")
    print(f"  recording : {SEIZURE_EDF.name} (chb01_03, seizure annotated from {onset:g} s)")
    print(f"  pipeline  : read EDF -> standardize {len(stats.ch_names)} channel names -> causal "
          "0.5-40 Hz band-pass + 60 Hz notch -> TBR spikes (alpha 0.5, thresholds fitted "
          "on the 10 s before the seizure, then frozen)\n")
    print("Spikes per channel per second, before and during the seizure:\n")
    _print_spike_table(stats)
    before, during = stats.rates["before"].mean(), stats.rates["during"].mean()
    up = int((stats.rates["during"] > stats.rates["before"]).sum())
    print(
        f"\nDuring the seizure the channels spiked {during / before:.2f}x as often as before it "
        f"({during:.2f} vs {before:.2f} spikes/s per channel); {up} of {len(stats.ch_names)} "
        "channels rose."
    )
    return 0


def _print_accuracy_table(result, out=None):
    out = sys.stdout if out is None else out
    print(f"{result['data']}: {result['n_epochs']} epochs {result['classes']}, "
          f"{result['n_channels']} channels at {result['sfreq']:g} Hz, "
          f"band {result['band_hz'][0]:g}-{result['band_hz'][1]:g} Hz", file=out)
    print(f"{result['cv']}; chance {result['chance']:.3f}; Brian2 target "
          f"{result['brian2_target']}; seed {result['seed']}; {result['wall_s']} s\n", file=out)
    print(f"{'method':<18}{'accuracy':>10}{'sd':>8}{'median':>9}", file=out)
    for name, acc in result["accuracy"].items():
        print(f"{name:<18}{acc['mean']:>10.3f}{acc['sd']:>8.3f}{acc['median']:>9.3f}", file=out)


def _print_seizure_table(result, out=None):
    out = sys.stdout if out is None else out
    print(result["data"], file=out)
    print(f"background in training: {result.get('background_training', 'none')}", file=out)
    for method, entry in result["methods"].items():
        print(f"\n{method}: {entry['seizures_detected']} of {entry['seizures']} seizures detected, "
              f"median latency {entry['median_latency_s']} s", file=out)
        print(f"  {'seizure':<20}{'detected':>9}{'latency s':>11}{'alerts':>8}{'false':>7}", file=out)
        for p in entry["per_seizure"]:
            print(f"  {p['seizure']:<20}{'yes' if p['detected'] else 'no':>9}"
                  f"{'' if p['latency_s'] is None else p['latency_s']:>11}{p['alerts']:>8}"
                  f"{p['false_alarms']:>7}", file=out)
        bg = entry.get("background")
        if bg:
            print(f"  seizure-free EEG: {bg['false_alarms']} false alarms in {bg['hours']} h = "
                  f"{bg['false_alarms_per_hour']} per hour", file=out)


def _print_familiarity_table(result, out=None):
    out = sys.stdout if out is None else out
    print(f"{result['data']}\n{result['n_subjects']} subjects, {result['n_epochs']} trials "
          f"{result['classes']}, {result['n_channels']} channels at {result['sfreq']:g} Hz, window "
          f"{result['window_s'][0]:g}-{result['window_s'][1]:g} s; chance {result['chance']:.3f}; "
          f"Brian2 target {result['brian2_target']}; seed {result['seed']}; {result['wall_s']} s\n", file=out)
    print(f"{'method':<18}{'within subject':>18}{'across subjects':>18}", file=out)
    for name in result["within_subject"]["accuracy"]:
        w = result["within_subject"]["accuracy"][name]
        a = result["across_subject"]["accuracy"][name]
        print(f"{name:<18}{w['mean']:>10.3f} ± {w['sd']:.3f}{a['mean']:>11.3f} ± {a['sd']:.3f}", file=out)


def cmd_evaluate(args):
    """Cross-validate the cube against a non-spiking baseline on real EEG."""
    if args.task == "familiarity":
        from ..trials.familiarity import evaluate_familiarity

        result = evaluate_familiarity(args.data, target=args.target, random_state=args.seed)
        if args.json:
            print(json.dumps(result, indent=2))
        else:
            _print_familiarity_table(result)
        return 0
    if len(args.data) != 1:
        raise ValueError(f"--task {args.task} takes one --data folder, got {len(args.data)}.")
    args.data = args.data[0]
    if args.task == "seizure":
        from ..evaluation.seizure import evaluate_seizure

        result = evaluate_seizure(
            args.data, args.background, background_training=args.background_training,
            target=args.target, random_state=args.seed,
        )
        if args.json:
            print(json.dumps(result, indent=2))
        else:
            _print_seizure_table(result)
        return 0
    from ..evaluation.motor import evaluate_motor

    result = evaluate_motor(
        args.data,
        subject=args.subject,
        n_splits=args.folds,
        n_repeats=args.repeats,
        target=args.target,
        random_state=args.seed,
    )
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print_accuracy_table(result)
    return 0


def cmd_bench(args):
    """Measure the cube's real-time factor per target, against plain Brian2."""
    from ..evaluation.bench import bench

    report = bench(duration=args.duration, targets=args.target or None, repeat=args.repeat)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{report['workload']}\n{report['machine']['cpu']}, {report['machine']['cores']} cores, "
          f"Python {report['machine']['python']}; " +
          ", ".join(f"{k} {v}" for k, v in report["versions"].items()) + "\n")
    print(f"{'target':<16}{'mode':<14}{'x real time':>12}{'vs plain':>10}{'spikes/step':>13}"
          f"{'peak MB':>9}{'setup s':>9}")
    for r in report["results"]:
        if "error" in r:
            print(f"{r['target']:<16}{r['mode']:<14}  failed: {r['error'].splitlines()[-1]}")
            continue
        print(f"{r['target']:<16}{r['mode']:<14}{r['realtime_factor']:>12.1f}"
              f"{r.get('vs_plain_brian2', ''):>10}{r['reservoir_spikes_per_step'] or '':>13}"
              f"{r['peak_rss_mb']:>9.0f}{r['setup_s']:>9.1f}")
    return 0


def cmd_train(args):
    """Train a seizure detector or a familiarity classifier and save it."""
    if args.task == "familiarity":
        from acquisition import read_uci_epochs

        from ..trials.familiarity import FamiliarityClassifier

        X, y, groups, ch_names, sfreq = read_uci_epochs(args.data)
        clf = FamiliarityClassifier(ch_names, sfreq, target=args.target, random_state=args.seed)
        clf.fit(X * 1e6, y)  # µV, as in the files
        path = clf.save(args.out, overwrite=args.overwrite)
        print(f"Trained the familiarity classifier on {len(y)} trials of {len(set(groups))} "
              f"subject(s) ({int((y == 'familiar').sum())} familiar, "
              f"{int((y == 'unfamiliar').sum())} unfamiliar); saved to {path}")
        return 0
    from ..seizure.detector import SeizureDetector
    from ..evaluation.seizure import load_chbmit_seizures

    if len(args.data) != 1:
        raise ValueError(f"--task seizure takes one --data folder, got {len(args.data)}.")
    records = load_chbmit_seizures(args.data[0])
    det = SeizureDetector(target=args.target, random_state=args.seed).fit([r for _, r in records])
    path = det.save(args.out, overwrite=args.overwrite)
    print(f"Trained the cube seizure detector on {len(records)} seizures "
          f"({', '.join(n for n, _ in records)}); saved to {path}")
    return 0


def cmd_detect(args):
    """Detect seizures in a recording, write them, store the alerts."""
    from acquisition import read_raw

    from ..seizure.formats import write_events
    from ..seizure.detector import SeizureDetector, shipped_model_path
    from ..seizure.live import model_identity

    model_path = args.model or shipped_model_path()
    det = SeizureDetector.load(model_path)
    if args.threshold is not None:
        det.threshold = args.threshold
    raw = read_raw(args.recording)
    found = det.detect(raw, progress_bar=not args.quiet)
    model_id, model_version = model_identity(det, model_path)
    print(f"{args.recording}: {found.duration:.1f} s, {len(det.ch_names)} model channels"
          + (f", resampled from {found.resampled_from:g} Hz" if found.resampled_from else "")
          + (f", missing {', '.join(found.missing)} (left flat)" if found.missing else ""))
    if found.flagged:
        print("flagged (flat or disconnected, never a cause of alerts): "
              + ", ".join(f"{c} in {n} windows" for c, n in found.flagged.items()))
    if not found.events:
        print(f"No seizure detected (threshold {det.threshold}).")
    else:
        print(f"{len(found.events)} seizure(s) detected (model {model_id}, threshold {det.threshold}):")
        print(f"  {'onset s':>9}{'duration s':>12}{'confidence':>12}  channels")
        for ev in found.events:
            print(f"  {ev.onset:>9.1f}{ev.duration:>12.1f}{ev.confidence:>12.3f}  {', '.join(ev.channels)}")
    if args.out:
        path = write_events(args.out, found.events, fmt=args.format, recording_duration=found.duration,
                            meas_date=raw.info.get("meas_date"), raw=raw, overwrite=True)
        print(f"wrote {path}")
    if not args.no_store and found.events:
        from ..alerts import AlertStore

        with AlertStore(args.db) as store:
            ids = store.add_alerts(
                (dict(recording=str(Path(args.recording).resolve()), onset=ev.onset,
                      duration=ev.duration, confidence=ev.confidence, channels=list(ev.channels))
                 for ev in found.events),
                model_id=model_id, model_version=model_version, threshold=det.threshold,
                recording_duration=found.duration,
                recording_start=(raw.info["meas_date"].isoformat() if raw.info.get("meas_date") else None),
            )
            print(f"stored {len(ids)} alert(s) in {store.path} for review (neucube alerts list)")
    return 0


def build_parser():
    """Return the argument parser of the ``neucube`` command."""
    parser = argparse.ArgumentParser(
        prog="neucube",
        description="NeuCube-EEG: EEG to spikes to a brain-shaped spiking reservoir.",
        epilog=EPILOG,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and decisions")
    parser.add_argument("--debug", action="store_true", help="log everything")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("info", help="versions, Brian2 code-generation target, compiler status")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser(
        "demo", help="the live window replaying the bundled seizure recording",
        description="Open the desktop app replaying the bundled CHB-MIT recording through LSL "
        "with the shipped seizure model; without a display (or with --headless) run the same "
        "live pipeline in the terminal and print alerts as they happen.",
    )
    p.add_argument("--headless", action="store_true", help="no window: print alerts as they happen")
    p.add_argument("--offline", action="store_true",
                   help="the offline spike statistics of the recording instead")
    p.add_argument("--db", default=None, help="alert database (default: the user's alert store)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "spikes",
        help="encode a recording into spikes and print spike rates per segment",
        description="Read RECORDING, filter it causally, fit the encoder's thresholds on one "
        "segment, encode the whole recording and print spikes per channel per second in each "
        "segment. Segments default to before/during the first 'seizure' annotation.",
    )
    p.add_argument("recording", help="EDF/BDF/FIF/BrainVision/EEGLAB file")
    p.add_argument("--segment", nargs=3, action="append", metavar=("NAME", "START", "STOP"),
                   help="a named segment in seconds (repeatable)")
    p.add_argument("--fit", default="before", help="segment to fit thresholds on (default: before)")
    p.add_argument("--encoder", default="tbr",
                   choices=["tbr", "step_forward", "moving_window", "bsa"])
    p.add_argument("--alpha", type=float, default=0.5, help="threshold factor (default 0.5)")
    p.add_argument("--l-freq", type=float, default=0.5, help="high-pass edge in Hz")
    p.add_argument("--h-freq", type=float, default=40.0, help="low-pass edge in Hz")
    p.add_argument("--notch", type=float, default=None, help="power-line frequency in Hz")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=cmd_spikes)

    p = sub.add_parser(
        "evaluate",
        help="cross-validate the cube and a non-spiking baseline on real EEG",
        description="Motor task: EEGMMIDB executed left vs right fist (runs 3, 7, 11; 0-4 s "
        "epochs), repeated stratified K-fold; NeuCube with the deSNN and the spike-count "
        "readouts, and CSP+LDA, on the same folds. Seizure task: leave-one-seizure-out on "
        "CHB-MIT chb01 and false alarms on seizure-free EEG, the cube against line-length and "
        "band-power features, with the same windows and event rules. Familiarity task: UCI "
        "EEG Database S2 match vs nomatch, within-subject and leave-subjects-out, the cube "
        "against down-sampled ERPs with shrinkage LDA.",
    )
    p.add_argument("--task", default="motor", choices=["motor", "seizure", "familiarity"])
    p.add_argument("--data", required=True, nargs="+",
                   help="motor: folder with the EEGMMIDB EDF files (S001R03.edf ...); seizure: the "
                   "CHB-MIT chb01 folder (edf/, windows_npy/); familiarity: UCI EEG subject folders "
                   "(co2a0000364 ...) or one folder holding them")
    p.add_argument("--background", default=None,
                   help="seizure: folder of seizure-free EEG (EEGMMIDB) for false alarms per hour")
    p.add_argument("--background-training", action="store_true",
                   help="seizure: also train on the background, cross-fitted (half the runs "
                   "train, the other half are tested, then swapped)")
    p.add_argument("--subject", type=int, default=1)
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--target", default="auto", choices=["auto", "numpy", "cython", "cpp_standalone"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser(
        "train", help="train a seizure detector or a familiarity classifier and save it",
        description="Seizure: train the cube seizure detector on the CHB-MIT chb01 excerpts in "
        "DATA (edf/ and windows_npy/). Familiarity: train the familiarity classifier on the S2 "
        "trials of UCI EEG subject folders. Either is saved as one .npz model file.",
    )
    p.add_argument("--task", default="seizure", choices=["seizure", "familiarity"])
    p.add_argument("--data", required=True, nargs="+",
                   help="seizure: the CHB-MIT chb01 folder; familiarity: UCI subject folders or "
                   "one folder holding them")
    p.add_argument("--out", required=True, help="model file to write (.npz)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing model file")
    p.add_argument("--target", default="auto", choices=["auto", "numpy", "cython", "cpp_standalone"])
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser(
        "detect", help="detect seizures in a recording, write them and store the alerts",
        description="Run a seizure model over RECORDING (EDF/BDF/FIF/BrainVision/EEGLAB), print "
        "the seizures found, write them to --out, and store them as alerts for review.",
    )
    p.add_argument("recording")
    p.add_argument("--model", default=None, help="model file (default: the shipped chb01 model)")
    p.add_argument("--out", default=None, help="file to write the detected seizures to")
    p.add_argument("--format", default=None, choices=["szcore", "bids", "edf", "csv", "mne"],
                   help="format of --out (default: from its extension)")
    p.add_argument("--threshold", type=float, default=None, help="seizure probability threshold")
    p.add_argument("--db", default=None, help="alert database (default: the user's alert store)")
    p.add_argument("--no-store", action="store_true", help="do not store alerts")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_detect)

    from .alerts import add_alerts_parser
    from .report import add_report_parser

    add_alerts_parser(sub)
    add_report_parser(sub)

    p = sub.add_parser(
        "bench",
        help="the cube's speed per Brian2 target, STDP on and off, against plain Brian2",
        description="Real-time factor (seconds of EEG per wall-clock second) and peak memory "
        "of the cube on the bundled CHB-MIT recording looped to DURATION seconds, per "
        "code-generation target, for inference, STDP training and the same network written "
        "as plain Brian2. Each measurement runs in its own process.",
    )
    p.add_argument("--duration", type=float, default=3600.0, help="seconds of EEG (default 3600)")
    p.add_argument("--target", action="append", choices=["numpy", "cython", "cpp_standalone"],
                   help="target to measure (repeatable; default: all available)")
    p.add_argument("--repeat", type=int, default=1, help="repetitions; the median is reported")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv=None):
    """Entry point of the ``neucube`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from neucube import set_log_level

    set_log_level("debug" if args.debug else ("info" if args.verbose else "warning"))
    try:
        return args.func(args)
    except (FileNotFoundError, ValueError, TypeError) as err:
        # Errors of ours carry the file/channel/parameter and the fix; show them
        # without a traceback (use --debug for one).
        if args.debug:
            raise
        print(f"neucube {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
