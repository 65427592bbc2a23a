"""Is the process running a background job (import, match run) still alive?

A job records its owner (``host:pid``) and refreshes a heartbeat every few seconds from a
thread of its own, so a long batch does not look dead. Any worker's periodic sweep, and
any read of the job, treats it as dead when its owner is provably gone on this host, or
when its heartbeat is older than ``STALE_AFTER`` (the owner is on another host, or hung).
"""

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from app.db import utcnow

log = logging.getLogger("panhuo.jobs")
HEARTBEAT_EVERY = 5.0  # seconds
# Well above a heartbeat that waited its 30 s for SQLite's write lock, yet under a minute.
STALE_AFTER = timedelta(seconds=45)
SWEEP_EVERY = 10.0  # seconds between a worker's sweeps


def this_process() -> str:
    return f"{socket.gethostname()[:150]}:{os.getpid()}"


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    try:  # a killed child its parent has not reaped yet is a zombie: dead too
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def owner_gone(owner: str | None) -> bool:
    """True only when the owner ran on this host and its process no longer exists."""
    host, _, pid = (owner or "").rpartition(":")
    if host != socket.gethostname()[:150] or not pid.isdigit() or int(pid) == os.getpid():
        return False
    return _pid_gone(int(pid))


def is_dead(owner: str | None, heartbeat: datetime | None, now: datetime | None = None) -> bool:
    if owner_gone(owner):
        return True
    return heartbeat is None or heartbeat < (now or utcnow()) - STALE_AFTER


@contextmanager
def heartbeat(beat: Callable[[], None], every: float = HEARTBEAT_EVERY) -> Iterator[None]:
    """Call ``beat`` every ``every`` seconds on a thread while the block runs."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                beat()
            except Exception:  # a missed beat is retried; enough of them and the job is failed
                log.warning("job heartbeat failed", exc_info=True)

    thread = threading.Thread(target=loop, name="job-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()  # not joined: a beat may be waiting for the database
