"""Keep the project's rootdir when an option value is an existing path (`--env /tmp/stage.yaml`, space form).

pytest picks its rootdir and ini file before any plugin is loaded, from the arguments that look like existing
paths; an option it does not know yet (`--env`) leaves its value looking like one. Once the gate's options are
known, the same rule applied to the real positional arguments gives the right answer. When the two differ, the
process re-executes itself with `--rootdir`/`--config-file` set, which pytest honours before loading anything."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

# Set in the re-executed process: a second mismatch means re-rooting did not help, so it is a usage error.
REROOTED = "HHL_REROOTED"


def _expected_setup(early_config: pytest.Config) -> tuple[Path, Path | None]:
    from _pytest.config.findpaths import determine_setup  # pytest's own rule, applied to the real positionals

    ns = early_config.known_args_namespace
    rootpath, inipath, *_ = determine_setup(
        inifile=ns.inifilename,
        override_ini=ns.override_ini,
        args=ns.file_or_dir,
        rootdir_cmd_arg=ns.rootdir or None,
        invocation_dir=early_config.invocation_params.dir,
    )
    return rootpath, inipath


def _stop_capture(early_config: pytest.Config) -> None:
    """Global capture is already on (fd level): give the real stdout/stderr back before exec."""
    capman: Any = early_config.pluginmanager.get_plugin("capturemanager")
    if capman is not None:
        capman.stop_global_capturing()
    sys.stdout.flush()
    sys.stderr.flush()


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    rootpath, inipath = _expected_setup(early_config)
    if (rootpath, inipath) == (early_config.rootpath, early_config.inipath):
        return
    invoked = list(early_config.invocation_params.args)
    if os.environ.get(REROOTED) or invoked != sys.argv[1:]:
        # In-process (pytester) or already re-rooted: nothing safe to re-execute.
        raise pytest.UsageError(
            f"pytest took an option value for a path and picked rootdir {early_config.rootpath}; "
            f"pass path options as --option=PATH, or add --rootdir={rootpath}"
        )
    os.environ[REROOTED] = "1"
    argv = [sys.executable, "-m", "pytest", f"--rootdir={rootpath}"]
    argv += [f"--config-file={inipath}"] if inipath else []
    _stop_capture(early_config)
    os.execv(sys.executable, [*argv, *invoked])
