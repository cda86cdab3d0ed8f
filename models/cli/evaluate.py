"""Cross-validated accuracy and seizure detection against baselines: ``neucube evaluate``."""

from __future__ import annotations

import json
import re
import sys
from typing import TYPE_CHECKING

from ._options import POSITIVE_INT, SEED, add_parallel, add_target, number, parallel_args

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


#: The dataset each task reads with --dataset, and how it is fetched.
TASK_DATASETS = {"seizure": "chbmit", "motor": "eegmmidb"}


def _subject_arg(text):
    """Parse --subject: a number >= 1, or a dataset's name for it (S001, chb01)."""
    if re.fullmatch(r"(?i)(chb\d{2}[a-z]?|s\d{3})", text.strip()):
        return text.strip()
    return str(POSITIVE_INT(text))


def _subject(args):
    """Return the motor task's subject number, from --subject (1, "1" or "S001")."""
    from acquisition.datasets import subject_name

    if args.task != "motor":
        return args.subject
    return int(subject_name("eegmmidb", args.subject)[1:])


def _fetch_data(args):
    """Fill --data from --dataset: download what the task reads (verified, cached)."""
    if args.dataset is None:
        if not args.data:
            raise ValueError(
                "Give the data: --data FOLDER, or --dataset "
                f"{TASK_DATASETS.get(args.task, 'chbmit')} --subject S to fetch it from PhysioNet."
            )
        return
    if args.data:
        raise ValueError("Give --data or --dataset, not both.")
    wanted = TASK_DATASETS.get(args.task)
    if args.dataset != wanted:
        raise ValueError(
            f"--dataset {args.dataset} does not serve --task {args.task}"
            + (f"; it reads --dataset {wanted}." if wanted else "; give --data FOLDER.")
        )
    from acquisition import datasets

    fetch = dict(path=args.path, base_url=args.base_url, progressbar=not args.json)
    if args.task == "seizure":
        folder = datasets.chbmit_seizure_excerpts(args.subject, **fetch)
    else:  # the motor runs: executed left/right fist
        folder = datasets.fetch_dataset("eegmmidb", args.subject, (3, 7, 11), **fetch).folder
    args.data = [str(folder)]


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
    _fetch_data(args)
    if args.task == "familiarity":
        from ..evaluation.familiarity import evaluate_familiarity

        result = evaluate_familiarity(
            args.data,
            target=args.target,
            random_state=args.seed,
            tune_grid=grid,
            **parallel_args(args),
        )
        if args.json:
            print(json.dumps(result, indent=2))
        else:
            _print_familiarity_table(result)
        return 0
    if len(args.data) != 1:
        raise ValueError(f"--task {args.task} takes one --data folder, got {len(args.data)}.")
    args.data = args.data[0]
    subject = _subject(args)
    if args.task == "seizure":
        from ..evaluation.seizure import evaluate_seizure

        result = evaluate_seizure(
            args.data,
            args.background,
            background_training=args.background_training,
            target=args.target,
            random_state=args.seed,
            **parallel_args(args),
        )
        if args.json:
            print(json.dumps(result, indent=2))
        else:
            _print_seizure_table(result)
        return 0
    from ..evaluation.motor import evaluate_motor

    result = evaluate_motor(
        args.data,
        subject=subject,
        n_splits=args.folds,
        n_repeats=args.repeats,
        target=args.target,
        random_state=args.seed,
        tune_grid=grid,
        **parallel_args(args),
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
        default=None,
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
    p.add_argument(
        "--dataset",
        choices=sorted(set(TASK_DATASETS.values())),
        default=None,
        help="instead of --data: fetch the task's data from PhysioNet (verified, cached; see "
        "neucube fetch): chbmit for --task seizure (every seizure of --subject with the 10 s "
        "before it), eegmmidb for --task motor (runs 3, 7, 11 of --subject)",
    )
    p.add_argument(
        "--subject",
        type=_subject_arg,
        default="1",
        help="motor: the EEGMMIDB subject (1 or S001); seizure with --dataset: the CHB-MIT "
        "case (chb01 or 1)",
    )
    p.add_argument("--path", default=None, help="--dataset: the cache folder (see neucube fetch)")
    p.add_argument("--base-url", default=None, help="--dataset: a PhysioNet mirror")
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
    add_parallel(p)
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(func=cmd_evaluate)
    return p
