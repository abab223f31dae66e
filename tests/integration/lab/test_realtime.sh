#!/usr/bin/env bash
# integration.lab.realtime — IMS_REALTIME=1 scripts/lab up: every thread of
# the HSS and of MariaDB at SCHED_RR priority 10 (docs/performance.md,
# change 14), the CSCFs left alone; without IMS_REALTIME 'up' changes no
# priority.  The test puts the two back to SCHED_OTHER for the tests after
# it.  Needs root (CAP_SYS_NICE).
set -euo pipefail
. "$(dirname "$0")/../tap.sh"

SRC=${IMS_SOURCE:?IMS_SOURCE not set (run through ctest)}
STATE=${IMS_STATE:?IMS_STATE not set (run through ctest)}

if [ "$(id -u)" -ne 0 ]; then
	ok "# SKIP not root: real-time priority needs CAP_SYS_NICE"
	tap_done
	exit 0
fi

pid_of() { tr -dc '0-9' <"$STATE/run/$1.pid"; }
# the scheduling policies of every thread of process $1, sorted, unique
policies() {
	local t
	for t in /proc/"$1"/task/*; do
		chrt -p "${t##*/}" | sed -n 's/.*scheduling policy: //p'
	done | sort -u | tr '\n' ' '
}
normal() { chrt -o -a -p 0 "$1" >/dev/null; }

hss=$(pid_of hss)
db=$(pid_of mariadb)
scscf=$(pid_of scscf)
trap 'normal "$hss" || true; normal "$db" || true' EXIT

if out=$(IMS_REALTIME=1 "$SRC/scripts/lab" up db hss 2>&1); then
	ok "IMS_REALTIME=1 scripts/lab up db hss"
else
	fail "IMS_REALTIME=1 scripts/lab up db hss: $out"
fi
check "the same HSS still runs ('up' twice keeps it)" "$hss" "$(pid_of hss)"
check "every HSS thread at SCHED_RR" "SCHED_RR " "$(policies "$hss")"
check "every MariaDB thread at SCHED_RR" "SCHED_RR " "$(policies "$db")"
check "priority 10" "10" "$(chrt -p "$hss" | sed -n 's/.*scheduling priority: //p')"
check "the S-CSCF left alone" "SCHED_OTHER " "$(policies "$scscf")"

normal "$hss"
normal "$db"
"$SRC/scripts/lab" up db hss >/dev/null 2>&1 || fail "scripts/lab up db hss (again)"
check "without IMS_REALTIME the HSS's policy is left as it was" "SCHED_OTHER " "$(policies "$hss")"
tap_done
