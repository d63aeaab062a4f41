"""Before `make test`: fail fast, with a clear message, when PostgreSQL or Redis is unreachable."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit

import psycopg
import redis


def main() -> int:
    database_url = os.environ["DATABASE_URL"]
    redis_url = os.environ["REDIS_URL"]
    problems = []
    parts = urlsplit(database_url)
    try:
        psycopg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            dbname="postgres",
            connect_timeout=5,
        ).close()
    except Exception as exc:  # noqa: BLE001
        problems.append(f"PostgreSQL at {parts.hostname}:{parts.port or 5432} is unreachable: {exc}".strip())
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        problems.append(f"Redis at {redis_url} is unreachable: {exc}")
    if problems:
        print("make test needs real PostgreSQL and Redis (set DATABASE_URL / REDIS_URL):", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
