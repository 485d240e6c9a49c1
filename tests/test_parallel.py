"""map_tasks gives the same results in this process, in worker processes and on Dask."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from planner.parallel import ParallelError, TaskFailedError, map_tasks

ROOT = Path(__file__).parent.parent


def slow_square(value: int) -> int:
    """Squares, the early tasks slowest, so that tasks finish out of order."""
    time.sleep(0.05 * (5 - value % 5))
    return value * value


def fail_on_three(value: int) -> int:
    if value == 3:
        raise ValueError("three is not allowed")
    return value


TASKS = list(range(8))
EXPECTED = [value * value for value in TASKS]


def test_in_this_process_keeps_task_order_and_reports_each_task() -> None:
    done: list[int] = []
    assert map_tasks(slow_square, TASKS, workers=1, on_done=lambda i, r: done.append(i)) == (
        EXPECTED
    )
    assert done == TASKS


def test_in_worker_processes_gives_the_same_results_in_task_order() -> None:
    done: list[tuple[int, int]] = []
    results = map_tasks(slow_square, TASKS, workers=2, on_done=lambda i, r: done.append((i, r)))
    assert results == EXPECTED
    assert sorted(done) == list(enumerate(EXPECTED))


def test_no_tasks_gives_no_results() -> None:
    assert map_tasks(slow_square, [], workers=2) == []


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_task_is_named(workers: int) -> None:
    with pytest.raises(TaskFailedError, match=r"task 3 \(3\) failed: ValueError: three") as info:
        map_tasks(fail_on_three, TASKS, workers=workers)
    assert info.value.index == 3
    assert isinstance(info.value.__cause__, ValueError)


def test_bad_options_are_refused() -> None:
    with pytest.raises(ParallelError, match="at least 1"):
        map_tasks(slow_square, TASKS, workers=0)
    with pytest.raises(ParallelError, match="size of a Dask cluster"):
        map_tasks(slow_square, TASKS, scheduler="tcp://127.0.0.1:1", workers=2)


def test_an_unreachable_scheduler_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    port = _free_port()
    monkeypatch.setattr("planner.parallel.CONNECT_TIMEOUT_SECONDS", 1.0)
    with pytest.raises(ParallelError, match="cannot reach the Dask scheduler"):
        map_tasks(slow_square, TASKS, scheduler=f"tcp://127.0.0.1:{port}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Dask process stopped with exit code {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on port {port} after {seconds} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real scheduler and one worker process on localhost; yields the scheduler address."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("dask")
    common = ["--no-dashboard"]
    with (logs / "scheduler.log").open("wb") as scheduler_log:
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
             "--port", str(port), *common],
            stdout=scheduler_log, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
    processes = [scheduler]
    try:
        _wait_for_port(port, scheduler, 60)
        with (logs / "worker.log").open("wb") as worker_log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads",
                 "2", "--nworkers", "1", "--host", "127.0.0.1", *common],
                stdout=worker_log, stderr=subprocess.STDOUT, cwd=ROOT,
            )  # fmt: skip
        processes.append(worker)
        _wait_for_worker(address, worker)
        yield address
    finally:
        for process in reversed(processes):
            _stop(process)


def _wait_for_worker(address: str, worker: subprocess.Popen[bytes]) -> None:
    from distributed import Client

    with Client(address, timeout=30, set_as_default=False) as client:
        deadline = time.monotonic() + 60
        while not client.scheduler_info()["workers"]:
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Dask worker did not join the scheduler")
            time.sleep(0.2)


def test_on_a_dask_cluster_gives_the_same_results_as_locally(dask_cluster: str) -> None:
    done: list[int] = []
    results = map_tasks(
        slow_square, TASKS, scheduler=dask_cluster, on_done=lambda i, r: done.append(i)
    )
    assert results == map_tasks(slow_square, TASKS, workers=1)
    assert sorted(done) == TASKS


def test_a_failing_task_on_dask_is_named(dask_cluster: str) -> None:
    with pytest.raises(TaskFailedError, match=r"task 3 \(3\) failed: ValueError"):
        map_tasks(fail_on_three, TASKS, scheduler=dask_cluster)


def test_a_dead_worker_process_is_a_clear_error() -> None:
    with pytest.raises(ParallelError, match="worker process stopped abruptly"):
        map_tasks(os._exit, [3, 3], workers=2)


def test_a_simulation_study_on_dask_equals_the_local_one(dask_cluster: str) -> None:
    from planner.instances import small_plant
    from planner.simulation.reality import Uncertainty
    from planner.simulation.study import run_study

    plant = small_plant()
    uncertainty = Uncertainty(demand_cv=0.3, supplier_late_probability=0.3, supplier_late_days=2)
    local = run_study(plant, "mrp", uncertainty, replications=3, seed=5, workers=1)
    remote = run_study(plant, "mrp", uncertainty, replications=3, seed=5, scheduler=dask_cluster)
    timing = "solve_seconds"
    assert remote.failures().empty
    local_kpis, remote_kpis = local.kpis(), remote.kpis()
    assert remote_kpis[remote_kpis.kpi != timing].equals(local_kpis[local_kpis.kpi != timing])
