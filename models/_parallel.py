"""Independent pieces of work on several cores or on a Dask cluster, the scikit-learn way.

``n_jobs`` follows scikit-learn and MNE: 1 (default) runs in this process,
``N`` uses N worker processes on this machine through joblib, ``-1`` all
cores. A ``scheduler`` sends the same work to a Dask distributed cluster
instead: ``'local'`` starts a :class:`distributed.LocalCluster` here, any
other value is the address of a running scheduler (``tcp://host:8786``).
The work itself is the same function either way, so results do not depend
on where it ran.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from . import logger


def check_n_jobs(n_jobs: int, name: str = "n_jobs") -> int:
    """Return ``n_jobs`` as a number of workers, or raise.

    Parameters
    ----------
    n_jobs : int
        ``-1`` for every core, else a number >= 1.
    name : str
        How the caller names it, for the message (``'--n-jobs'``).

    Returns
    -------
    n : int
        The number of worker processes (``os.cpu_count()`` for -1).
    """
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or not (n_jobs == -1 or n_jobs >= 1):
        raise ValueError(
            f"{name} {n_jobs!r}: {name} must be -1 (one worker process per core) or an "
            "integer >= 1."
        )
    return (os.cpu_count() or 1) if n_jobs == -1 else n_jobs


@contextmanager
def dask_client(
    scheduler: str | object, n_workers: int = 2, *, timeout: float = 10.0
) -> Iterator[object]:
    """Connect to a Dask cluster, or start one on this machine, for the block.

    Every worker imports Brian2 in its main thread first (a worker plugin,
    :class:`models._dask.ImportBrian2`, given to workers that join later too):
    Brian2 installs a Ctrl-C handler when it is imported, which Python allows
    in a main thread only, and a worker runs its tasks in other threads.

    Parameters
    ----------
    scheduler : str | distributed.Client
        ``'local'`` starts a :class:`distributed.LocalCluster` of
        ``n_workers`` processes with one thread each (Brian2 and NumPy run
        one thread per process best) on 127.0.0.1; a scheduler's address
        (``'tcp://10.0.0.5:8786'``) connects to a running cluster, whose
        workers must see the recordings and the model at the same paths; a
        client is used as it is (and left open).
    n_workers : int
        Workers of a local cluster.
    timeout : float
        Seconds to wait for a scheduler to answer (and 60 s for its first
        worker).

    Yields
    ------
    client : distributed.Client
        Connected; closed (and a local cluster shut down) after the block.
    """
    from distributed import Client

    from ._dask import PLUGIN_NAME, ImportBrian2

    if isinstance(scheduler, Client):
        scheduler.register_plugin(ImportBrian2(), name=PLUGIN_NAME)
        yield scheduler
        return
    if scheduler == "local":
        from distributed import LocalCluster

        with (
            LocalCluster(
                n_workers=n_workers,
                processes=True,
                threads_per_worker=1,
                dashboard_address=None,
                host="127.0.0.1",
            ) as cluster,
            Client(cluster) as client,
        ):
            logger.info("Started a local Dask cluster of %d worker(s).", n_workers)
            client.register_plugin(ImportBrian2(), name=PLUGIN_NAME)
            yield client
        return
    if not isinstance(scheduler, str):
        raise TypeError(
            "scheduler must be None, 'local', a scheduler address such as "
            f"'tcp://host:8786' or a distributed.Client, got {type(scheduler).__name__}."
        )
    try:
        client = Client(scheduler, timeout=f"{timeout}s")
    except Exception as err:
        why = str(err).strip() or type(err).__name__
        raise ValueError(
            f"Cannot connect to the Dask scheduler at {scheduler!r} ({why}). "
            f"Check the address, start the scheduler and its workers (`dask scheduler`, then "
            f"`dask worker {scheduler}` on each machine), or use 'local' for a cluster on this "
            "machine."
        ) from None
    with client:
        try:
            client.wait_for_workers(1, timeout=60)
        except Exception:
            raise ValueError(
                f"The Dask scheduler at {scheduler!r} has no worker (none joined within 60 s). "
                f"Start some with `dask worker {scheduler}`."
            ) from None
        client.register_plugin(ImportBrian2(), name=PLUGIN_NAME)
        yield client


@contextmanager
def joblib_workers(n_jobs: int = 1, scheduler: str | None = None) -> Iterator[int]:
    """Configure joblib for the block: processes here, or a Dask cluster.

    Code that takes an ``n_jobs`` (scikit-learn's searches, ``joblib.Parallel``)
    runs where this says when given the number yielded.

    Parameters
    ----------
    n_jobs : int
        Worker processes on this machine (1 runs here, -1 every core); with
        ``scheduler='local'``, the workers of the cluster started here.
    scheduler : str | None
        A Dask cluster (joblib's Dask backend): ``'local'`` or an address.

    Yields
    ------
    n_jobs : int
        What to pass as ``n_jobs`` (-1 on a cluster: all its workers).
    """
    import joblib

    workers = check_n_jobs(n_jobs)
    if scheduler is None:
        yield workers
        return
    with dask_client(scheduler, workers), joblib.parallel_config(backend="dask"):
        yield -1


def run_parallel(
    func: Callable,
    items: Sequence[tuple],
    *,
    n_jobs: int = 1,
    scheduler: str | None = None,
    desc: str | None = None,
    unit: str = "task",
) -> list:
    """Return ``[func(*item) for item in items]``, computed side by side.

    Parameters
    ----------
    func : callable
        A module-level function (it is sent to other processes).
    items : sequence of tuple
        The arguments of each call.
    n_jobs : int
        Worker processes on this machine (joblib; 1 runs here, -1 every core).
    scheduler : str | None
        A Dask cluster to run on instead (joblib's Dask backend): ``'local'``
        or a scheduler's address; ``n_jobs`` is then the size of a local one.
    desc, unit : str
        The progress bar's label and unit (it follows the log level).

    Returns
    -------
    results : list
        In the order of ``items``.
    """
    import joblib

    from neucube._logging import progress

    items = list(items)
    if scheduler is None and check_n_jobs(n_jobs) == 1:
        return [func(*item) for item in progress(items, desc=desc, unit=unit)]
    with joblib_workers(n_jobs, scheduler) as workers:
        where = f"the Dask cluster {scheduler}" if scheduler else f"{workers} worker processes"
        logger.info("%s: %d task(s) on %s.", desc or "work", len(items), where)
        calls = (joblib.delayed(func)(*item) for item in items)
        results = joblib.Parallel(n_jobs=workers, return_as="generator")(calls)
        return list(progress(results, total=len(items), desc=desc, unit=unit))
