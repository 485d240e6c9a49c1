"""Run independent tasks in this process, in worker processes, or on a Dask cluster.

:func:`map_tasks` applies one function to many tasks and returns the results
in task order, whatever order they finish in. Where the work runs is one
argument:

``workers=1``
    In this process, one task after the other. No start-up cost, easiest to
    debug (breakpoints and tracebacks work as usual); the right choice for a
    handful of short tasks.
``scheduler=None`` (the default)
    In worker processes on this machine, ``workers`` of them (default: the
    number of CPUs this process may use, at most one per task). Worker
    processes come from a fork server, a clean process started without any
    solver threads, so that a solver already running in this process cannot
    leave a child with a half-copied thread pool. The fork server imports the
    mapped function's module once, so the first run in a process pays about
    1.5 s of start-up and later runs about 0.15 s (measured on two CPUs,
    against about 3 s for a local Dask cluster of two worker processes, whose
    scheduler buys nothing on one machine).
``scheduler="tcp://host:port"``
    On a running Dask distributed cluster (``dask scheduler`` on one machine,
    ``dask worker tcp://host:port`` on as many as you have); the way to use
    more CPUs than one machine holds. Every worker needs this package
    installed; tasks and results travel pickled. The cluster's size is set
    by the workers started, so ``workers`` does not apply.

Tasks and results travel pickled. A script that runs tasks
in worker processes must guard its entry point with
``if __name__ == "__main__":``, since every worker imports the main module.

A task that raises stops the run: :class:`TaskFailedError` names the task
(its position and its text) and chains the original exception. Callers that
want to carry on past a failed task (a simulation study reports a failed
replication and goes on) catch inside the function they map.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, TypeVar

from models import PlanningError

if TYPE_CHECKING:
    from distributed import Client

T = TypeVar("T")
R = TypeVar("R")

DoneCallback = Callable[[int, Any], None]

CONNECT_TIMEOUT_SECONDS = 10.0
"""How long to wait for a Dask scheduler to answer before giving up."""


class ParallelError(PlanningError):
    """Tasks could not be run where they were asked to run (bad option, unreachable cluster)."""


class TaskFailedError(PlanningError):
    """One task raised an exception; the original is chained as ``__cause__``.

    Parameters
    ----------
    index
        The task's position in the sequence given to :func:`map_tasks`.
    task
        The task itself.
    error
        The exception it raised.
    """

    def __init__(self, index: int, task: object, error: BaseException) -> None:
        self.index = index
        self.task = task
        self.error = error
        text = repr(task)
        if len(text) > 200:
            text = text[:197] + "..."
        super().__init__(f"task {index} ({text}) failed: {type(error).__name__}: {error}")


def available_cpus() -> int:
    """The number of CPUs this process may run on (at least 1)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def map_tasks(
    function: Callable[[T], R],
    tasks: Sequence[T],
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    on_done: Callable[[int, R], None] | None = None,
) -> list[R]:
    """Apply ``function`` to every task and return the results in task order.

    Parameters
    ----------
    function
        Called once per task. For worker processes and Dask it must be
        picklable (a module-level function, or a :func:`functools.partial`
        of one), and so must the tasks and the results.
    tasks
        The inputs, one call each.
    scheduler
        ``None`` to run on this machine; the address of a Dask scheduler
        (``tcp://host:port``) to run on that cluster.
    workers
        Local runs only: how many worker processes (default: the CPUs
        available, at most one per task); ``1`` runs every task in this
        process, without any pool.
    on_done
        Called in this process with ``(index, result)`` as each task
        finishes, in completion order (for progress display).

    Returns
    -------
    list
        ``function(tasks[i])`` at position ``i``.

    Raises
    ------
    TaskFailedError
        When a task raises; it names the task and chains the exception.
        The tasks not yet started are cancelled.
    ParallelError
        When ``workers`` is not a positive number, is combined with a
        scheduler, the scheduler cannot be reached, or a worker process
        dies.
    """
    if workers is not None and workers < 1:
        raise ParallelError(f"workers must be at least 1, got {workers}")
    if scheduler is not None:
        if workers is not None:
            raise ParallelError(
                "workers applies to runs on this machine; the size of a Dask cluster is "
                "set by the workers started for it"
            )
        return _run_on_dask(function, tasks, scheduler, on_done)
    count = min(available_cpus() if workers is None else workers, len(tasks))
    if count <= 1:
        return _run_here(function, tasks, on_done)
    return _run_in_processes(function, tasks, count, on_done)


