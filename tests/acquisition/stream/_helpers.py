"""What the LSL tests share: unique stream names, a hand-driven outlet, a pull loop.

LSL traffic stays on this machine (liblsl's ResolveScope=machine, set in
``conftest.py``), and every stream gets a unique name and source id, so
tests running side by side never see each other's streams.
"""

import time
import uuid

import numpy as np

from acquisition.stream import COUNTER_CH

SFREQ = 100.0
T0 = 1000.0


def _unique(prefix="neucube-test"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class _Outlet:
    """An LSL outlet we drive by hand: 2 EEG channels and a counter."""

    def __init__(self, name, source_id=None):
        from mne_lsl.lsl import StreamInfo, StreamOutlet

        info = StreamInfo(name, "eeg", 3, SFREQ, "float64", source_id or name)
        info.set_channel_names(["Cz", "Pz", COUNTER_CH])
        info.set_channel_types(["eeg", "eeg", "misc"])
        info.set_channel_units(["volts", "volts", "none"])
        self.outlet = StreamOutlet(info, chunk_size=10)

    def push(self, start, n=10, stamps=None):
        """Push samples start..start+n-1 (value = index), stamped index / SFREQ."""
        idx = np.arange(start, start + n, dtype=float)
        data = np.stack([idx * 1e-6, -idx * 1e-6, idx], axis=1)
        if stamps is None:
            stamps = T0 + idx / SFREQ
        self.outlet.push_chunk(data, timestamp=np.asarray(stamps, dtype=float))
        return start + n

    def close(self):
        self.outlet._del()


def _pump(src, seconds, *, until=None, push=None):
    """Pull for a while (pushing with push() every 0.1 s); return pulled chunks."""
    got, stamps, states = [], [], []
    t_end = time.monotonic() + seconds
    next_push = time.monotonic()
    while time.monotonic() < t_end:
        if push is not None and time.monotonic() >= next_push:
            push()
            next_push += 0.1
        data, ts = src.pull()
        if data.shape[1]:
            got.append(data)
            stamps.append(ts)
        if not states or states[-1] != src.state:
            states.append(src.state)
        if until is not None and until():
            break
        time.sleep(0.01)
    return got, stamps, states


def _cat(chunks, n_channels=3):
    return np.concatenate(chunks, axis=1) if chunks else np.empty((n_channels, 0))
