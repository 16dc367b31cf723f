"""Root conftest: intentionally empty of wiring. The gate is the installed project's `pytest11` entry point
(`checks.plugin`, see pyproject.toml), so it loads before pytest parses the command line, from any directory."""
