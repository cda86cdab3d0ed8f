"""Model files: what a file holds (:func:`peek_model`) and the model in it (:func:`read_model`).

Every trained model is one ``.npz`` cube file (arrays and JSON, never a
pickle, see :mod:`neucube.persistence`) with extra sections that say what was
trained on the cube:

================  =========================  ====================================
kind              sections                   class
================  =========================  ====================================
``'seizure'``     ``model``, ``detector``    :class:`~models.seizure.detector.SeizureDetector`
``'trials'``      ``model``                  :class:`~models.classifier.NeuCubeClassifier`
                                             or a subclass such as
                                             :class:`~models.trials.familiarity.FamiliarityClassifier`
================  =========================  ====================================

The command line, the report and the desktop app open model files through
these two functions only, so a file is refused in the same words everywhere.

Every field read from a model file is checked before the model is built, each
section where it is read: the cube's by :meth:`Cube.load
<neucube.cube.Cube.load>`, the ``model``, ``encoder`` and ``readout`` sections
by :meth:`NeuCubeClassifier.load <models.classifier.NeuCubeClassifier.load>`,
the ``detector`` section by :meth:`SeizureDetector.load
<models.seizure.detector.SeizureDetector.load>`, with the checks the
estimators run on their parameters at fit. A field that is missing, unknown,
of the wrong type or out of range is a :class:`ModelFileError` naming the file
and the field::

    chb01.npz: field detector.threshold = 5 is out of range: threshold must be
    a probability in [0, 1], got 5. Retrain the model (neucube train) or
    restore the original file.
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from neucube.persistence import CubeFileError

from . import logger
from ._modelfile import ModelFileError

if TYPE_CHECKING:
    from neucube.cube import Cube

    from .classifier import NeuCubeClassifier
    from .seizure.detector import SeizureDetector

__all__ = [
    "KINDS",
    "LoadedModel",
    "ModelFileError",
    "ModelInfo",
    "model_identity",
    "peek_model",
    "read_model",
]

#: What a model file can hold.
KINDS = ("seizure", "trials")
_DESCRIPTIONS = {"seizure": "seizure detector", "trials": "trial classifier"}


@dataclasses.dataclass(frozen=True)
class ModelInfo:
    """What a model file holds, read from its header without building the model.

    Attributes
    ----------
    path : pathlib.Path
        The file.
    kind : ``'seizure'`` | ``'trials'``
        A seizure detector or a trial classifier.
    class_name : str
        The classifier's class (``'NeuCubeClassifier'``,
        ``'FamiliarityClassifier'``).
    sections : frozenset of str
        The file's extra sections.
    model_id, model_version : str
        The identity stored with alerts (see :func:`model_identity`).
    """

    path: Path
    kind: str
    class_name: str
    sections: frozenset
    model_id: str
    model_version: str

    @property
    def description(self) -> str:
        """str: ``'seizure detector'`` or ``'trial classifier'``."""
        return _DESCRIPTIONS[self.kind]


@dataclasses.dataclass(eq=False)
class LoadedModel:
    """A trained model and what it is.

    Attributes
    ----------
    kind : ``'seizure'`` | ``'trials'``
        A seizure detector or a trial classifier.
    model : SeizureDetector | NeuCubeClassifier
        The trained model.
    path : pathlib.Path | None
        Its file (None for a model given as an object).
    """

    kind: str
    model: object
    path: Path | None = None

    @property
    def name(self) -> str:
        """str: The file name, or the class name of a model given as an object."""
        return self.path.name if self.path is not None else type(self.model).__name__

    @property
    def description(self) -> str:
        """str: ``'seizure detector'`` or ``'trial classifier'``."""
        return _DESCRIPTIONS[self.kind]

    @property
    def classifier(self) -> NeuCubeClassifier:
        """NeuCubeClassifier: The classifier (a detector's ``classifier_``)."""
        return getattr(self.model, "classifier_", self.model)

    @property
    def detector(self) -> SeizureDetector | None:
        """SeizureDetector | None: The detector, for a seizure model."""
        return self.model if self.kind == "seizure" else None

    @property
    def cube(self) -> Cube | None:
        """neucube.cube.Cube | None: The model's cube."""
        return getattr(self.classifier, "cube_", None)

    @property
    def class_name(self) -> str:
        """str: The classifier's class (``'NeuCubeClassifier'``, ``'FamiliarityClassifier'``)."""
        return type(self.classifier).__name__

    @property
    def info(self) -> dict:
        """dict: The cube file's metadata (versions, creation time); empty if never saved."""
        return getattr(self.cube, "file_info_", None) or {}


def _not_a_model(path, why):
    return ModelFileError(
        f"{path} is not a NeuCube-EEG model file ({why}). Choose a file written by "
        "`neucube train` (the shipped seizure model is models/data/chb01_seizure.npz), "
        "SeizureDetector.save or NeuCubeClassifier.save."
    )


def model_identity(
    model: SeizureDetector | NeuCubeClassifier, model_path: str | os.PathLike | None = None
) -> tuple[str, str]:
    """Return the model id and version stored with alerts, as ``neucube detect`` stores them.

    Parameters
    ----------
    model : SeizureDetector | NeuCubeClassifier
        A loaded model.
    model_path : path-like | None
        The file it was loaded from (None: the shipped model's name).

    Returns
    -------
    model_id, model_version : str
        The file name, and ``"neucube <version>, <creation time>"``.
    """
    from .seizure.detector import SHIPPED_MODEL

    name = Path(model_path).name if model_path is not None else SHIPPED_MODEL
    return name, _version(LoadedModel("", model).info)


def _version(meta):
    """Return the model version stored with alerts, from a cube file's metadata."""
    versions = meta.get("versions")
    writer = versions.get("neucube") if isinstance(versions, dict) else None
    return f"neucube {writer}, {meta.get('created')}"


def peek_model(path: str | os.PathLike) -> ModelInfo:
    """Tell what a model file holds, without loading it.

    Parameters
    ----------
    path : path-like
        A model file.

    Returns
    -------
    info : ModelInfo
        Its kind, class, sections and identity.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    ModelFileError
        If it is not a NeuCube-EEG model file, or holds a cube without a
        trained model.
    """
    path = Path(os.fspath(path)).expanduser()
    if not path.is_file():
        raise FileNotFoundError(
            f"Model file not found: {path}. Pass a model written by `neucube train` (the "
            "shipped one is models/data/chb01_seizure.npz) or by NeuCubeClassifier.save."
        )
    try:
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(str(npz["metadata"]))
        extra = meta.get("extra") or {}
        model = extra.get("model") or {}
    except Exception as err:
        raise _not_a_model(path, f"{type(err).__name__}: {err}") from err
    values = model.get("values") if isinstance(model, dict) else None
    if not isinstance(extra, dict) or not isinstance(values or {}, dict):
        raise _not_a_model(path, "its metadata has no model sections")
    class_name = (values or {}).get("class")
    if "detector" in extra:
        kind, class_name = "seizure", class_name or "NeuCubeClassifier"
    elif class_name:
        kind = "trials"
    else:
        raise ModelFileError(
            f"{path} holds a cube but no trained model (no 'model' section). Choose a file "
            "written by `neucube train`, SeizureDetector.save or NeuCubeClassifier.save."
        )
    return ModelInfo(
        path=path,
        kind=kind,
        class_name=str(class_name),
        sections=frozenset(extra),
        model_id=path.name,
        model_version=_version(meta),
    )


_CACHE = {}
_CACHE_LOCK = threading.Lock()


def read_model(
    model: str | os.PathLike | SeizureDetector | NeuCubeClassifier | None = None,
    *,
    cache: bool = False,
) -> LoadedModel:
    """Read a seizure detector or a trial classifier, whichever the file holds.

    Parameters
    ----------
    model : path-like | SeizureDetector | NeuCubeClassifier | None
        A model file, a trained model object (returned as it is, with its
        kind), or None for the shipped seizure model
        (:func:`models.seizure.detector.shipped_model_path`).
    cache : bool
        Keep the last model read and return it again while its file is
        unchanged (loading a model and building its cube take seconds; the
        app reads the same model at every run of its pipeline).

    Returns
    -------
    loaded : LoadedModel
        The model and its kind.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ModelFileError
        If the file is not a NeuCube-EEG model, or the object is not trained.
    """
    from .classifier import NeuCubeClassifier
    from .seizure.detector import SeizureDetector, shipped_model_path

    if isinstance(model, SeizureDetector):
        if not hasattr(model, "classifier_"):
            raise ModelFileError(
                "The SeizureDetector is not trained: call fit or SeizureDetector.load first."
            )
        return LoadedModel("seizure", model)
    if isinstance(model, NeuCubeClassifier):
        if not hasattr(model, "cube_"):
            raise ModelFileError("The NeuCubeClassifier is not fitted: call fit or load one first.")
        return LoadedModel("trials", model)
    if model is not None and not isinstance(model, (str, os.PathLike)):
        raise TypeError(
            "model must be a model file path, a SeizureDetector or a NeuCubeClassifier, got "
            f"{type(model).__name__}."
        )
    path = shipped_model_path() if model is None else Path(os.fspath(model)).expanduser().resolve()
    peek = peek_model(path)
    key = (str(path), path.stat().st_mtime_ns)
    with _CACHE_LOCK:
        if cache and key in _CACHE:
            return _CACHE[key]
        try:
            if peek.kind == "seizure":
                obj = SeizureDetector.load(path)
            else:
                obj = NeuCubeClassifier.load(path)  # as the class that saved it
        except ModelFileError:
            raise
        except CubeFileError as err:
            raise ModelFileError(f"Not a NeuCube-EEG model: {err}", fname=path) from err
        loaded = LoadedModel(peek.kind, obj, path)
        if cache:
            _CACHE.clear()  # keep one: a cube's network holds memory
            _CACHE[key] = loaded
        logger.info("Read the %s %s (%s).", loaded.description, path.name, peek.class_name)
        return loaded
