"""Read LSL streams in another process and hand back everything received, as LabRecorder would.

:class:`Reader` starts a child process (spawned: a fresh interpreter with its
own liblsl) that finds each stream by name and source id, subscribes to it,
reports when it is subscribed and whenever samples arrive, and on
:meth:`Reader.finish` sends back every sample with its timestamp. Every wait
is on a message from the child, never on a clock; the suite's per-test
timeout is the backstop, and a child that dies is reported at once.
"""

import multiprocessing
import queue as _queue
import time


def _read(specs, out, stop):
    """The child: subscribe to each (name, source_id), collect until ``stop`` is set."""
    import mne_lsl.lsl as lsl  # LSLAPICFG (machine scope) is inherited from the parent

    inlets = []
    for name, source_id in specs:
        found = []
        while not found:
            if stop.is_set():
                out.put(("done", None))
                return
            found = lsl.resolve_streams(timeout=1.0, name=name, source_id=source_id)
        inlet = lsl.StreamInlet(found[0])
        inlet.open_stream(timeout=None)  # from here on, every sample pushed is queued
        inlets.append((name, inlet))
    info = {}
    for name, inlet in inlets:
        sinfo = inlet.get_sinfo()
        info[name] = {
            "stype": sinfo.stype,
            "source_id": sinfo.source_id,
            "sfreq": sinfo.sfreq,
            "dtype": str(sinfo.dtype),
            "ch_names": sinfo.get_channel_names(),
            "n_channels": sinfo.n_channels,
        }
    out.put(("ready", info))
    got = {name: {"samples": [], "stamps": []} for name, _ in inlets}

    def drain():
        new = False
        for name, inlet in inlets:
            samples, stamps = inlet.pull_chunk(timeout=0.0)
            if len(stamps):
                rows = samples if isinstance(samples, list) else samples.tolist()
                got[name]["samples"].extend(list(r) for r in rows)
                got[name]["stamps"].extend(float(t) for t in stamps)
                new = True
        return new

    while not stop.is_set():
        if drain():
            out.put(("progress", {name: len(g["stamps"]) for name, g in got.items()}))
        else:
            time.sleep(0.005)
    drain()
    out.put(("done", got))


class Reader:
    """A child process reading LSL streams; the parent waits on what it reports.

    Parameters
    ----------
    specs : list of (str, str)
        Each stream's name and source id.
    """

    def __init__(self, specs):
        ctx = multiprocessing.get_context("spawn")
        self._queue = ctx.Queue()
        self._stop = ctx.Event()
        self.counts = {name: 0 for name, _ in specs}
        self.proc = ctx.Process(
            target=_read, args=(list(specs), self._queue, self._stop), daemon=True
        )
        self.proc.start()

    def _next(self):
        while True:
            try:
                return self._queue.get(timeout=0.5)
            except _queue.Empty:
                if not self.proc.is_alive():
                    raise RuntimeError(
                        f"The LSL reader process exited (code {self.proc.exitcode})."
                    ) from None

    def wait_ready(self):
        """Wait until the child is subscribed to every stream; return their infos."""
        while True:
            kind, payload = self._next()
            if kind == "ready":
                return payload

    def wait_for(self, counts):
        """Wait until at least ``counts[name]`` samples of each stream have arrived."""
        while any(self.counts[name] < n for name, n in counts.items()):
            kind, payload = self._next()
            if kind == "progress":
                self.counts.update(payload)

    def finish(self):
        """Stop the child; return ``{name: {"samples": [...], "stamps": [...]}}``."""
        self._stop.set()
        while True:
            kind, payload = self._next()
            if kind == "done":
                break
        self.proc.join()
        return payload

    def close(self):
        """Stop the child if it still runs."""
        self._stop.set()
        self.proc.join(30)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
