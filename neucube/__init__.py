"""NeuCube-EEG spiking core: encoders, brain template, the Brian2 cube.

Arrays, channel names and sampling rates in; spikes and weights out. Importing
this package loads neither Brian2, Qt nor LSL: each is imported where used.
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from ._logging import logger, set_log_level

try:
    __version__ = _version("neucube-eeg")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = ["__version__", "logger", "set_log_level"]
