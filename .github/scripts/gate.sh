#!/usr/bin/env bash
# Run the gate (`.venv/bin/pytest "$@"`) and name its exit status in a workflow annotation; exit with that status,
# so the job fails — and GitHub alerts — on anything but GO (README "What the verdict means").
set -u
status=0
.venv/bin/pytest "$@" || status=$?
case "$status" in
  0) meaning="GO" ;;
  1) meaning="NO-GO: a blocking check failed or an alarm is in ALARM" ;;
  2) meaning="INCONCLUSIVE: the run cannot support a GO (see the verdict reasons)" ;;
  3) meaning="pytest internal error" ;;
  4) meaning="usage or configuration error (an option, the env file, a waiver, a non-empty --report-dir)" ;;
  5) meaning="no tests collected" ;;
  *) meaning="unexpected exit status" ;;
esac
if [ "$status" -eq 0 ]; then
  echo "::notice title=rollout gate::exit 0, ${meaning}"
else
  echo "::error title=rollout gate::exit ${status}, ${meaning}"
fi
exit "$status"
