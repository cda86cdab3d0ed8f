"""Property-based fuzzing of the two file readers: EDF headers and model metadata.

Each property holds for any input Hypothesis makes: the reader returns what
it reads, or raises the project's own error naming the file, and never any
other exception. The runs are derandomized (the same examples on every
machine) and small enough to take seconds; an input that once broke a reader
is kept as an ``@example``.
"""

from __future__ import annotations

import io
import json
import string

import mne
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from acquisition import CorruptFileError, EEGFileError, read_raw
from models.io import ModelFileError, read_model
from models.seizure.detector import SeizureDetector

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- EDF headers ----------------------------------------------------------------

CHANNELS = ["FP1-F7", "F7-T7", "T7-P7"]
SFREQ, SECONDS = 64, 4

#: The fixed part of an EDF header: field, offset, width (bytes).
HEADER_FIELDS = (
    ("version", 0, 8),
    ("patient_id", 8, 80),
    ("recording_id", 88, 80),
    ("start_date", 168, 8),
    ("start_time", 176, 8),
    ("header_bytes", 184, 8),
    ("reserved", 192, 44),
    ("n_records", 236, 8),
    ("record_duration", 244, 8),
    ("n_signals", 252, 4),
)
#: The per-signal part: field, width; signal ``i``'s value of field ``k`` is at
#: ``256 + n_signals * (sum of the widths before k) + i * width``.
SIGNAL_FIELDS = (
    ("label", 16),
    ("transducer", 80),
    ("physical_dimension", 8),
    ("physical_min", 8),
    ("physical_max", 8),
    ("digital_min", 8),
    ("digital_max", 8),
    ("prefiltering", 80),
    ("samples_per_record", 8),
    ("signal_reserved", 32),
)


def small_edf() -> bytes:
    """A valid EDF+ of 3 channels, 4 s at 64 Hz in 1 s records (2560 bytes)."""
    import edfio

    rng = np.random.default_rng(0)
    signals = [
        edfio.EdfSignal(
            rng.normal(size=SECONDS * SFREQ) * 50,
            sampling_frequency=SFREQ,
            label=label,
            physical_dimension="uV",
            physical_range=(-500, 500),
        )
        for label in CHANNELS
    ]
    buf = io.BytesIO()
    edfio.Edf(signals, data_record_duration=1.0).write(buf)
    return buf.getvalue()


BASE_EDF = small_edf()


def field_span(field, signal=0):
    """Return the (offset, width) of a header field (of one signal) in the small EDF."""
    n_signals = len(CHANNELS)
    for name, offset, width in HEADER_FIELDS:
        if name == field:
            return offset, width
    offset = 256
    for name, width in SIGNAL_FIELDS:
        if name == field:
            return offset + signal * width, width
        offset += n_signals * width
    raise KeyError(field)


FIELD_NAMES = [f for f, _, _ in HEADER_FIELDS] + [f for f, _ in SIGNAL_FIELDS]

_numbers = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1, 99999999, -99999999, 1e-300, 1e300]),
).map(lambda v: repr(v).encode("ascii"))
# Words with a meaning in a header: channel labels (an annotation channel among
# them), the EDF+ marks in the reserved field, dates and times.
_words = st.lists(
    st.sampled_from(
        [
            "EDF Annotations",
            "EDF+C",
            "EDF+D",
            "BIOSEMI",
            "EEG ",
            "Fp1",
            "F7",
            "T7-P7",
            "-",
            "REF",
            "Status",
            "uV",
            "mV",
            "V",
            "31.12.99",
            "29.02.85",
            "24.61.61",
            ".",
            " ",
        ]
    ),
    min_size=1,
    max_size=3,
).map(lambda words: "".join(words).encode("ascii"))
_values = st.one_of(
    _numbers,
    _words,
    st.just(b""),
    st.text(string.printable, max_size=90).map(lambda t: t.encode("ascii")),
    st.text(st.characters(min_codepoint=128, exclude_categories=("Cs",)), max_size=40).map(
        lambda t: t.encode("utf-8")
    ),
    st.binary(max_size=90),
)


@st.composite
def header_edits(draw):
    """One change to a header field: (field, signal, new bytes)."""
    field = draw(st.sampled_from(FIELD_NAMES))
    signal = draw(st.integers(0, len(CHANNELS) - 1))
    return field, signal, draw(_values)


