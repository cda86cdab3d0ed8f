"""What the work sent to Dask's workers needs of them (imported only when it runs on Dask)."""

from __future__ import annotations

from distributed import WorkerPlugin

#: The name the plugin is registered under (registering it again replaces it).
PLUGIN_NAME = "neucube-eeg-brian2"


class ImportBrian2(WorkerPlugin):
    """Import Brian2 on each worker as it starts, in its main thread.

    Brian2 installs a Ctrl-C handler when it is imported, which Python allows
    in the main thread only; a worker runs its tasks in a thread pool, where
    the first ``import brian2`` would fail. A plugin's ``setup`` runs in the
    worker's main thread, and the scheduler gives it to every worker that
    joins later (one restarted after a crash too).
    """

    def setup(self, worker):
        """Import Brian2 (once per worker process)."""
        import brian2  # noqa: F401
