"""A recording replayed as a live LSL stream: :class:`FileReplay`.

Not a source but a sender: it streams a recording with
:class:`mne_lsl.player.PlayerLSL` (in a thread, or in a child process so that
it does not compete with the consumer for Python's GIL), by default with a
counter channel (:data:`~acquisition.stream.COUNTER_CH`) appended that holds
each sample's index, so the consumer can prove that no sample was dropped or
duplicated (:class:`~acquisition.stream.SampleCounter`).

The child process runs :func:`_child_main` (the code in :data:`_CHILD`) and
talks with its parent over its standard streams: it writes ``started`` and
``finished`` on stdout, and stops when its stdin reaches end of file (the
parent closed it, or died).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .._checks import _check_int, _is_raw
from .._logging import logger
from ._lsl import _lsl
from .counter import add_counter_channel

if TYPE_CHECKING:
    import mne

#: The project's root folder (put on the replay child's ``PYTHONPATH``).
_ROOT = Path(__file__).resolve().parents[2]


def write_replay_file(
    raw: mne.io.BaseRaw,
    fname: str | os.PathLike | None = None,
    *,
    counter: bool = True,
    overwrite: bool = True,
) -> Path:
    """Save a recording as a FIF file for :class:`mne_lsl.player.PlayerLSL`.

    The samples are saved in double precision (``fmt='double'``), so the
    replayed stream carries exactly the recording's values.

    Parameters
    ----------
    raw : mne.io.Raw
        The recording.
    fname : path-like | None
        Destination ending in ``raw.fif``; None writes ``replay_raw.fif`` in a
        new temporary folder (delete it when done; :class:`FileReplay` does).
    counter : bool
        Append the counter channel
        (:func:`~acquisition.stream.add_counter_channel`).
    overwrite : bool
        Replace an existing file.

    Returns
    -------
    fname : pathlib.Path
        The file written.
    """
    if counter:
        raw = add_counter_channel(raw)
    if fname is None:
        fname = Path(tempfile.mkdtemp(prefix="neucube-replay-")) / "replay_raw.fif"
    fname = Path(fname)
    raw.save(fname, fmt="double", overwrite=overwrite, verbose="error")
    return fname


def _player_class():
    """PlayerLSL that waits for a consumer before its first push, and ends cleanly."""
    from mne_lsl.player import PlayerLSL

    class _ReplayPlayer(PlayerLSL):
        # PlayerLSL pushes its first chunk as soon as it starts; an inlet that
        # connects a moment later never gets it. Waiting for the first consumer
        # makes the replayed stream start at the recording's first sample.
        _wait_s = 0.0
        _settle_s = 0.0
        _abort = False
        _waited = False

        def start(self):
            self._abort = False
            self._waited = not self._wait_s
            return super().start()

        def stop(self):
            self._abort = True
            return super().stop()

        def _stream(self):
            if not self._waited:
                self._waited = True
                deadline = time.monotonic() + self._wait_s
                while not self._abort and time.monotonic() < deadline:
                    if self._outlet.has_consumers:
                        break
                    time.sleep(0.005)
                else:
                    if not self._abort:
                        logger.info(
                            "Replay %r: no consumer after %g s; streaming anyway.",
                            self.name,
                            self._wait_s,
                        )
                settle = time.monotonic() + self._settle_s
                while not self._abort and time.monotonic() < settle:
                    time.sleep(0.005)
                if self._abort:
                    return None
                self._target_timestamp = _lsl().local_clock()
            if self._start_idx >= self._raw.times.size and self._n_repeated >= self._n_repeat:
                # the last chunk ended exactly at the end of the file: stop here
                # (PlayerLSL would warn about an empty chunk)
                self._del_outlets()
                self._reset_variables()
                return None
            return super()._stream()

    return _ReplayPlayer


def _make_player(fname, chunk_size, n_repeat, name, source_id, wait_for_consumer, settle):
    import mne

    raw = mne.io.read_raw_fif(fname, preload=True, verbose="error")
    player = _player_class()(
        raw,
        chunk_size=chunk_size,
        n_repeat=n_repeat,
        name=name,
        source_id=source_id,
        annotations=False,
    )
    player._wait_s = float(wait_for_consumer or 0.0)
    player._settle_s = float(settle or 0.0) if player._wait_s else 0.0
    return player


def _tell_parent(word):
    """One line of the replay child's handshake with its parent, over the stdout pipe."""
    sys.stdout.write(word + "\n")
    sys.stdout.flush()


