"""What decides how fast this process draws: threads, their niceness, the allocator.

`process_facts()` is logged by each worker process when it is ready and printed by
`likeness bench` for its own process, so the two can be compared line by line
(docs/benchmarks.md, "Worker process against bench process").
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT",
              "KMP_BLOCKTIME", "MALLOC_ARENA_MAX", "LD_PRELOAD")
ALLOCATORS = ("jemalloc", "tcmalloc", "mimalloc")


def _threads() -> list[dict[str, Any]]:
    """Every thread of this process with its name and nice value (Linux keeps one per thread)."""
    threads = []
    for task in sorted(Path("/proc/self/task").glob("*"), key=lambda p: int(p.name)):
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        name = stat[stat.index("(") + 1: stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        threads.append({"tid": int(task.name), "name": name, "nice": int(fields[16])})
    return threads


def _allocator() -> str:
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return "unknown"
    return next((name for name in ALLOCATORS if name in maps), "glibc malloc")


def process_facts() -> dict[str, Any]:
    threads = _threads()
    nice_counts: dict[str, int] = {}
    for thread in threads:
        nice_counts[str(thread["nice"])] = nice_counts.get(str(thread["nice"]), 0) + 1
    return {
        "pid": os.getpid(),
        "cpus_allowed": len(os.sched_getaffinity(0)),
        "process_nice": os.getpriority(os.PRIO_PROCESS, 0),
        "torch_threads": torch.get_num_threads(),
        "torch_interop_threads": torch.get_num_interop_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "allocator": _allocator(),
        "env": {k: os.environ[k] for k in THREAD_ENV if k in os.environ},
        "threads": len(threads),
        "threads_by_nice": nice_counts,
        "niced_threads": [t["name"] for t in threads if t["nice"] != 0],
    }
