#!/usr/bin/env bash
# `npm run test:dates`: the suites that simulate, build features, train, evaluate or rank, run with the
# system clock set (libfaketime) to eight dates over a year and a half: month and year ends, a leap day,
# both America/New_York daylight-saving changes (in that zone) and a far-east zone. They must pass on
# every one: the suite's data sits on test/helpers/fixed-clock.ts, never on today.
set -euo pipefail
cd "$(dirname "$0")/.."

# The thread-safe build: the suite's worker threads (store replica, training's GEMM pool) read the
# clock concurrently.
LIB=${FAKETIME_LIB:-/usr/lib/$(uname -m)-linux-gnu/faketime/libfaketimeMT.so.1}
if [[ ! -e $LIB ]]; then
  echo "libfaketime not found at $LIB: install the Debian package faketime" >&2
  exit 2
fi

# Every suite that simulates, builds features, trains, evaluates or ranks; or the ones given as
# arguments (`npm run test:dates -- test/traffic`).
SUITES=(test/simulator test/features test/feed test/models test/experiments test/jobs test/cli test/api
  test/exchange test/traffic test/reports)
if (($#)); then SUITES=("$@"); fi

# "zone|local date-time the clock starts at"
DATES=(
  "UTC|2026-12-02 12:00:00"                   # the day the date dependence was found
  "UTC|2026-12-31 23:58:00"                   # year end, crossing midnight during the run
  "America/New_York|2027-01-31 23:59:00"      # month end, local midnight
  "America/New_York|2027-03-14 01:58:00"      # clocks spring forward at 02:00 during the run
  "UTC|2027-06-15 12:00:00"                   # mid-year
  "America/New_York|2027-11-07 01:30:00"      # the repeated hour as clocks fall back
  "UTC|2028-02-29 12:00:00"                   # leap day
  "Pacific/Kiritimati|2028-09-30 23:30:00"    # UTC+14, month end
)

failed=()
for entry in "${DATES[@]}"; do
  zone=${entry%%|*}
  at=${entry#*|}
  echo "=== $at ($zone)"
  if ! TZ=$zone LD_PRELOAD=$LIB FAKETIME="@$at" FAKETIME_DONT_FAKE_MONOTONIC=1 \
    npx vitest run "${SUITES[@]}"; then
    failed+=("$at ($zone)")
  fi
done

if ((${#failed[@]})); then
  printf 'failed on: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "passed on all ${#DATES[@]} dates"
