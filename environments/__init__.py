"""Named targets of a run (SPEC §2): `load_environment("dev")` → a validated, typed Environment."""

from __future__ import annotations

from environments.loader import SECRET_VARIABLES, EnvironmentFileError, load_environment, resolve_env_file
from environments.models import AREAS, Environment

__all__ = [
    "AREAS",
    "SECRET_VARIABLES",
    "Environment",
    "EnvironmentFileError",
    "load_environment",
    "resolve_env_file",
]
