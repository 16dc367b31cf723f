"""Tool versions for the report appendix (SPEC §11.2): read defensively, never fatal."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from importlib import metadata

PACKAGES = ("pytest", "playwright", "boto3", "moto")
CHROMIUM_ENV = "HHL_CHROMIUM"  # same override the browser fixtures honour; Debian's path is the fallback
CHROMIUM_DEFAULT = "/usr/bin/chromium"


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def chromium_version() -> str:
    binary = os.environ.get(CHROMIUM_ENV) or shutil.which("chromium") or CHROMIUM_DEFAULT
    try:
        done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "not found"
    return done.stdout.strip() or "unknown"


def tool_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        **{p: _package_version(p) for p in PACKAGES},
        "chromium": chromium_version(),
    }