def _run_here(
    function: Callable[[T], R], tasks: Sequence[T], on_done: Callable[[int, R], None] | None
) -> list[R]:
    results: list[R] = []
    for index, task in enumerate(tasks):
        try:
            result = function(task)
        except Exception as error:
            raise TaskFailedError(index, task, error) from error
        results.append(result)
        if on_done is not None:
            on_done(index, result)
    return results


def _run_in_processes(
    function: Callable[[T], R],
    tasks: Sequence[T],
    workers: int,
    on_done: Callable[[int, R], None] | None,
) -> list[R]:
    context = multiprocessing.get_context("forkserver")
    home = getattr(getattr(function, "func", function), "__module__", None)
    if home:
        context.set_forkserver_preload(["__main__", home])
    results: dict[int, R] = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: dict[Future[R], int] = {
            pool.submit(function, task): index for index, task in enumerate(tasks)
        }
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(finished, key=pending.__getitem__):
                    index = pending.pop(future)
                    results[index] = _outcome(future, index, tasks[index])
                    if on_done is not None:
                        on_done(index, results[index])
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [results[index] for index in range(len(tasks))]


def _outcome(future: Future[R], index: int, task: object) -> R:
    try:
        return future.result()
    except BrokenProcessPool as broken:
        raise ParallelError(
            "a worker process stopped abruptly (out of memory, killed, or a crash). When "
            "running from a script, guard its entry point with "
            "'if __name__ == \"__main__\":', since every worker imports the main module; "
            "workers=1 runs everything in this process"
        ) from broken
    except Exception as error:
        raise TaskFailedError(index, task, error) from error


def _connect(scheduler: str) -> Client:
    try:
        from distributed import Client
    except ImportError as missing:
        raise ParallelError(
            "running on a Dask cluster needs the 'distributed' package (pip install "
            "'dask[distributed]')"
        ) from missing
    try:
        client: Client = Client(  # type: ignore[no-untyped-call]
            scheduler, timeout=CONNECT_TIMEOUT_SECONDS, set_as_default=False
        )
        return client
    except (OSError, TimeoutError, ValueError) as failure:
        raise ParallelError(
            f"cannot reach the Dask scheduler at {scheduler!r} within "
            f"{CONNECT_TIMEOUT_SECONDS:.0f} s: {failure}"
        ) from failure


def _run_on_dask(
    function: Callable[[T], R],
    tasks: Sequence[T],
    scheduler: str,
    on_done: Callable[[int, R], None] | None,
) -> list[R]:
    if not tasks:
        return []
    from distributed import as_completed

    client = _connect(scheduler)
    try:
        futures = client.map(function, list(tasks), pure=False)
        positions = {future.key: index for index, future in enumerate(futures)}
        results: dict[int, R] = {}
        try:
            for future in as_completed(futures, loop=client.loop):  # type: ignore[no-untyped-call]
                index = positions[future.key]
                try:
                    results[index] = future.result()
                except Exception as error:
                    raise TaskFailedError(index, tasks[index], error) from error
                if on_done is not None:
                    on_done(index, results[index])
        except BaseException:
            client.cancel(futures)  # type: ignore[no-untyped-call]
            raise
        return [results[index] for index in range(len(tasks))]
    finally:
        client.close()  # type: ignore[no-untyped-call]
