"""Keep a niced process niced when it leads a session of its own.

With autogroup scheduling (Linux, `/proc/sys/kernel/sched_autogroup_enabled`, on by default in many kernels) every
session is a scheduling group of its own and a process's nice value only orders it *within* its group: a process
started with `nice -n 10` and `start_new_session=True` (the harness starts its sandbox so; the project's tests
start niced harness runs so) then competes with everything else at full weight. Giving the group the process's own
nice value restores what `nice` promised. Raising a group's nice value needs no privilege.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["carry_nice_to_autogroup"]

AUTOGROUP = Path("/proc/self/autogroup")


def carry_nice_to_autogroup(autogroup: Path = AUTOGROUP) -> int | None:
    """When this process leads its session and is niced, set its autogroup's nice value to its own; the value set,
    or None (not a session leader, not niced, no autogroup file, or the kernel refused)."""
    if os.getsid(0) != os.getpid():
        return None  # in its parent's session (and group): the nice value already orders it there
    nice = os.getpriority(os.PRIO_PROCESS, 0)
    if nice <= 0:
        return None
    try:
        autogroup.write_text(str(nice))
    except OSError:
        return None  # no autogroup support (file missing or read-only): nothing to carry over
    return nice
