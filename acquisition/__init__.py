"""EEG in: file readers, channel names, causal filters, windows and epochs.

This package knows nothing of spikes: it never imports :mod:`neucube`,
:mod:`models` or :mod:`gui`. Data leave it as MNE objects or NumPy arrays of
shape (n_channels, n_times), in SI units (volts). Live sources (LSL streams,
in-memory sources, file replay, markers, the ring buffer) are in
:mod:`acquisition.stream`, imported on demand: ``import acquisition`` loads
no LSL.
"""

from ._logging import logger
from .channels import (
    OLD_TO_NEW,
    REFERENCE_SUFFIXES,
    ChannelLabel,
    parse_channel_name,
    pick_placeable,
    placeable_picks,
    set_standard_names,
    standard_electrode_names,
    standardize_channel_names,
)
from .epochs import annotation_onsets, make_epochs, sliding_windows
from .filters import OnlineFilter, OnlineResampler, filter_offline, resample
from .io import (
    SUPPORTED_EXTENSIONS,
    CorruptFileError,
    EEGFileError,
    NonFiniteDataError,
    TruncatedFileError,
    UnsupportedFormatError,
    read_raw,
)
from .level import BackgroundLevel
from .montage import CHBMIT_BIPOLAR, bipolar_names, to_bipolar
from .uci import (
    UCIEpochs,
    UCITrial,
    find_uci_subjects,
    read_uci_epochs,
    read_uci_subject,
    read_uci_trial,
)

__all__ = [
    "BackgroundLevel",
    "CHBMIT_BIPOLAR",
    "OLD_TO_NEW",
    "REFERENCE_SUFFIXES",
    "SUPPORTED_EXTENSIONS",
    "ChannelLabel",
    "CorruptFileError",
    "EEGFileError",
    "NonFiniteDataError",
    "OnlineFilter",
    "OnlineResampler",
    "TruncatedFileError",
    "UCIEpochs",
    "UCITrial",
    "UnsupportedFormatError",
    "bipolar_names",
    "filter_offline",
    "find_uci_subjects",
    "logger",
    "annotation_onsets",
    "make_epochs",
    "parse_channel_name",
    "pick_placeable",
    "placeable_picks",
    "read_raw",
    "read_uci_epochs",
    "read_uci_subject",
    "read_uci_trial",
    "resample",
    "set_standard_names",
    "sliding_windows",
    "standard_electrode_names",
    "standardize_channel_names",
    "to_bipolar",
]
