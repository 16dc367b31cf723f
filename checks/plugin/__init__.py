"""The pytest plugin that turns a pytest session into the rollout gate: options, sandbox launch for `local`,
check markers from the catalog, prerequisite ordering and blocking, one CheckResult per item (merged across xdist
workers), secret scrubbing of every report, and the verdict at session end.

Loaded as the installed project's `pytest11` entry point (pyproject.toml), so its options parse before pytest picks
a rootdir: `pytest --env /any/path.yaml` works in either form. The modules, one concern each:

rootdir     re-roots a run whose option values pytest mistook for paths
run         options, the env file, run id and directories, scope, xdist hand-off, SIGTERM
collection  catalog markers, `-k <check id>`, scope, prerequisite order, the per-item policy
results     CheckResult per item, merge, finish (documents + verdict + exit status), terminal section
reporters   the same facts for JUnit XML and Allure (check id, severity, known, evidence; a warning is no pass)
fixtures    the fixtures every suite may use
awscalls    aws-calls.json: every AWS call the run made (names and counts), merged across workers
"""

from __future__ import annotations

pytest_plugins = [
    "checks.plugin.rootdir",
    "checks.plugin.run",
    "checks.plugin.results",
    "checks.plugin.reporters",  # JUnit properties and Allure labels/attachments from each CheckResult
    "checks.plugin.fixtures",
    "checks.aws.fixtures",  # `aws` and `infra`
    "checks.plugin.awscalls",  # aws-calls.json: the AWS calls the run made (names and counts)
    "pages.fixtures",  # browser fixtures of the e2e suite (page objects in pages/)
]