def apply_edits(data, edits, cut=None):
    """Write each edit into its field (padded with spaces, cut to the width), then truncate."""
    data = bytearray(data)
    for field, signal, value in edits:
        offset, width = field_span(field, signal)
        data[offset : offset + width] = value[:width].ljust(width, b" ")
    return bytes(data if cut is None else data[:cut])


@pytest.fixture(scope="module")
def edf_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("edf")


@pytest.fixture(scope="module")
def prepare_detector():
    # prepare() needs the parameters only, not a trained model
    return SeizureDetector(
        ["Fp1-F7", "F7-T7", "T7-P7"],
        float(SFREQ),
        window=1.0,
        hop=0.5,
        h_freq=20.0,
        notch=None,
        background=None,
    )


def check_read(path, allow_truncated, detector):
    """The property: a Raw that the detector can prepare (or refuse), or an EEGFileError."""
    try:
        raw = read_raw(path, allow_truncated=allow_truncated, verbose="error")
    except EEGFileError as err:
        assert path.name in str(err) and err.fname == str(path)
        return
    assert isinstance(raw, mne.io.BaseRaw) and raw.info["sfreq"] > 0
    assert np.isfinite(raw.get_data()).all()
    try:
        data, _ = detector.prepare(raw)
    except ValueError as err:
        assert str(err)  # the recording does not fit the model: said in words
        return
    assert data.shape[0] == len(detector.ch_names) and np.isfinite(data).all()


@FUZZ
@given(
    edits=st.lists(header_edits(), min_size=1, max_size=3),
    cut=st.none() | st.integers(0, len(BASE_EDF)),
    allow_truncated=st.booleans(),
)
# A negative record duration was read as a Raw at -64 Hz.
@example(edits=[("record_duration", 0, b"-1")], cut=None, allow_truncated=False)
# A record duration of days was read at 0.00025 Hz, which the detector took minutes
# and gigabytes to resample to its 64 Hz (out of memory under a limit).
@example(edits=[("record_duration", 0, b"254442")], cut=None, allow_truncated=False)
def test_any_edf_header_reads_or_is_refused_naming_the_file(
    edf_dir, prepare_detector, edits, cut, allow_truncated
):
    path = edf_dir / "fuzzed.edf"
    path.write_bytes(apply_edits(BASE_EDF, edits, cut))
    check_read(path, allow_truncated, prepare_detector)


@pytest.mark.parametrize("duration", [b"-1", b"3600", b"nan"])
def test_a_header_whose_rate_is_not_eeg_is_refused_naming_the_field(edf_dir, duration):
    path = edf_dir / "slow.edf"
    path.write_bytes(apply_edits(BASE_EDF, [("record_duration", 0, duration)]))
    with pytest.raises(CorruptFileError, match="slow.edf' has a damaged header") as info:
        read_raw(path)
    assert "record duration" in str(info.value) and info.value.fname == str(path)


def test_the_unchanged_edf_reads(edf_dir, prepare_detector):
    path = edf_dir / "intact.edf"
    path.write_bytes(BASE_EDF)
    raw = read_raw(path)
    assert raw.ch_names == ["Fp1-F7", "F7-T7", "T7-P7"] and raw.n_times == SECONDS * SFREQ
    check_read(path, False, prepare_detector)


# -- model metadata ---------------------------------------------------------------

