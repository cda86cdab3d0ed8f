"""Cross-validated accuracy and seizure detection against baselines: ``neucube evaluate``."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from ._options import POSITIVE_INT, SEED, add_target, number

if TYPE_CHECKING:
    import argparse


def _print_accuracy_table(result, out=None):
    out = sys.stdout if out is None else out
    print(
        f"{result['data']}: {result['n_epochs']} epochs {result['classes']}, "
        f"{result['n_channels']} channels at {result['sfreq']:g} Hz, "
        f"band {result['band_hz'][0]:g}-{result['band_hz'][1]:g} Hz",
        file=out,
    )
    print(
        f"{result['cv']}; chance {result['chance']:.3f}; Brian2 target "
        f"{result['brian2_target']}; seed {result['seed']}; {result['wall_s']} s\n",
        file=out,
    )
    print(f"{'method':<26}{'accuracy':>10}{'sd':>8}{'median':>9}", file=out)
    for name, acc in result["accuracy"].items():
        print(f"{name:<26}{acc['mean']:>10.3f}{acc['sd']:>8.3f}{acc['median']:>9.3f}", file=out)


def _print_seizure_table(result, out=None):
    out = sys.stdout if out is None else out
    print(result["data"], file=out)
    print(f"background in training: {result.get('background_training', 'none')}", file=out)
    for method, entry in result["methods"].items():
        print(
            f"\n{method}: {entry['seizures_detected']} of {entry['seizures']} seizures detected, "
            f"median latency {entry['median_latency_s']} s",
            file=out,
        )
        print(
            f"  {'seizure':<20}{'detected':>9}{'latency s':>11}{'alerts':>8}{'false':>7}", file=out
        )
        for p in entry["per_seizure"]:
            print(
                f"  {p['seizure']:<20}{'yes' if p['detected'] else 'no':>9}"
                f"{'' if p['latency_s'] is None else p['latency_s']:>11}{p['alerts']:>8}"
                f"{p['false_alarms']:>7}",
                file=out,
            )
        bg = entry.get("background")
        if bg:
            print(
                f"  seizure-free EEG: {bg['false_alarms']} false alarms in {bg['hours']} h = "
                f"{bg['false_alarms_per_hour']} per hour",
                file=out,
            )


def _print_familiarity_table(result, out=None):
    out = sys.stdout if out is None else out
    print(
        f"{result['data']}\n{result['n_subjects']} subjects, {result['n_epochs']} trials "
        f"{result['classes']}, {result['n_channels']} channels at {result['sfreq']:g} Hz, window "
        f"{result['window_s'][0]:g}-{result['window_s'][1]:g} s; chance {result['chance']:.3f}; "
        f"Brian2 target {result['brian2_target']}; seed {result['seed']}; {result['wall_s']} s\n",
        file=out,
    )
    print(f"{'method':<26}{'within subject':>18}{'across subjects':>18}", file=out)
    for name in result["within_subject"]["accuracy"]:
        w = result["within_subject"]["accuracy"][name]
        a = result["across_subject"]["accuracy"][name]
        print(
            f"{name:<26}{w['mean']:>10.3f} ± {w['sd']:.3f}{a['mean']:>11.3f} ± {a['sd']:.3f}",
            file=out,
        )


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Cross-validate the cube against a non-spiking baseline on real EEG."""
    if args.tune and args.task == "seizure":
        raise ValueError(
            "--tune runs a nested search on the motor and familiarity tasks; --task seizure has "
            "none."
        )
    grid = None
    if args.tune:
        from .tune import _grid

        grid = _grid(args.grid)
    if args.task == "familiarity":
        from ..evaluation.familiarity import evaluate_familiarity

        result = evaluate_familiarity(
            args.data, target=args.target, random_state=args.seed, tune_grid=grid
        )
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
            args.data,
            args.background,
            background_training=args.background_training,
            target=args.target,
            random_state=args.seed,
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
        tune_grid=grid,
    )
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print_accuracy_table(result)
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``neucube evaluate`` to the command line's subparsers."""
    p = subparsers.add_parser(
        "evaluate",
        help="cross-validate the cube and a non-spiking baseline on real EEG",
        description="Every table scores, on the same folds, the calibrated cube with STDP "
        "(neucube_<readout>) and without (neucube_no_stdp_<readout>), NeuCube's published "
        "operating point (neucube_preset_<readout>), the encoder's spikes with no reservoir "
        "(spikes_only_<readout>), each read out by deSNN, spike counts and time-binned counts, "
        "and non-spiking baselines. Motor task: EEGMMIDB executed left vs right fist (runs 3, "
        "7, 11; 0-4 s epochs), repeated stratified K-fold; baselines CSP+LDA and Riemannian "
        "tangent space. Seizure task: leave-one-seizure-out on CHB-MIT chb01 and false alarms "
        "on seizure-free EEG, the cube (with and without background-scaled input) against "
        "line-length and band-power features, with the same windows and event rules. "
        "Familiarity task: UCI EEG Database S2 match vs nomatch, within-subject and "
        "leave-subjects-out; baselines down-sampled ERPs with shrinkage LDA and xDAWN "
        "covariances in the tangent space.",
    )
    p.add_argument("--task", default="motor", choices=["motor", "seizure", "familiarity"])
    p.add_argument(
        "--data",
        required=True,
        nargs="+",
        help="motor: folder with the EEGMMIDB EDF files (S001R03.edf ...); seizure: the "
        "CHB-MIT chb01 folder (edf/, windows_npy/); familiarity: UCI EEG subject folders "
        "(co2a0000364 ...) or one folder holding them",
    )
    p.add_argument(
        "--background",
        default=None,
        help="seizure: folder of seizure-free EEG (EEGMMIDB) for false alarms per hour",
    )
    p.add_argument(
        "--background-training",
        action="store_true",
        help="seizure: also train on the background, cross-fitted (half the runs "
        "train, the other half are tested, then swapped)",
    )
    p.add_argument("--subject", type=POSITIVE_INT, default=1)
    p.add_argument("--folds", type=number(int, low=2), default=5)
    p.add_argument("--repeats", type=POSITIVE_INT, default=3)
    add_target(p)
    p.add_argument("--seed", type=SEED, default=0)
    p.add_argument(
        "--tune",
        action="store_true",
        help="motor, familiarity: add the neucube_tuned row, whose parameters a 3-fold search "
        "on each training fold chooses (nested cross-validation)",
    )
    p.add_argument("--grid", default=None, help="the --tune grid, as for `neucube tune`")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(func=cmd_evaluate)
    return p
