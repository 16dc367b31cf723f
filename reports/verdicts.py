"""Verdict names, their exit statuses and their order of severity (SPEC §11.3)."""

from __future__ import annotations

from enum import IntEnum

GO = "GO"
NO_GO = "NO-GO"
INCONCLUSIVE = "INCONCLUSIVE"


class ExitCode(IntEnum):
    """Exit status of the gate and of the session; larger = more severe, so `max` combines verdicts."""

    GO = 0  # every gate rule passed; medium/low findings may remain
    NO_GO = 1  # a critical/high check failed unwaived, or an alarm is in ALARM
    INCONCLUSIVE = 2  # the run cannot prove anything (preflight, coverage, integrity, redaction)


_EXIT_BY_VERDICT = {GO: ExitCode.GO, NO_GO: ExitCode.NO_GO, INCONCLUSIVE: ExitCode.INCONCLUSIVE}
_VERDICT_BY_EXIT = {code: name for name, code in _EXIT_BY_VERDICT.items()}


def exit_code_for(verdict: str) -> ExitCode:
    """Exit status of a verdict; anything unrecognised fails closed as INCONCLUSIVE."""
    return _EXIT_BY_VERDICT.get(verdict, ExitCode.INCONCLUSIVE)


def worst(*verdicts: str) -> str:
    """The most severe of several verdicts (GO < NO-GO < INCONCLUSIVE)."""
    return _VERDICT_BY_EXIT[max(exit_code_for(v) for v in verdicts)]
