"""Train a seizure detector or a familiarity classifier: ``neucube train``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._options import SEED, add_model_output, add_target, model_output

if TYPE_CHECKING:
    import argparse


def cmd_train(args: argparse.Namespace) -> int:
    """Train a seizure detector or a familiarity classifier and save it."""
    model_output(args)
    if args.task == "familiarity":
        from acquisition import read_uci_epochs

        from ..classifier import NEUCUBE_PRESET
        from ..trials.familiarity import FamiliarityClassifier

        X, y, groups, ch_names, sfreq = read_uci_epochs(args.data)
        preset = NEUCUBE_PRESET if args.preset == "neucube" else {}
        clf = FamiliarityClassifier(
            ch_names, sfreq, target=args.target, random_state=args.seed, **preset
        )
        clf.fit(X * 1e6, y)  # µV, as in the files
        path = clf.save(args.out, overwrite=args.overwrite)
        print(
            f"Trained the familiarity classifier on {len(y)} trials of {len(set(groups))} "
            f"subject(s) ({int((y == 'familiar').sum())} familiar, "
            f"{int((y == 'unfamiliar').sum())} unfamiliar); saved to {path}"
        )
        return 0
    from ..evaluation.seizure import load_chbmit_seizures
    from ..seizure.detector import NEUCUBE_DETECTOR_PRESET, SeizureDetector

    if len(args.data) != 1:
        raise ValueError(f"--task seizure takes one --data folder, got {len(args.data)}.")
    records = load_chbmit_seizures(args.data[0])
    preset = {}
    if args.preset == "neucube":
        preset = {**NEUCUBE_DETECTOR_PRESET, "readout": "desnn"}
    det = SeizureDetector(target=args.target, random_state=args.seed, **preset)
    det.fit([r for _, r in records])
    path = det.save(args.out, overwrite=args.overwrite)
    print(
        f"Trained the cube seizure detector on {len(records)} seizures "
        f"({', '.join(n for n, _ in records)}); saved to {path}"
    )
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``neucube train`` to the command line's subparsers."""
    p = subparsers.add_parser(
        "train",
        help="train a seizure detector or a familiarity classifier and save it",
        description="Seizure: train the cube seizure detector on the CHB-MIT chb01 excerpts in "
        "DATA (edf/ and windows_npy/). Familiarity: train the familiarity classifier on the S2 "
        "trials of UCI EEG subject folders. Either is saved as one .npz model file.",
    )
    p.add_argument("--task", default="seizure", choices=["seizure", "familiarity"])
    p.add_argument(
        "--data",
        required=True,
        nargs="+",
        help="seizure: the CHB-MIT chb01 folder; familiarity: UCI subject folders or "
        "one folder holding them",
    )
    add_model_output(p)
    add_target(p)
    p.add_argument(
        "--preset",
        default="calibrated",
        choices=["calibrated", "neucube"],
        help="the cube's operating point: calibrated (default: activity band, bounded STDP, "
        "time-binned readout; for seizures, input scaled by the recording's background) or "
        "neucube (NeuCube's published values and its deSNN readout)",
    )
    p.add_argument("--seed", type=SEED, default=0)
    p.set_defaults(func=cmd_train)
    return p
