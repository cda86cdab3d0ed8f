"""Work side by side: joblib processes and a real Dask LocalCluster give the same results."""

import os

import pytest

from models._parallel import check_n_jobs, dask_client, run_parallel


def _square_and_pid(x):
    return x * x, os.getpid()


def test_sequential_runs_here_in_order():
    out = run_parallel(_square_and_pid, [(k,) for k in range(5)])
    assert [v for v, _ in out] == [0, 1, 4, 9, 16]
    assert {pid for _, pid in out} == {os.getpid()}


def test_worker_processes_keep_the_order_and_the_results():
    out = run_parallel(_square_and_pid, [(k,) for k in range(8)], n_jobs=2)
    assert [v for v, _ in out] == [k * k for k in range(8)]
    assert os.getpid() not in {pid for _, pid in out}


def test_a_local_dask_cluster_gives_the_same_results():
    out = run_parallel(_square_and_pid, [(k,) for k in range(6)], n_jobs=2, scheduler="local")
    assert [v for v, _ in out] == [k * k for k in range(6)]
    assert os.getpid() not in {pid for _, pid in out}


def test_bad_n_jobs_and_an_absent_scheduler_are_named():
    assert check_n_jobs(3) == 3 and check_n_jobs(-1) == (os.cpu_count() or 1)
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match="n_jobs must be -1"):
            check_n_jobs(bad)
    with pytest.raises(ValueError, match="Cannot connect to the Dask scheduler"):
        with dask_client("tcp://127.0.0.1:9", timeout=1.0):
            pass
