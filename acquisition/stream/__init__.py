"""Live EEG in: LSL streams, files replayed as LSL streams, in-memory sources.

A *source* hands out the samples that arrived since the last call to
:meth:`~LSLSource.pull`, oldest first, with their timestamps, and keeps going
through faults. The sources share one interface (``ch_names``, ``sfreq``,
``ch_types``, ``state``, :meth:`pull`, :meth:`status`, :meth:`close`), so the
live pipeline (:class:`models.seizure.live.LivePipeline`) runs on any of them. One
module a part, on a small base (:mod:`acquisition.stream._base`):

:class:`LSLSource` (:mod:`~acquisition.stream.lsl`)
    any LSL stream, found by name and/or source id, read through
    :class:`mne_lsl.stream.StreamLSL`. It survives stalls, disconnections
    (with reconnection attempts and backoff) and out-of-order timestamps.
:class:`ArraySource` (:mod:`~acquisition.stream.array`)
    an array or a Raw fed in chunks of fixed or random sizes, as fast as
    asked, at a multiple of real time (``speed``) or in real time on the
    LSL clock (``realtime``): the offline twin of a stream, for tests and
    for running a recording through the live path without a network.
:class:`MarkerInlet` (:mod:`~acquisition.stream.markers`)
    the markers of an LSL marker stream (trial onsets and the like), as
    ``(timestamp, label)`` pairs.
:class:`FileReplay` (:mod:`~acquisition.stream.player`)
    not a source but a sender: it replays a recording as a live LSL stream
    with :class:`mne_lsl.player.PlayerLSL` (in a thread, or in a child process
    so that it does not compete with the consumer for Python's GIL), by
    default with a counter channel (:data:`COUNTER_CH`) appended that holds
    each sample's index, so the consumer can prove that no sample was dropped
    or duplicated (:class:`SampleCounter`, :mod:`~acquisition.stream.counter`).
:class:`RingBuffer` (:mod:`~acquisition.stream.buffer`)
    the newest samples of a stream, by absolute sample number, for whatever
    consumes a source (windows, display, trials).

Source states (:attr:`LSLSource.state`, :data:`STATES`):

``'idle'``
    not connected yet.
``'connected'``
    connected; data flowing (or not yet overdue).
``'stalled'``
    connected, but no new sample for longer than ``stall_timeout`` seconds.
    Logged once per stall; back to ``'connected'`` when data comes back.
``'disconnected'``
    the stream is gone (it no longer resolves on the network, or the inlet
    failed). Reconnection is tried with exponential backoff; liblsl's own
    recovery may also bring the same inlet back. Back to ``'connected'``
    when a stream with the same name/source id is there again.
``'closed'``
    :meth:`LSLSource.close` was called.

Nothing already received is lost through any of these: :meth:`pull` has
already handed it out, and the inlet is drained before it is replaced.

All LSL imports are lazy: ``import acquisition`` (and ``import
acquisition.stream``) never loads liblsl. The first use quiets liblsl's own
logging (see :func:`configure_lsl`, :mod:`~acquisition.stream._lsl`) unless
``LSLAPICFG`` is already set. :class:`OnlineResampler` lives in
:mod:`acquisition.filters` and is importable from here too.
"""

from __future__ import annotations

from ..filters import OnlineResampler
from ._base import STATES, SourceStatus
from ._lsl import configure_lsl, local_clock
from .array import ArraySource
from .buffer import RingBuffer
from .counter import COUNTER_CH, SampleCounter, add_counter_channel
from .lsl import LSLSource
from .markers import MarkerInlet
from .player import FileReplay, write_replay_file

__all__ = [
    "COUNTER_CH",
    "STATES",
    "ArraySource",
    "FileReplay",
    "LSLSource",
    "MarkerInlet",
    "OnlineResampler",
    "RingBuffer",
    "SampleCounter",
    "SourceStatus",
    "add_counter_channel",
    "configure_lsl",
    "local_clock",
    "write_replay_file",
]
