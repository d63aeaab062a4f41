"""wrk, the load generator the HTTP benchmarks share (``storefront.py``, ``bridge.py``): one run of a Lua script
against a local server, its output read into figures."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile


def load() -> str:
    """The load average, as ``1m/5m/15m``."""
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def threads(connections: int) -> int:
    """wrk's threads for ``connections`` (wrk needs at least one connection per thread)."""
    return min(2, connections)


def run(port: int, script: str, *, duration: float, connections: int) -> dict:
    """Run wrk with the Lua ``script`` for ``duration`` seconds over ``connections`` kept-alive connections: its rate,
    median and 99th percentile latency, non-2xx answers, socket errors, and the load average before and after."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    command = [
        "wrk", f"-c{connections}", f"-t{threads(connections)}", f"-d{max(1, round(duration))}s", "--latency",
        "-s", file.name, f"http://127.0.0.1:{port}",
    ]  # fmt: skip
    before = load()
    try:
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    finally:
        os.unlink(file.name)

    def number(pattern: str) -> float | None:
        match = re.search(pattern, output)
        return float(match.group(1)) if match else None

    def latency(label: str) -> float | None:
        match = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)\b", output)
        if not match:
            return None
        return round(float(match.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[match.group(2)], 2)

    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "non_2xx": int(number(r"Non-2xx or 3xx responses: (\d+)") or 0),
        "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0,
        "load": f"{before} -> {load()}",
    }
