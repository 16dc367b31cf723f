"""sandbox.niceness: a niced process leading its own session gives its autogroup its nice value (else nothing)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sandbox.niceness import AUTOGROUP

REPO_ROOT = Path(__file__).resolve().parents[2]
ENABLED = Path("/proc/sys/kernel/sched_autogroup_enabled")
AUTOGROUP_ON = AUTOGROUP.exists() and ENABLED.exists() and ENABLED.read_text().strip() == "1"
# Prints what the call returned, then the autogroup line the process ends up with. That line is empty for a process in
# the kernel's default group (a session that never called setsid, as under some CI runners), hence the separator.
PROBE = """
import sys
from pathlib import Path
from sandbox.niceness import AUTOGROUP, carry_nice_to_autogroup
returned = carry_nice_to_autogroup(Path(sys.argv[1]))
print(returned, AUTOGROUP.read_text().strip() if AUTOGROUP.exists() else "-", sep="|")
"""


def _probe(*, nice: int, own_session: bool, autogroup: Path = AUTOGROUP) -> tuple[str, str]:
    command = ["nice", "-n", str(nice), sys.executable, "-c", PROBE, str(autogroup)]
    done = subprocess.run(
        command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, start_new_session=own_session, check=True
    )
    returned, _, group = done.stdout.strip().partition("|")
    return returned, group


@pytest.mark.skipif(not AUTOGROUP_ON, reason="this kernel has no autogroup scheduling, or it is off")
def test_a_niced_session_leader_carries_its_nice_value_to_its_group() -> None:
    returned, group = _probe(nice=7, own_session=True)
    assert returned == "7" and group.endswith(" nice 7")


@pytest.mark.skipif(not AUTOGROUP_ON, reason="this kernel has no autogroup scheduling, or it is off")
def test_a_process_in_its_parents_session_leaves_the_group_alone() -> None:
    returned, group = _probe(nice=7, own_session=False)
    assert returned == "None" and group == AUTOGROUP.read_text().strip()


def test_an_un_niced_session_leader_changes_nothing() -> None:
    assert _probe(nice=0, own_session=True)[0] == "None"


def test_no_autogroup_file_is_nothing_to_carry(tmp_path: Path) -> None:
    assert _probe(nice=7, own_session=True, autogroup=tmp_path / "missing" / "autogroup")[0] == "None"
