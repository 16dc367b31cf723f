"""Verdict names, their exit statuses and their order of severity (SPEC §11.3).

The exit codes are `checks.vocabulary.ExitCode` (one IntEnum for the gate and the session), re-exported here."""

from __future__ import annotations

from checks.vocabulary import ExitCode

__all__ = ["GO", "INCONCLUSIVE", "NO_GO", "ExitCode", "dominant", "exit_code_for", "label", "precedence"]

GO = "GO"
NO_GO = "NO-GO"
INCONCLUSIVE = "INCONCLUSIVE"

_EXIT_BY_VERDICT = {GO: ExitCode.GO, NO_GO: ExitCode.NO_GO, INCONCLUSIVE: ExitCode.INCONCLUSIVE}


def exit_code_for(verdict: str) -> ExitCode:
    """Exit status of a verdict; anything unrecognised fails closed as INCONCLUSIVE."""
    return _EXIT_BY_VERDICT.get(verdict, ExitCode.INCONCLUSIVE)


# SPEC §11.3: definite failures dominate (as in Argo Rollouts, a failed measurement beats an inconclusive one), so
# a launch-blocking defect is NO-GO even when other parts of the run are inconclusive. Unknown names rank as
# INCONCLUSIVE (fail closed).
_PRECEDENCE = (GO, INCONCLUSIVE, NO_GO)


def precedence(verdict: str) -> int:
    """Rank of a verdict when several rules fire: GO < INCONCLUSIVE < NO-GO."""
    return _PRECEDENCE.index(verdict) if verdict in _PRECEDENCE else _PRECEDENCE.index(INCONCLUSIVE)


def dominant(*verdicts: str) -> str:
    """The verdict that wins among several fired rules (NO-GO over INCONCLUSIVE over GO)."""
    return _PRECEDENCE[max(precedence(v) for v in verdicts)]


def label(verdict: str, scope: str = "full") -> str:
    """How documents and the terminal show a verdict: `GO (smoke scope)` for a non-full scope."""
    return verdict if scope in ("", "full") else f"{verdict} ({scope} scope)"