def _child_main(argv):
    """Entry point of the replay child process (see :class:`FileReplay`)."""
    fname, chunk, name, source_id, n_repeat, wait, settle = argv
    n_repeat = np.inf if n_repeat == "inf" else int(n_repeat)
    player = _make_player(fname, int(chunk), n_repeat, name, source_id, float(wait), float(settle))
    stop = threading.Event()

    def _watch():
        sys.stdin.read()  # EOF: the parent asks us to stop (or has died)
        stop.set()

    threading.Thread(target=_watch, daemon=True).start()
    player.start()
    _tell_parent("started")
    while player.running and not stop.is_set():
        time.sleep(0.02)
    if player.running:
        player.stop()
    _tell_parent("finished")


#: Code the replay child process runs (``python -c _CHILD FNAME CHUNK NAME ...``).
_CHILD = "import sys; from acquisition.stream.player import _child_main; _child_main(sys.argv[1:])"


class FileReplay:
    """Replay a recording as a live LSL stream (for demos and tests).

    The recording is saved to a temporary FIF file in double precision
    (:func:`write_replay_file`, with the counter channel :data:`COUNTER_CH`
    appended unless ``counter=False``) and streamed by
    :class:`mne_lsl.player.PlayerLSL` in real time, ``chunk_size`` samples at
    a time.

    Parameters
    ----------
    inst : path-like | mne.io.Raw
        The recording (a file is read with :func:`acquisition.read_raw`, so
        channel names are standardized).
    name : str | None
        Stream name; a unique one by default.
    source_id : str | None
        Stream source id; the name by default.
    chunk_size : int
        Samples per push.
    counter : bool
        Append the counter channel.
    n_repeat : int | float
        Times to play the file (``numpy.inf``: loop for ever).
    process : bool
        Run the player in a child process (``sys.executable``), so that it
        keeps time while the consumer computes in this one; False runs it in
        a thread of this process (starts faster).
    wait_for_consumer : float | None
        Seconds the player waits for a first consumer (an inlet) before its
        first push, so that a consumer connecting after :meth:`start` still
        gets the first sample (PlayerLSL alone would push at once); None or 0
        pushes at once.
    settle : float
        Seconds the player waits after the first consumer appeared before it
        pushes (only with ``wait_for_consumer``): the consumer is subscribed
        when the player sees it but still finishing its connection
        (:meth:`mne_lsl.stream.StreamLSL.connect` estimates the clock offset
        for about half a second), so the first samples would otherwise wait
        for it and start the replay with a backlog.
    start_timeout : float
        Seconds to wait for a child process to start streaming.

    Attributes
    ----------
    fname : pathlib.Path | None
        The temporary FIF file, while started.
    n_times : int
        Samples in one pass of the recording.
    sfreq : float
        Sampling frequency.
    stamp_lead : float
        ``chunk_size / sfreq``: PlayerLSL stamps the last sample of each
        chunk with the time the *next* chunk is due, one chunk after it sends
        it; subtract this from a sample's timestamp to get the moment it was
        sent.

    Examples
    --------
    >>> with FileReplay(SEIZURE_EDF, name="demo") as replay:  # doctest: +SKIP
    ...     src = LSLSource(replay.name, source_id=replay.source_id,
    ...                     stamp_lead=replay.stamp_lead).connect()
    """

    def __init__(
        self,
        inst: str | os.PathLike | mne.io.BaseRaw,
        *,
        name: str | None = None,
        source_id: str | None = None,
        chunk_size: int = 16,
        counter: bool = True,
        n_repeat: int | float = 1,
        process: bool = False,
        wait_for_consumer: float | None = 10.0,
        settle: float = 1.0,
        start_timeout: float = 30.0,
    ) -> None:
        if not _is_raw(inst):
            from ..io import read_raw

            inst = read_raw(inst)
        self.raw = inst
        self.name = name or f"neucube-replay-{os.getpid()}-{int(time.time() * 1e3) % 10**8}"
        self.source_id = source_id or self.name
        self.chunk_size = _check_int(chunk_size, "chunk_size", minimum=1)
        self.counter = bool(counter)
        if n_repeat != np.inf:
            n_repeat = _check_int(n_repeat, "n_repeat", minimum=1)
        self.n_repeat = n_repeat
        self.process = bool(process)
        self.wait_for_consumer = float(wait_for_consumer or 0.0)
        self.settle = float(settle or 0.0)
        self.start_timeout = float(start_timeout)
        self.n_times = inst.n_times
        self.sfreq = float(inst.info["sfreq"])
        self.stamp_lead = self.chunk_size / self.sfreq
        self.fname = None
        self._player = None
        self._proc = None
        self.started_at = None

    def __repr__(self) -> str:
        return (
            f"<FileReplay | {self.name!r}, {self.n_times} samples at {self.sfreq:g} Hz, chunk "
            f"{self.chunk_size}, {'process' if self.process else 'thread'}, "
            f"{'running' if self.running else 'stopped'}>"
        )

    @property
    def duration(self) -> float:
        """float: Seconds of one pass of the recording."""
        return self.n_times / self.sfreq

    @property
    def running(self) -> bool:
        """bool: Whether the player is still streaming."""
        if self._player is not None:
            return bool(self._player.running)
        if self._proc is not None:
            return self._proc.poll() is None
        return False

    def delivered(self, source, *, idle: float = 1.0) -> bool:
        """Tell whether ``source`` has received everything this replay sends.

        Parameters
        ----------
        source : LSLSource
            The source reading this replay's stream.
        idle : float
            Seconds without data, after the player has stopped, that count as
            the end when the source has no counter channel to tell.

        Returns
        -------
        delivered : bool
            True once the counter channel shows the last sample, or the
            player has stopped and nothing came for ``idle`` seconds.
        """
        c = getattr(source, "counter", None)
        if c is not None and c.last is not None and c.last >= self.n_times - 1:
            return True
        if self.running:
            return False
        st = source.status()
        return st.seconds_since_data is not None and st.seconds_since_data > idle

    def start(self) -> FileReplay:
        """Write the file and start streaming.

        Returns
        -------
        self : FileReplay
            The replay, streaming.
        """
        if self._player is not None or self._proc is not None:
            return self
        _lsl()  # liblsl configured before the player loads it
        self.fname = write_replay_file(self.raw, counter=self.counter)
        if self.process:
            import subprocess

            n_repeat = "inf" if self.n_repeat == np.inf else str(self.n_repeat)
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_ROOT), env.get("PYTHONPATH")) if p)
            env.setdefault("MNE_LOGGING_LEVEL", "WARNING")
            self._log = self.fname.parent / "player.log"
            with open(self._log, "w") as log:
                self._proc = subprocess.Popen(
                    [
                        sys.executable,
                        "-c",
                        _CHILD,
                        str(self.fname),
                        str(self.chunk_size),
                        self.name,
                        self.source_id,
                        n_repeat,
                        str(self.wait_for_consumer),
                        str(self.settle),
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                    env=env,
                )
            deadline = time.monotonic() + self.start_timeout
            line = ""
            while line.strip() != "started" and time.monotonic() < deadline:
                line = _readline_timeout(self._proc.stdout, deadline - time.monotonic())
                if not line and self._proc.poll() is not None:
                    break
            if line.strip() != "started":
                err = ""
                if self._proc.poll() is not None:
                    err = self._log.read_text()[-2000:]
                self.stop()
                raise RuntimeError(
                    f"The replay process did not start streaming within "
                    f"{self.start_timeout:g} s. {err}"
                )
        else:
            self._player = _make_player(
                self.fname,
                self.chunk_size,
                self.n_repeat,
                self.name,
                self.source_id,
                self.wait_for_consumer,
                self.settle,
            )
            self._player.start()
        self.started_at = time.monotonic()
        logger.info(
            "Replaying %s as LSL stream %r (%d samples at %g Hz, chunks of %d%s).",
            self.raw.filenames[0] if self.raw.filenames else "a recording",
            self.name,
            self.n_times,
            self.sfreq,
            self.chunk_size,
            ", counter channel" if self.counter else "",
        )
        return self

    def stop(self) -> FileReplay:
        """Stop streaming and delete the temporary file.

        Returns
        -------
        self : FileReplay
            The replay, stopped (it can be started again).
        """
        if self._player is not None:
            try:
                if self._player.running:
                    self._player.stop()
            except Exception as err:  # pragma: no cover - teardown
                logger.debug("Replay %r: error while stopping: %s", self.name, err)
            self._player = None
        if self._proc is not None:
            proc = self._proc
            self._proc = None
            try:
                proc.stdin.close()
                proc.wait(timeout=10)
            except Exception:  # pragma: no cover - a child that does not stop
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if self.fname is not None:
            import shutil

            shutil.rmtree(self.fname.parent, ignore_errors=True)
            self.fname = None
        return self

    def __enter__(self) -> FileReplay:
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def __del__(self):  # pragma: no cover - best effort
        try:
            self.stop()
        except Exception:
            pass


def _readline_timeout(pipe, timeout):
    """Read one line from a pipe, giving up after ``timeout`` seconds."""
    out = []

    def _read():
        out.append(pipe.readline())

    t = threading.Thread(target=_read, daemon=True)
    t.start()
    t.join(timeout)
    return out[0] if out else ""
