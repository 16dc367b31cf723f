"""The harness's exception tree; the plugin maps each to an outcome and shows its message alone (no traceback).

CheckFailure (AssertionError)     → `failed`: the target did not behave as the contract says
├── TargetUnreachable               "target unreachable: <url>": connection refused, DNS, timeout
├── TargetMismatch                  a preflight saw another system: one environment error (URL, answer, key)
└── StateMismatch                   a page shows another state than the journey expects (pages/)
HarnessError (Exception)          → `error`: the check could not be run at all
├── MissingCredentials              the env lacks HHL_TEST_USERNAME/HHL_TEST_PASSWORD (fail closed)
├── LoginFailed                     sign-in through the hosted UI failed (never retried: checks.login.LockoutGuard)
│   ├── CredentialsRejected           the hosted UI rejected the test user's credentials (the harness's input)
│   ├── LoginRefused                  the hosted UI refused the sign-in: authorize error, no login form, no code
│   ├── LoginBrokenByBackend          the backend's part broke it: /auth/login or /auth/callback, no session cookie
│   └── LoginLockedOut                an earlier sign-in of this run failed: not tried again (`cause` says which)
├── WritesNotAllowed                a `user`/`fault` check on an env without allow_writes
├── SandboxError                    the local sandbox did not come up
├── TargetUnavailable               the target kept answering 429 / a gateway 502-504 (checks.retry): no verdict
├── ReadOnlyViolation               an infra check tried an AWS call that can change state (refused, never sent)
└── ServiceUnavailable              an AWS service (or one item) could not be described; rules turn it into a
                                    failure quoting why (checks/aws/model.py), never a pass
PreflightBlocked (Exception)      → `blocked`: a preflight this check depends on did not pass
"""

from __future__ import annotations

__all__ = [
    "CLEAR_ERRORS",
    "CheckFailure",
    "CredentialsRejected",
    "HarnessError",
    "LoginBrokenByBackend",
    "LoginFailed",
    "LoginLockedOut",
    "LoginRefused",
    "MissingCredentials",
    "PreflightBlocked",
    "ReadOnlyViolation",
    "SandboxError",
    "ServiceUnavailable",
    "StateMismatch",
    "TargetMismatch",
    "TargetUnavailable",
    "TargetUnreachable",
    "WritesNotAllowed",
]


class CheckFailure(AssertionError):
    """A contract violation found by the harness itself (rather than by a bare `assert`)."""


class TargetUnreachable(CheckFailure):
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"target unreachable: {url} ({reason})")
        self.url = url


class TargetMismatch(CheckFailure):
    """The configured base URL answers as something else (a CMS page instead of the API gateway...)."""

    def __init__(self, summary: str, *, url: str, answered: str, env_key: str, env_file: str = "") -> None:
        where = f" in {env_file}" if env_file else ""
        super().__init__(f"{summary}: {url} answered {answered}; check `{env_key}`{where}")
        self.url, self.answered, self.env_key = url, answered, env_key


class HarnessError(Exception):
    """The check could not be carried out; never a pass."""


class MissingCredentials(HarnessError):
    pass


class LoginFailed(HarnessError):
    """Callers tell the causes apart by type, never by the message."""


class CredentialsRejected(LoginFailed):
    pass


class LoginRefused(LoginFailed):
    pass


class LoginBrokenByBackend(LoginFailed):
    pass


class LoginLockedOut(LoginFailed):
    """Raised instead of signing in again; `cause` is the earlier failure's type (LoginFailed when unknown)."""

    def __init__(self, message: str, cause: type[LoginFailed] = LoginFailed) -> None:
        super().__init__(f"not retrying sign-in after an earlier failure (lockout guard): {message}")
        self.cause = cause


class WritesNotAllowed(HarnessError):
    pass


class SandboxError(HarnessError):
    pass


class TargetUnavailable(HarnessError):
    """Still throttled or gateway-unavailable after the bounded retries: the check could not be judged."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"target unavailable: {url} ({reason})")
        self.url = url


class StateMismatch(CheckFailure):
    """The page is in another state than the one expected: `expected X but the page shows Y`."""

    def __init__(self, expected: str, shown: str, *, url: str = "") -> None:
        where = f" ({url})" if url else ""
        super().__init__(f"expected {expected} but the page shows {shown}{where}")
        self.expected, self.shown = expected, shown


class ReadOnlyViolation(HarnessError):
    """An infra check tried to call an AWS operation that can change state."""


class ServiceUnavailable(HarnessError):
    """A service (or one item of it) could not be described; the message says why in one line."""


class PreflightBlocked(Exception):
    pass


# Exceptions whose message says everything: the plugin replaces their traceback with the message alone.
CLEAR_ERRORS = (CheckFailure, HarnessError, PreflightBlocked)
