"""Where the processes of one host keep their Prometheus counters (prometheus-client's multi-process mode).

``libspace serve`` runs several granian worker processes; ``/metrics`` is answered by whichever of them gets
the request, so every process writes its counters to small memory-mapped files and the answering process
adds them up. Each kind of process has its own folder under ``LIBSPACE_METRICS_DIR``:

- ``serve-<host>``: the granian workers of ``libspace serve`` (and the notification worker inside them),
  emptied when ``libspace serve`` starts;
- ``worker-<host>-<pid>``: one ``libspace worker``; folders of workers no longer running on this host are
  removed when the next one starts.

Point ``libspace serve`` and ``libspace worker`` at the same folder (the systemd units and ``compose.yaml``
do) and ``/metrics`` shows the worker's jobs and messages too. This module must not import
prometheus_client: the folder has to be chosen before that import, in every process.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"


def _host() -> str:
    return "".join(c if c.isalnum() or c in "-." else "-" for c in socket.gethostname()) or "host"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def enable(base: Path, role: str) -> Path:
    """Choose and prepare this process's folder (``role`` is ``serve`` or ``worker``) and export it."""
    host = _host()
    if role == "serve":
        folder = base / f"serve-{host}"
        shutil.rmtree(folder, ignore_errors=True)
    else:
        for old in base.glob(f"worker-{host}-*"):
            pid = old.name.rsplit("-", 1)[-1]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(old, ignore_errors=True)
        folder = base / f"worker-{host}-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[ENV] = str(folder)
    return folder


def active() -> Path | None:
    folder = os.environ.get(ENV)
    return Path(folder) if folder else None


def files(folder: Path) -> list[str]:
    """Every process's files next to ``folder`` (the serve folder and the workers' of every host)."""
    return sorted(glob.glob(str(folder.parent / "*" / "*.db")))


def reap(folder: Path) -> None:
    """Drop the live gauges of this folder's processes that have died (a respawned granian worker)."""
    from prometheus_client import multiprocess

    for path in folder.glob("gauge_live*_*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            multiprocess.mark_process_dead(int(pid), str(folder))
