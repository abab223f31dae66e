#!/usr/bin/env bash
# The call log keeps calls [scscf] calllog_days (30 in cfg/scscf.cfg) and no
# longer: an S-CSCF that starts deletes older calls; newer ones stay.
set -euo pipefail
. "$(dirname "$0")/../tap.sh"

DB="$IMS_SOURCE/scripts/db"
LAB="$IMS_SOURCE/scripts/lab"
sql() { "$DB" sql ims_scscf -N -B -e "$1"; }

# ids far from the S-CSCF's own (start time in ms and a counter)
sql "DELETE FROM calls WHERE id IN (1001, 1002);
     INSERT INTO calls (id, call_id, caller, callee, started_at, status) VALUES
       (1001, 'old-call@test', 'sip:alice@open-ims.test', 'sip:bob@open-ims.test',
        NOW() - INTERVAL 40 DAY, 200),
       (1002, 'recent-call@test', 'sip:alice@open-ims.test', 'sip:bob@open-ims.test',
        NOW() - INTERVAL 2 DAY, 200);"
check "both test calls stored" 2 "$(sql 'SELECT COUNT(*) FROM calls WHERE id IN (1001, 1002)')"

"$LAB" down scscf >/dev/null
"$LAB" up scscf >/dev/null || fail "the S-CSCF did not come back"

left=2
for _ in $(seq 1 50); do # the deletion runs on the writer thread: 10 s at most
	left=$(sql 'SELECT COUNT(*) FROM calls WHERE id = 1001')
	[ "$left" = 0 ] && break
	sleep 0.2
done
check "a call 40 days old is deleted when the S-CSCF starts" 0 "$left"
check "a call 2 days old stays" 1 "$(sql 'SELECT COUNT(*) FROM calls WHERE id = 1002')"
grep -q "older than 30 days deleted" "$IMS_STATE/log/scscf.log" &&
	ok "the S-CSCF logs the deletion" || fail "no deletion in the S-CSCF's log"

sql "DELETE FROM calls WHERE id IN (1001, 1002)"
tap_done
