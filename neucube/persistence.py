"""Cube files: a NumPy ``.npz`` archive, no pickles, read and written as state.

This module knows the file format, not the model (it does not import
:mod:`neucube.cube`): :func:`write_cube` writes a :class:`CubeState` (the
cube's arrays, parameters and what is kept with it) and :func:`read_cube`
reads and checks a file back into one. :meth:`Cube.save
<neucube.cube.Cube.save>` and :meth:`Cube.load <neucube.cube.Cube.load>` turn
a cube into state and back.

File format (``format_version`` 1), written with :func:`numpy.savez_compressed`
and read with ``allow_pickle=False`` (nothing in the file is executed):

``metadata``
    0-d unicode array holding a JSON object: ``format`` (always
    ``"neucube-eeg cube"``), ``format_version`` (int), ``params`` (every
    :class:`~neucube.cube.Cube` parameter), ``seed``, ``n_passes`` (STDP
    passes done), ``n_neurons``, ``n_channels``, ``n_connections``,
    ``ch_names`` (or ``null``), ``encoder`` (see below), ``versions``
    (``neucube``, ``brian2``, ``numpy``, ``scipy``, ``python``) and
    ``created`` (ISO 8601 UTC).
``coords``
    float64 (n_neurons, 3): reservoir neuron positions, mm.
``input_index``
    int64 (n_channels,): the reservoir neuron each channel is mapped to.
``pre``, ``post``
    int64 (n_connections,): source and target of each connection (input
    neurons numbered after the reservoir, see :mod:`neucube.cube`).
``weights``
    float64 (n_connections,): current weights.
``encoder`` or ``encoder/<key>``
    optional encoder data: an array given as ``encoder`` is stored as
    ``encoder``; a dict's array values as ``encoder/<key>`` and its numbers,
    strings, booleans and ``None`` in the metadata's ``encoder`` object.
``<section>/<key>``
    optional further sections (``extra=``), stored like a dict encoder and
    listed in the metadata's ``extra`` object (a classifier keeps its
    readout there).

A file that cannot be read, that is not a cube file, or that comes from
another format version raises :class:`CubeFileError` naming the file and what
to do; so does a field of the metadata that is missing, unknown, of the wrong
type or out of range, and then the error names the field too
(``"<file>: field cube.n_passes = -1 is out of range: ..."``). :func:`read_cube`
checks the fields of the format (the counts, the seed, the channel names, the
sections' layout), :meth:`Cube.load <neucube.cube.Cube.load>` the cube's
parameters and arrays; :func:`check_keys` and :func:`check_fields` are how
they, and the readers of the sections kept in the file, name the field.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import platform
import reprlib
import zipfile
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._checks import check_ch_names, check_int
from ._docs import fill_doc
from ._logging import logger
from ._targets import _version_of

FORMAT = "neucube-eeg cube"
FORMAT_VERSION = 1
_ARRAYS = ("coords", "input_index", "pre", "post", "weights")

__all__ = [
    "FORMAT_VERSION",
    "CubeFileError",
    "CubeState",
    "check_fields",
    "check_keys",
    "field_error",
    "read_cube",
    "write_cube",
]


class CubeFileError(ValueError):
    """A cube file cannot be used (unreadable, not a cube, other version, a bad field).

    Parameters
    ----------
    message : str
        What is wrong, naming the file, and what to do.
    fname : path-like | None
        The file.
    field : str | None
        The field at fault, as ``'section.key'`` (``'cube.threshold'``), when
        the error is about one.
    problem : str | None
        What is wrong with that field (``'is missing.'``, ``'is out of range:
        ...'``).
    value : object
        The field's value as read (None when it is missing).
    fix : str | None
        What to do, the end of ``message``.

    Attributes
    ----------
    fname : str | None
        The file.
    field, problem : str | None
        The field at fault and what is wrong with it.
    value : object
        The field's value.
    fix : str | None
        What to do.
    """

    def __init__(
        self,
        message: str,
        *,
        fname: str | os.PathLike | None = None,
        field: str | None = None,
        problem: str | None = None,
        value: object = None,
        fix: str | None = None,
    ) -> None:
        super().__init__(message)
        self.fname = None if fname is None else str(fname)
        self.field = field
        self.problem = problem
        self.value = value
        self.fix = fix


@dataclass(eq=False)
class CubeState:
    """What a cube file holds, as plain data (no model, no simulator).

    Parameters
    ----------
    coords : ndarray of float64, shape (n_neurons, 3)
        Reservoir neuron positions, mm.
    input_index : ndarray of int64, shape (n_channels,)
        The reservoir neuron each channel is mapped to.
    pre, post : ndarray of int64, shape (n_connections,)
        Source and target of each connection.
    weights : ndarray of float64, shape (n_connections,)
        Current weights.
    params : dict
        Every :class:`~neucube.cube.Cube` parameter (its ``get_params()``).
    seed : int | None
        The seed the connections were drawn with.
    n_passes : int
        STDP passes done.
    ch_names : list of str | None
        Names of the input channels.
    encoder : ndarray | dict | None
        Encoder thresholds (an array) or settings (a dict).
    extra : dict of str to dict
        Further named sections.
    file_info : dict | None
        Read from a file only: its ``versions``, ``created`` and
        ``format_version``.
    """

    coords: np.ndarray
    input_index: np.ndarray
    pre: np.ndarray
    post: np.ndarray
    weights: np.ndarray
    params: dict
    seed: int | None = None
    n_passes: int = 0
    ch_names: list[str] | None = None
    encoder: np.ndarray | dict | None = None
    extra: dict = field(default_factory=dict)
    file_info: dict | None = None


def _versions():
    return {
        "neucube": _version_of("neucube-eeg"),
        "brian2": _version_of("brian2"),
        "numpy": np.__version__,
        "scipy": _version_of("scipy"),
        "python": platform.python_version(),
    }


def _pack_section(section, content, arrays):
    """Put a dict's arrays into ``arrays`` as ``section/key``; return its metadata."""
    meta = {"kind": "dict", "values": {}, "arrays": []}
    for key, value in content.items():
        key = str(key)
        if "/" in key:
            raise ValueError(f"{section} keys must not contain '/', got {key!r}.")
        if isinstance(value, (np.ndarray, list, tuple)):
            arr = np.asarray(value)
            if arr.dtype == object:
                raise TypeError(f"{section}[{key!r}] must be a numeric or string array.")
            arrays[f"{section}/{key}"] = arr
            meta["arrays"].append(key)
        else:
            meta["values"][key] = _jsonable(value, f"{section}/{key}")
    return meta


def _unpack_section(section, meta, data):
    out = dict(meta.get("values", {}))
    for key in meta.get("arrays", []):
        out[key] = data[f"{section}/{key}"]
    return out


def _jsonable(value, where):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    raise TypeError(
        f"{where!r} must be an array, a number, a string, a bool or None "
        f"to be saved, got {type(value).__name__}."
    )


@fill_doc
def write_cube(state: CubeState, fname: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write a cube's state to a ``.npz`` file (the format above).

    Parameters
    ----------
    state : CubeState
        What to write (``file_info`` is ignored: the file gets its own).
    %(save_fname)s
    %(save_overwrite)s

    Returns
    -------
    %(save_returns)s
    """
    fname = Path(os.fspath(fname))
    if fname.suffix != ".npz":
        fname = fname.with_name(fname.name + ".npz")
    if fname.exists() and not overwrite:
        raise FileExistsError(
            f"{fname} exists. Pass overwrite=True to replace it, or choose another name."
        )
    encoder = state.encoder
    arrays = {
        "coords": np.asarray(state.coords, dtype=np.float64),
        "input_index": np.asarray(state.input_index, dtype=np.int64),
        "pre": np.asarray(state.pre, dtype=np.int64),
        "post": np.asarray(state.post, dtype=np.int64),
        "weights": np.asarray(state.weights, dtype=np.float64),
    }
    enc_meta = None
    if isinstance(encoder, dict):
        enc_meta = _pack_section("encoder", encoder, arrays)
    elif encoder is not None:
        arr = np.asarray(encoder)
        if arr.dtype == object:
            raise TypeError("encoder must be a numeric array or a dict.")
        arrays["encoder"] = arr
        enc_meta = {"kind": "array"}
    extra_meta = {}
    for section, content in (state.extra or {}).items():
        if section in ("encoder", "metadata", *_ARRAYS) or "/" in section:
            raise ValueError(f"extra section name {section!r} is reserved or contains '/'.")
        if not isinstance(content, dict):
            raise TypeError(f"extra[{section!r}] must be a dict, got {type(content).__name__}.")
        extra_meta[section] = _pack_section(section, content, arrays)
    n_neurons, n_connections = len(arrays["coords"]), len(arrays["pre"])
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "params": state.params,
        "seed": state.seed,
        "n_passes": int(state.n_passes),
        "n_neurons": n_neurons,
        "n_channels": len(arrays["input_index"]),
        "n_connections": n_connections,
        "ch_names": state.ch_names,
        "encoder": enc_meta,
        "extra": extra_meta,
        "versions": _versions(),
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    fname.parent.mkdir(parents=True, exist_ok=True)
    tmp = fname.with_name(fname.name + ".part")
    with open(tmp, "wb") as f:
        np.savez_compressed(f, metadata=np.array(json.dumps(meta)), **arrays)
    os.replace(tmp, fname)
    logger.info(
        "Saved cube (%d neurons, %d connections, %d STDP passes) to %s",
        n_neurons,
        n_connections,
        state.n_passes,
        fname,
    )
    return fname


_RESAVE = "Save the cube again from where it was fitted (Cube.save)."
#: What to do about a bad field of a cube file.
_REPAIR = "Save the cube again from where it was fitted (Cube.save), or restore the original file."
#: A field that is not in the file (no value to show).
_MISSING = object()
_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 40
_REPR.maxlist, _REPR.maxdict, _REPR.maxlevel = 6, 4, 2


def _fail(fname, what, fix):
    raise CubeFileError(f"{fname} {what}. {fix}", fname=fname)


def _shown(value):
    """Return a short text of a field's value for a message."""
    if isinstance(value, np.ndarray):
        return f"<array of shape {value.shape} and dtype {value.dtype}>"
    return _REPR.repr(value)


def field_error(
    fname: str | os.PathLike,
    field: str,
    problem: str,
    value: object = _MISSING,
    *,
    fix: str = _REPAIR,
    error: type[CubeFileError] = CubeFileError,
) -> CubeFileError:
    """Return the error saying that a field of a file is missing, unknown or out of range.

    Parameters
    ----------
    fname : path-like
        The file.
    field : str
        The field, as ``'section.key'``.
    problem : str
        What is wrong: ``'is missing.'``, ``'is out of range: <why>'``.
    value : object
        The value read; left out for a missing field (no value is shown).
    fix : str
        What to do about it.
    error : type
        :class:`CubeFileError` or a subclass of it, the type returned.

    Returns
    -------
    error : CubeFileError
        ``"<file>: field <field> = <value> <problem> <fix>"``, with
        ``fname``, ``field``, ``problem`` and ``value`` set.
    """
    problem = problem if problem.endswith(".") else f"{problem}."
    shown = "" if value is _MISSING else f" = {_shown(value)}"
    return error(
        f"{fname}: field {field}{shown} {problem} {fix}",
        fname=fname,
        field=field,
        problem=problem,
        value=None if value is _MISSING else value,
        fix=fix,
    )


def _problem(err):
    """Say what a validator's error means for a field."""
    if isinstance(err, TypeError):
        return f"has the wrong type: {err}"
    return f"is out of range: {err}"


def check_keys(
    values: object,
    known: Collection[str],
    *,
    section: str,
    fname: str | os.PathLike,
    optional: Collection[str] = (),
    fix: str = _REPAIR,
    error: type[CubeFileError] = CubeFileError,
) -> dict:
    """Check that a section read from a file holds its fields, and only those.

    Parameters
    ----------
    values : object
        What the file holds for the section (a dict of field name to value).
    known : collection of str
        The section's fields.
    section : str
        The section's name (the first part of the fields named in errors).
    fname : path-like
        The file.
    optional : collection of str
        Fields that may be left out (their defaults apply).
    fix : str
        What to do, for the message.
    error : type
        :class:`CubeFileError` or a subclass of it, the type raised.

    Returns
    -------
    values : dict
        ``values``.

    Raises
    ------
    CubeFileError
        If ``values`` is not a dict, or a field is unknown or missing (the
        first one, in the file's order, then in ``known``'s).
    """
    if not isinstance(values, dict):
        raise field_error(
            fname,
            section,
            "has the wrong type: it must be a JSON object of fields",
            values,
            fix=fix,
            error=error,
        )
    for key in values:
        if key not in known:
            raise field_error(
                fname,
                f"{section}.{key}",
                f"is not a field of the {section} section (its fields: {', '.join(known)})",
                values[key],
                fix=fix,
                error=error,
            )
    for key in known:
        if key not in values and key not in optional:
            raise field_error(fname, f"{section}.{key}", "is missing", fix=fix, error=error)
    return values


def check_fields(
    values: Mapping[str, object],
    checks: Mapping[str, Callable[[object], object]],
    *,
    section: str,
    fname: str | os.PathLike | None = None,
    fix: str = _REPAIR,
    error: type[CubeFileError] = CubeFileError,
) -> None:
    """Run each field's check, in the order of ``checks``; name the first bad field.

    One list of checks serves values given in code (``fname=None``: the
    validator's own error is raised) and values read from a file (the error
    names the file and the field).

    Parameters
    ----------
    values : mapping of str to object
        Field name to value. Fields missing from it are not checked (see
        :func:`check_keys`).
    checks : mapping of str to callable
        Field name to a function of its value that raises ``TypeError`` or
        ``ValueError`` (``OverflowError`` for a number too large) when the
        value is bad. A check that compares fields comes after their own
        checks and can rely on them.
    section : str
        The section's name (the first part of the fields named in errors).
    fname : path-like | None
        The file the values were read from, or None.
    fix : str
        What to do, for the message.
    error : type
        :class:`CubeFileError` or a subclass of it, the type raised.

    Raises
    ------
    TypeError, ValueError
        Without ``fname``: the first failing check's error.
    CubeFileError
        With ``fname``: ``"<file>: field <section>.<name> = <value> is out
        of range: <the check's error> <fix>"`` (``has the wrong type`` for a
        ``TypeError``).
    """
    for name, check in checks.items():
        if name not in values:
            continue
        value = values[name]
        try:
            check(value)
        except (TypeError, ValueError, OverflowError) as err:
            if fname is None:
                raise
            raise field_error(
                fname, f"{section}.{name}", _problem(err), value, fix=fix, error=error
            ) from None


@contextlib.contextmanager
def damaged_file(fname: str | os.PathLike) -> Iterator[None]:
    """Turn the errors of using a file's content into a :class:`CubeFileError`.

    Parameters
    ----------
    fname : path-like
        The file whose content is being used (named in the error).

    Yields
    ------
    None
        Within the block, a ``KeyError``, ``TypeError`` or ``ValueError``
        (other than a :class:`CubeFileError`) becomes a :class:`CubeFileError`
        saying the file is inconsistent or damaged.
    """
    try:
        yield
    except CubeFileError:
        raise
    except (KeyError, TypeError, ValueError) as err:
        _fail(fname, f"is inconsistent or damaged ({err})", _RESAVE)


#: The metadata's fields: those written by :func:`write_cube`, and those it may leave out.
_META_FIELDS = (
    "format",
    "format_version",
    "params",
    "seed",
    "n_passes",
    "n_neurons",
    "n_channels",
    "n_connections",
    "ch_names",
    "encoder",
    "extra",
    "versions",
    "created",
)
_META_OPTIONAL = ("seed", "n_passes", "ch_names", "encoder", "extra", "versions", "created")
_LAYOUT = "{'kind': 'dict', 'values': {...}, 'arrays': [names]}"


def _check_layout(layout, name):
    """Raise unless ``layout`` describes a section as :func:`_pack_section` writes one."""
    ok = (
        isinstance(layout, dict)
        and layout.get("kind") == "dict"
        and set(layout) <= {"kind", "values", "arrays"}
        and isinstance(layout.get("values", {}), dict)
        and isinstance(layout.get("arrays", []), list)
        and all(isinstance(key, str) and "/" not in key for key in layout.get("arrays", []))
    )
    if not ok:
        raise ValueError(f"the {name} section must be laid out as {_LAYOUT}")


def _check_encoder_layout(layout):
    if layout is not None and layout != {"kind": "array"}:
        _check_layout(layout, "encoder")


def _check_extra(extra):
    if extra is None:
        return
    if not isinstance(extra, dict):
        raise TypeError("extra must be a JSON object of sections")
    for name, layout in extra.items():
        if name in ("encoder", "metadata", *_ARRAYS) or "/" in name:
            raise ValueError(f"section name {name!r} is reserved or contains '/'")
        _check_layout(layout, repr(name))


def _check_versions(versions):
    if versions is not None and not (
        isinstance(versions, dict)
        and all(v is None or isinstance(v, str) for v in versions.values())
    ):
        raise TypeError("versions must be a JSON object of package name to version string")


def _check_created(created):
    if created is not None and not isinstance(created, str):
        raise TypeError("created must be a date and time as text (ISO 8601)")


def _check_metadata(meta, fname):
    """Check the format's own fields of a cube file's metadata (not the cube's parameters)."""
    check_keys(meta, _META_FIELDS, section="cube", fname=fname, optional=_META_OPTIONAL)

    def channel_names(value):
        if value is not None:
            check_ch_names(value, "ch_names", n_channels=meta["n_channels"])

    def params(value):
        if not isinstance(value, dict):
            raise TypeError("params must be a JSON object of the cube's parameters")

    checks = {
        "params": params,
        "n_neurons": lambda v: check_int(v, "n_neurons", min_value=1),
        "n_channels": lambda v: check_int(v, "n_channels", min_value=0),
        "n_connections": lambda v: check_int(v, "n_connections", min_value=0),
        "seed": lambda v: v is None or check_int(v, "seed", min_value=0),
        "n_passes": lambda v: check_int(v, "n_passes", min_value=0),
        "ch_names": channel_names,
        "encoder": _check_encoder_layout,
        "extra": _check_extra,
        "versions": _check_versions,
        "created": _check_created,
    }
    check_fields(meta, checks, section="cube", fname=fname)


@fill_doc
def read_cube(fname: str | os.PathLike) -> CubeState:
    """Read and check a cube file written by :func:`write_cube` (or ``Cube.save``).

    Parameters
    ----------
    %(cube_file)s

    Returns
    -------
    state : CubeState
        Its arrays, parameters, seed, STDP passes, channel names, encoder
        data (``None`` if none), extra sections and ``file_info`` (versions,
        creation time, format version). The format's fields are checked
        here (counts, seed, STDP passes, channel names, the sections'
        layout); the cube's parameters and arrays by :meth:`Cube.load
        <neucube.cube.Cube.load>`, the sections by their readers.

    Raises
    ------
    %(cube_file_error)s
    """
    fname = Path(os.fspath(fname))
    if not fname.is_file():
        raise FileNotFoundError(f"No cube file at {fname}.")
    resave = _RESAVE
    try:
        with np.load(fname, allow_pickle=False) as npz:
            names = set(npz.files)
            if "metadata" not in names:
                _fail(
                    fname,
                    "is not a NeuCube-EEG cube file (it has no 'metadata' entry)",
                    "Load a file written by Cube.save().",
                )
            data = {name: npz[name] for name in names}
    except CubeFileError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as err:
        _fail(
            fname,
            f"could not be read: it is corrupted, truncated or not a .npz file "
            f"({type(err).__name__}: {err})",
            resave,
        )
    try:
        meta = json.loads(str(data["metadata"]))
        if not isinstance(meta, dict):
            raise ValueError("metadata is not a JSON object")
    except (ValueError, TypeError) as err:
        _fail(fname, f"has unreadable metadata ({err})", resave)
    if meta.get("format") != FORMAT:
        _fail(
            fname,
            f"is not a NeuCube-EEG cube file (format {meta.get('format')!r})",
            "Load a file written by Cube.save().",
        )
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        versions = meta.get("versions")
        writer = versions.get("neucube") if isinstance(versions, dict) else None
        if isinstance(version, int) and version > FORMAT_VERSION:
            fix = (
                "Upgrade NeuCube-EEG (pip install -U neucube-eeg) to read it, or "
                "save the cube again with this version."
            )
        else:
            fix = f"Fit the cube again with this version of NeuCube-EEG and save it. {resave}"
        _fail(
            fname,
            f"has cube format version {version!r} (written by NeuCube-EEG {writer}); "
            f"this NeuCube-EEG reads version {FORMAT_VERSION}",
            fix,
        )
    missing = [name for name in _ARRAYS if name not in data]
    if missing:
        _fail(fname, f"is incomplete: missing {missing}", resave)
    _check_metadata(meta, fname)
    n_neurons, n_channels, n_conn = meta["n_neurons"], meta["n_channels"], meta["n_connections"]
    with damaged_file(fname):
        coords, input_index = data["coords"], data["input_index"]
        pre, post, weights = data["pre"], data["post"], data["weights"]
        shapes_ok = (
            coords.shape == (n_neurons, 3)
            and input_index.shape == (n_channels,)
            and pre.shape == post.shape == weights.shape == (n_conn,)
        )
        if not shapes_ok:
            raise ValueError(
                f"array shapes {coords.shape}, {input_index.shape}, {pre.shape}, "
                f"{post.shape}, {weights.shape} do not match the metadata"
            )
    enc = meta.get("encoder")
    try:
        if enc is None:
            encoder = None
        elif enc["kind"] == "array":
            encoder = data.get("encoder")
        else:
            encoder = _unpack_section("encoder", enc, data)
        extra = {
            section: _unpack_section(section, sec_meta, data)
            for section, sec_meta in (meta.get("extra") or {}).items()
        }
    except KeyError as err:
        _fail(fname, f"is incomplete: missing {err}", resave)
    return CubeState(
        coords=coords,
        input_index=input_index,
        pre=pre,
        post=post,
        weights=weights,
        params=dict(meta["params"]),
        seed=meta.get("seed"),
        n_passes=meta.get("n_passes", 0),
        ch_names=meta.get("ch_names"),
        encoder=encoder,
        extra=extra,
        file_info={k: meta.get(k) for k in ("versions", "created", "format_version")},
    )
