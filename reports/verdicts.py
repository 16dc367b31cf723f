"""Verdict names, their exit statuses and their order of severity (SPEC §11.3).

The exit codes are `checks.vocabulary.ExitCode` (one IntEnum for the gate and the session), re-exported here."""

from __future__ import annotations

from checks.vocabulary import ExitCode

__all__ = ["GO", "INCONCLUSIVE", "NO_GO", "ExitCode", "exit_code_for", "label", "worst"]

GO = "GO"
NO_GO = "NO-GO"
INCONCLUSIVE = "INCONCLUSIVE"

_EXIT_BY_VERDICT = {GO: ExitCode.GO, NO_GO: ExitCode.NO_GO, INCONCLUSIVE: ExitCode.INCONCLUSIVE}
_VERDICT_BY_EXIT = {code: name for name, code in _EXIT_BY_VERDICT.items()}


def exit_code_for(verdict: str) -> ExitCode:
    """Exit status of a verdict; anything unrecognised fails closed as INCONCLUSIVE."""
    return _EXIT_BY_VERDICT.get(verdict, ExitCode.INCONCLUSIVE)


def worst(*verdicts: str) -> str:
    """The most severe of several verdicts (GO < NO-GO < INCONCLUSIVE)."""
    return _VERDICT_BY_EXIT[max(exit_code_for(v) for v in verdicts)]


def label(verdict: str, scope: str = "full") -> str:
    """How documents and the terminal show a verdict: `GO (smoke scope)` for a non-full scope."""
    return verdict if scope in ("", "full") else f"{verdict} ({scope} scope)"
