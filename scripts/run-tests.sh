#!/usr/bin/env bash
# Runs every test project and ends with the failed tests' names and first message lines (so the tail of a CI log
# names them), then one plain line: "Tests: N passed, N failed, N skipped".
# The real-node tests (tests/LeakOperator.NodeTests) run after the others, not beside them: on 2 cores the node and
# the integration tests' control plane would slow each other's timings. --node-only runs just those.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
if [[ "${1:-}" == --node-only ]]; then
  shift
else
  # The integration and lab tests run the NativeAOT executable that ships (tests/LeakOperator.TestSupport/OperatorProcess.cs).
  LEAKOPERATOR_BINARY=$(scripts/operator-binary.sh | tail -n 1) || exit 1
  export LEAKOPERATOR_BINARY
  dotnet test LeakOperator.sln --nologo --filter "FullyQualifiedName!~LeakOperator.NodeTests&Duration!=Long" "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
fi
dotnet test tests/LeakOperator.NodeTests --nologo "$@" 2>&1 | tee -a "$log"
node_status=${PIPESTATUS[0]}
((status == 0)) && status=$node_status
# dotnet test prints "  Failed <test> [<time>]", then "  Error Message:" and the message.
awk '
  /^ +Failed [^ !]/ { print "FAILED:" substr($0, index($0, "Failed") + 6); left = 6; next }
  left > 0 && !/^ +(Error Message:|Stack Trace:)/ { print "   " $0; left-- }
  /^ +Stack Trace:/ { left = 0 }
' "$log"
awk '
  /(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+, +Skipped: +[0-9]+/ {
    gsub(",", "")
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:") failed += $(i + 1)
      if ($i == "Passed:") passed += $(i + 1)
      if ($i == "Skipped:") skipped += $(i + 1)
    }
  }
  END { printf "Tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }
' "$log"
exit "$status"
