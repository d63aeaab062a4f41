"""Measure a design file in a child process with an address-space and wall-time limit, so a hostile file can
at worst kill that child, never the web or Celery worker (``python -m store.geometry.isolated <path> <kind>``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict

from store.geometry import GeometryError, Limits, measure

# Thread pools of the numeric libraries reserve address space per thread; one thread each keeps RLIMIT_AS honest.
CHILD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _limit_memory(megabytes: int):
    def apply() -> None:
        import resource

        cap = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    return apply


def measure_isolated(path, *, kind: str, limits: Limits, memory_mb: int, timeout_seconds: float) -> dict:
    """The geometry dict, or ``GeometryError`` with the reason (including memory or time exhausted)."""
    command = [sys.executable, "-m", "store.geometry.isolated", str(path), kind, json.dumps(asdict(limits))]
    env = {**os.environ, **CHILD_ENV}
    try:
        completed = subprocess.run(  # noqa: S603 - our own interpreter and module, arguments are not shell-parsed
            command,
            capture_output=True,
            timeout=timeout_seconds,
            env=env,
            preexec_fn=_limit_memory(memory_mb),  # noqa: PLW1509 - setrlimit only, no locks taken
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise GeometryError(f"Measuring the file took longer than {timeout_seconds:g} s.") from exc
    try:
        result = json.loads(completed.stdout.decode() or "null")
    except ValueError:
        result = None
    if not isinstance(result, dict):
        if completed.returncode < 0 or b"MemoryError" in completed.stderr:
            raise GeometryError(f"Measuring the file needed more than {memory_mb} MB of memory.")
        raise GeometryError("Measuring the file failed unexpectedly.")
    if not result.get("ok"):
        raise GeometryError(result.get("reason") or "The file could not be measured.")
    return result["geometry"]


def main(argv: list[str]) -> int:
    path, kind, raw_limits = argv[1], argv[2], argv[3]
    try:
        geometry = measure(path, kind=kind, limits=Limits(**json.loads(raw_limits)))
        payload = {"ok": True, "geometry": geometry}
    except GeometryError as exc:
        payload = {"ok": False, "reason": str(exc)}
    except MemoryError:
        payload = {"ok": False, "reason": "Measuring the file needed more memory than allowed."}
    sys.stdout.write(json.dumps(payload))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
