"""Errors of model files, and how their readers name a bad field.

The readers of a model file's sections (:meth:`NeuCubeClassifier.load
<models.classifier.NeuCubeClassifier.load>`, :meth:`SeizureDetector.load
<models.seizure.detector.SeizureDetector.load>`) check with
:func:`neucube.persistence.check_keys` and
:func:`neucube.persistence.check_fields` inside :func:`model_fields`, which
turns a bad field into a :class:`ModelFileError`; :mod:`models.io` offers the
error to callers.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator

from neucube.persistence import CubeFileError, field_error

__all__ = ["RETRAIN", "ModelFileError", "json_field", "model_fields"]


class ModelFileError(CubeFileError):
    """The file is not a usable NeuCube-EEG model file (the message says why and what to do).

    A :class:`neucube.persistence.CubeFileError` (so a ``ValueError``); for a
    bad field, its ``fname``, ``field``, ``problem`` and ``value`` say which.
    """


#: What to do about a model file whose field is out of range.
RETRAIN = "Retrain the model (neucube train) or restore the original file."


@contextlib.contextmanager
def model_fields(fname: str | os.PathLike) -> Iterator[None]:
    """Read a model file's fields: a bad one becomes a :class:`ModelFileError`.

    Parameters
    ----------
    fname : path-like
        The model file being read.

    Yields
    ------
    None
        Within the block, a :class:`~neucube.persistence.CubeFileError` about
        a field (from the cube's or a section's checks) is raised again as a
        :class:`ModelFileError` with the same words, whose advice is to
        retrain the model or restore the file.
    """
    try:
        yield
    except ModelFileError:
        raise
    except CubeFileError as err:
        if err.field is None:
            raise
        message = str(err)
        if err.fix and message.endswith(err.fix):
            message = message[: -len(err.fix)] + RETRAIN
        raise ModelFileError(
            message,
            fname=err.fname if err.fname is not None else fname,
            field=err.field,
            problem=err.problem,
            value=err.value,
            fix=RETRAIN,
        ) from None


def json_field(text: object, field: str, fname: str | os.PathLike) -> dict:
    """Return the JSON object that a model file keeps as text in a field.

    Parameters
    ----------
    text : object
        The field's value, as read (a str holding a JSON object).
    field : str
        The field, ``'section.key'`` (``'detector.params'``).
    fname : path-like
        The file.

    Returns
    -------
    values : dict
        The object.

    Raises
    ------
    ModelFileError
        If ``text`` is not the text of a JSON object.
    """
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, dict):
        raise field_error(
            fname,
            field,
            "is not the text of a JSON object of parameters, as save writes it",
            text,
            fix=RETRAIN,
            error=ModelFileError,
        )
    return value