_json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
_json = st.recursive(
    _json_leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    """A small trained seizure detector (a 55-neuron cube), saved."""
    from models.classifier import NeuCubeClassifier

    rng = np.random.default_rng(0)
    names = ["Fp1-F7", "F7-T7", "T7-P7", "P7-O1"]
    X = rng.normal(size=(12, 4, 128)) * 20
    y = np.r_[np.zeros(6), np.ones(6)].astype(int)
    X[y == 1] *= 3
    det = SeizureDetector(names, 64.0, h_freq=20.0, notch=None, background=None, target="numpy")
    det.classifier_ = NeuCubeClassifier(
        names, 64.0, resolution=30, radius=40, n_bins=2, target="numpy", random_state=0
    ).fit(X, y)
    rates = det._channel_rates(X[y == 0])
    det.background_ = np.stack([rates.mean(axis=0), rates.std(axis=0) + 1e-9])
    path = det.save(tmp_path_factory.mktemp("model") / "small.npz")
    with np.load(path, allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    return path, json.loads(str(arrays.pop("metadata"))), arrays


def _paths(node, prefix=()):
    """Every place in a JSON tree (including the params kept as JSON text), as key paths."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            try:
                inner = json.loads(value) if key == "params" else None
            except (TypeError, ValueError):
                inner = None
            if isinstance(inner, (dict, list)):
                yield from _paths(inner, (*prefix, key, "<json>"))
            else:
                yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for k, value in enumerate(node):
            yield from _paths(value, (*prefix, k))


def _edit(meta, path, action, value):
    """Replace, drop or add next to the node at ``path``; params text is decoded and encoded."""
    if not path:
        return value if action == "replace" else meta
    head, *rest = path
    if rest and rest[0] == "<json>":
        inner = _edit(json.loads(meta[head]), tuple(rest[1:]), action, value)
        meta[head] = json.dumps(inner) if rest[1:] or action != "replace" else value
        return meta
    if rest:
        meta[head] = _edit(meta[head], tuple(rest), action, value)
    elif action == "replace":
        meta[head] = value
    elif action == "drop":
        del meta[head]
    elif isinstance(meta, dict):
        meta["extra_field"] = value
    else:
        meta.append(value)
    return meta


#: One change to the metadata: (place, action, value). A place is a key path, or
#: an int that picks one of the metadata's places (see :func:`_paths`).
metadata_edits = st.tuples(
    st.integers(0, 10**6), st.sampled_from(["replace", "drop", "add"]), _json
)


def apply_metadata_edits(meta, edits):
    """Return a copy of ``meta`` with each edit made (one whose place is gone is skipped)."""
    changed = json.loads(json.dumps(meta))
    for place, action, value in edits:
        if isinstance(place, int):
            places = sorted(_paths(changed), key=repr)
            place = places[place % len(places)]
        if not place and action == "drop":
            action = "replace"
        try:
            changed = _edit(changed, tuple(place), action, value)
        except (KeyError, IndexError, TypeError, ValueError):
            pass  # a place an earlier edit removed, or a leaf with no keys
    return changed


def check_model(path):
    """The property: a model that loads, or a ModelFileError naming the file."""
    try:
        loaded = read_model(path)
    except ModelFileError as err:
        assert str(path) in str(err) and "\n" not in str(err)
        return
    assert loaded.kind in ("seizure", "trials") and hasattr(loaded.classifier, "readout_")


# Each example once escaped read_model as another error than ModelFileError.
DETECTOR_PARAMS = ("extra", "detector", "values", "params", "<json>")


@FUZZ
@given(edits=st.lists(metadata_edits, min_size=1, max_size=2))
@example(edits=[(("n_passes",), "replace", None)])  # TypeError from int(None)
@example(edits=[(("versions",), "replace", "x")])  # AttributeError naming the model version
@example(edits=[(("encoder",), "replace", [1, 2])])  # AttributeError: no .get on a list
@example(edits=[(("extra", "readout", "values"), "replace", None)])  # TypeError unpacking
@example(edits=[(("encoder", "values", "kind"), "replace", [1])])  # unhashable encoder kind
@example(edits=[(DETECTOR_PARAMS, "replace", [None, 1])])  # TypeError from json.loads
@example(edits=[((*DETECTOR_PARAMS, "hop"), "add", 1)])  # unexpected keyword argument
@example(edits=[(("extra", "model"), "replace", {})])  # KeyError 'params'
@example(edits=[(("extra", "detector", "arrays", 0), "drop", None)])  # KeyError 'background'
def test_any_model_metadata_loads_or_is_refused_naming_the_file(model_file, edits):
    src, meta, arrays = model_file
    path = src.with_name("fuzzed.npz")
    changed = apply_metadata_edits(meta, edits)
    np.savez(path, allow_pickle=False, metadata=np.array(json.dumps(changed)), **arrays)
    check_model(path)


def test_the_unchanged_model_metadata_loads(model_file):
    src, meta, arrays = model_file
    path = src.with_name("intact.npz")
    np.savez(path, allow_pickle=False, metadata=np.array(json.dumps(meta)), **arrays)
    assert read_model(path).kind == "seizure"
