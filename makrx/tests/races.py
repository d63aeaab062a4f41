"""Race-test harness: run one callable on N threads released together, each on its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def run_concurrently(fn: Callable[[int], Any], n: int, *, timeout: float = 60, reraise: bool = False) -> list[Any]:
    """Call ``fn(index)`` for index 0..n-1 on n threads that start together; return each outcome in index order.

    An outcome is what ``fn`` returned or the exception it raised (so a test counts winners and ``ConflictError``s
    the same way). The threads wait on a barrier so their requests truly overlap; each thread closes its own
    database connections when done (Django opens one per thread, and a test database cannot be dropped while one
    stays open). Use it from ``django_db(transaction=True)`` tests: a test transaction is invisible to the threads.
    With ``reraise=True`` an exception in any thread is raised here instead (for callables that should never fail,
    such as HTTP requests whose answers the test counts).
    """
    barrier = threading.Barrier(n)
    outcomes: list[Any] = [None] * n

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout)
            outcomes[index] = fn(index)
        except BaseException as exc:  # noqa: BLE001 - the outcome is the test's to judge
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(index,), name=f"race-{index}") for index in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    stuck = [thread.name for thread in threads if thread.is_alive()]
    if stuck:
        raise AssertionError(f"threads still running after {timeout}s (deadlock?): {stuck}")
    if reraise:
        for index, outcome in enumerate(outcomes):
            if isinstance(outcome, BaseException):
                raise AssertionError(f"thread race-{index} raised {outcome!r}") from outcome
    return outcomes
