"""Shared parameter text for numpydoc docstrings (after ``mne.utils.docs``).

A parameter described the same way in several places is written once in
:data:`docdict` and put into each docstring with :func:`fill_doc`, which
replaces ``%(key)s`` by the entry indented to fit the docstring.
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["docdict", "fill_doc", "fill_doc_from"]

_T = TypeVar("_T")

#: Parameter text by key. Each entry starts at column 0 (the parameter's
#: line) and indents its description by 4 spaces; :func:`fill_doc` indents
#: every line after the first to the docstring's indentation.
docdict: dict[str, str] = {}

# -- validators (neucube._checks) -------------------------------------------

docdict["check_name"] = """\
name : str
    Name of the parameter, for the error message."""

# -- encoders (neucube.encoders) --------------------------------------------

docdict["X_train"] = """\
X : array-like, shape (n_channels, n_times) | (n_epochs, n_channels, n_times)
    Training signals."""

docdict["X_signals"] = """\
X : array-like, shape (n_channels, n_times) | (n_epochs, n_channels, n_times)
    The signals."""

docdict["y_ignored"] = """\
y : None
    Ignored; present for scikit-learn compatibility."""

docdict["encoder_alpha"] = """\
alpha : float | 'auto'
    Threshold factor: ``thr_c = mean(d) + alpha * std(d)`` with
    ``d = |x(t) - x(t-1)|`` of channel ``c`` over the training data
    (``std`` with ``ddof=0``). Must be >= 0. Default 0.5, as in NeuCube.
    ``'auto'`` tries each value of ``alphas`` and keeps the one with the
    lowest mean NRMSE of the reconstruction of the training data (the
    first one on a tie); the choice is logged at INFO level.
alphas : array-like of float | None
    The grid searched when ``alpha='auto'``; None means
    ``DEFAULT_ALPHAS`` (0 to 2 in steps of 0.25). Ignored otherwise."""

docdict["encoder_delta_attrs"] = """\
thresholds_ : ndarray, shape (n_channels,)
    The per-channel threshold, in the units of ``X``, frozen at fit.
alpha_ : float
    The alpha used (``alpha``, or the one chosen by ``'auto'``).
alpha_grid_ : ndarray
    The alphas tried (one value unless ``alpha='auto'``).
alpha_errors_ : ndarray | None
    Mean training NRMSE for each value of ``alpha_grid_`` with
    ``alpha='auto'``; None otherwise.
diff_mean_, diff_std_ : ndarray, shape (n_channels,)
    Mean and population std of ``|x(t) - x(t-1)|`` on the training data.
n_channels_ : int
    Number of channels seen at fit."""

#: Notes paragraph of the delta encoders (flat channels).
docdict["encoder_flat"] = """\
A channel that is constant in the training data (all differences 0)
would get threshold 0. It gets ``FLAT_EPS * max(1, max|x_c|)``
(``FLAT_EPS = 1e-12``) instead, and a warning naming it is logged:
it stays silent while it stays flat and spikes on any real change."""

# -- activity (neucube.cube.CubeActivity) ------------------------------------

docdict["activity_sample"] = """\
sample : int
    The sample."""

# -- cube files (neucube.cube.Cube.save/load, neucube.persistence) ----------

docdict["cube_file"] = """\
fname : path-like
    The ``.npz`` file."""

docdict["cube_file_error"] = """\
CubeFileError
    When the file is unreadable or corrupted, is not a cube file, has
    another format version, or a field of it is missing, unknown or out of
    range (the error names the field)."""

docdict["save_fname"] = """\
fname : path-like
    Destination; ``.npz`` is appended by NumPy when missing, so use it."""

docdict["save_encoder"] = """\
encoder : ndarray | dict | None
    Encoder thresholds (an array) or settings (a dict of arrays, numbers,
    strings, booleans) to keep with the cube; loaded back as
    ``cube.encoder_``. ``None`` stores ``cube.encoder_`` if the cube has
    one."""

docdict["save_extra"] = """\
extra : dict of str to dict | None
    Further named sections (for example a readout trained on the cube),
    each a dict of arrays, numbers, strings, booleans and ``None``; loaded
    back as ``cube.extra_``."""

docdict["save_overwrite"] = """\
overwrite : bool
    Whether an existing file may be replaced."""

docdict["save_returns"] = """\
fname : pathlib.Path
    The file written."""


def _indent(text: str, indent: str) -> str:
    lines = text.splitlines()
    return "\n".join(lines[:1] + [indent + line if line else line for line in lines[1:]])


def fill_doc_from(entries: dict[str, str]):
    """Return a decorator like :func:`fill_doc` that fills from ``entries``.

    Each package keeps its own table of shared text and makes its
    ``fill_doc`` with this function, so the filling is written once.

    Parameters
    ----------
    entries : dict of str to str
        Parameter text by key, written as :data:`docdict`'s entries.

    Returns
    -------
    fill_doc : callable
        The decorator.
    """

    def fill(obj: _T) -> _T:
        doc = obj.__doc__
        if not doc:  # e.g. python -OO
            return obj
        lines = doc.splitlines()
        body = [line for line in lines[1:] if line.strip()]
        indent = min((len(line) - len(line.lstrip()) for line in body), default=0)
        pad = " " * indent
        obj.__doc__ = doc % {key: _indent(text, pad) for key, text in entries.items()}
        return obj

    return fill


def fill_doc(obj: _T) -> _T:
    """Fill the ``%(key)s`` placeholders of a docstring from :data:`docdict`.

    Parameters
    ----------
    obj : callable | type
        The function, method or class whose ``__doc__`` holds placeholders
        (a literal ``%`` is written ``%%``).

    Returns
    -------
    obj : callable | type
        ``obj``, with its docstring filled in place.

    Raises
    ------
    KeyError
        If a placeholder names no entry of :data:`docdict`.
    """
    return fill_doc_from(docdict)(obj)
