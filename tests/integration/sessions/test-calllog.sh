#!/usr/bin/env bash
# The call log keeps calls [scscf] calllog_days (30 in cfg/scscf.cfg) and no
# longer: an S-CSCF that starts deletes older calls; newer ones stay.
#
# Every call's row ends, also when nobody saw its end
# (sql/ims_scscf/003_call_end_reason.sql): a call answered and never BYE'd
# is closed as 'lost' when the S-CSCF stops (here 'scripts/lab down
# scscf'), or, after a crash (kill -9), when it starts again; 'imsctl
# calls' then says "lost" where the end time would be, not an active call.
# A call still ringing when the S-CSCF stops ends too (failed, or lost).
# The migration itself, on a scratch database holding version 2 rows, marks
# the rows already ended ('bye', 'failed') and leaves the open ones open.
. "$(dirname "$0")/../tap.sh"
# the session helpers (SIPp UEs); their fail() stops the test at once
. "$(dirname "$0")/lib.sh"

DB="$IMS_SOURCE/scripts/db"
LAB="$IMS_SOURCE/scripts/lab"
sql() { "$DB" sql ims_scscf -N -B -e "$1"; }
ts='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+'

# ---- retention ----

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

# scscf_logs TEXT FROM_LINE: the S-CSCF's log has TEXT from line FROM_LINE
# on, within 5 s (its writer thread logs just after the database shows the
# change this test waited for)
scscf_logs() {
	for _ in $(seq 1 25); do
		# grep -c reads to the end: with -q it could stop early, tail would
		# get SIGPIPE, and pipefail would call the match a failure
		tail -n +"$2" "$IMS_STATE/log/scscf.log" | grep -c -- "$1" >/dev/null && return 0
		sleep 0.2
	done
	return 1
}

left=2
for _ in $(seq 1 50); do # the deletion runs on the writer thread: 10 s at most
	left=$(sql 'SELECT COUNT(*) FROM calls WHERE id = 1001')
	[ "$left" = 0 ] && break
	sleep 0.2
done
check "a call 40 days old is deleted when the S-CSCF starts" 0 "$left"
check "a call 2 days old stays" 1 "$(sql 'SELECT COUNT(*) FROM calls WHERE id = 1002')"
scscf_logs "older than 30 days deleted" 1 &&
	ok "the S-CSCF logs the deletion" || fail "no deletion in the S-CSCF's log"
# written without an end before version 3 (scscf NULL): taken as ours, lost
check "a row left open before the restart is closed as lost" "lost" \
	"$(sql 'SELECT end_reason FROM calls WHERE id = 1002 AND ended_at IS NOT NULL')"

sql "DELETE FROM calls WHERE id IN (1001, 1002)"

# ---- calls answered and never ended ----

A=$(free_port)
B=$(free_port)
register alice alice-calllog "$A"
register bob bob-calllog "$B"

# answered_call NAME: alice calls bob, bob answers, ACK; nobody hangs up.
answered_call() {
	{
		scenario_head "callee-$1"
		recv_invite
		respond "200 OK" bob-calllog "Content-Type: application/sdp" "$SDP_BODY"
		echo '  <recv request="ACK"/>'
		scenario_tail
	} >"$WORK/callee-$1.xml"
	{
		scenario_head "$1"
		invite alice bob alice-calllog
		echo '  <recv response="100" optional="true"/>'
		echo '  <recv response="180" optional="true"/>'
		echo '  <recv response="200" rrs="true"/>'
		ack alice bob alice-calllog
		scenario_tail
	} >"$WORK/$1.xml"
	callee "callee-$1" "$B"
	local pid=$LAST_BG
	expect_sipp "$1" "$A"
	wait_callee "callee-$1" "$pid"
}

# row NAME COLUMNS: those columns of the call of scenario NAME
row() { sql "SELECT $2 FROM calls WHERE call_id = '$(call_id_of "$1")'"; }

# A clean stop: the S-CSCF writes the calls it still follows as lost.
answered_call no-bye
expect_call no-bye "^$ts +$ts +- +200 "
ok "an answered call without BYE is active"
# [scscf] server_name of the lab's S-CSCF
check "the row names the S-CSCF that wrote it, no end reason yet" \
	"sip:scscf.$DOMAIN:6060 NULL" "$(row no-bye "scscf, IFNULL(end_reason, 'NULL')" | tr '\t' ' ')"
"$LAB" down scscf >/dev/null
check "stopped: the S-CSCF closed the call as lost, with the time it gave up" \
	"lost 1" "$(row no-bye "end_reason, ended_at IS NOT NULL" | tr '\t' ' ')"
"$LAB" up scscf >/dev/null || fail "the S-CSCF did not come back"
expect_call no-bye "^$ts +$ts +lost +200 "
ok "imsctl calls: the call is lost, not active"

# A crash: nothing is written; the next start closes what its rows left open.
answered_call crash
expect_call crash "^$ts +$ts +- +200 "
pid=$(tr -dc '0-9' <"$IMS_STATE/run/scscf.pid")
[ -n "$pid" ] || fail "no pid of the S-CSCF"
kill -KILL "$pid"
for _ in $(seq 1 50); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
check "killed: the row is still open" "NULL" "$(row crash "IFNULL(ended_at, 'NULL')")"
mark=$(wc -l <"$IMS_STATE/log/scscf.log")
"$LAB" up scscf >/dev/null || fail "the S-CSCF did not come back after kill -9"
expect_call crash "^$ts +$ts +lost +200 "
ok "after kill -9 and a start, imsctl calls says the call is lost"
scscf_logs "1 call(s) left without an end closed as lost" "$((mark + 1))" &&
	ok "the S-CSCF logs what it closed at start" || fail "no 'closed as lost' in the S-CSCF's log"
no_active_call no-bye crash

# Ringing when the S-CSCF stops cleanly: the caller gets a final response
# (500 today: the INVITE's transaction ends without one of the S-CSCF's,
# which scscf_session.c logs as 500), and the row ends with it.
{
	scenario_head callee-ringing
	recv_invite
	respond "180 Ringing" bob-calllog
	echo '  <pause milliseconds="3000"/>'
	scenario_tail
} >"$WORK/callee-ringing.xml"
{
	scenario_head ringing
	invite alice bob alice-calllog
	echo '  <recv response="100" optional="true"/>'
	echo '  <recv response="180"/>'
	echo '  <recv response="500"/>'
	ack_failure alice bob
	scenario_tail
} >"$WORK/ringing.xml"
callee callee-ringing "$B"
cpid=$LAST_BG
run_sipp ringing "$A" &
upid=$!
for _ in $(seq 1 50); do # the caller's trace is written at its end: bob's
	grep -q '^INVITE ' "$WORK/callee-ringing.msg" 2>/dev/null && break
	sleep 0.1
done
expect_call callee-ringing "^$ts +- +- +- "
"$LAB" down scscf >/dev/null
check "ringing when the S-CSCF stopped: the row ends (failed or lost), not active" \
	1 "$(row callee-ringing "ended_at IS NOT NULL AND end_reason IN ('failed', 'lost')")"
"$LAB" up scscf >/dev/null || fail "the S-CSCF did not come back"
wait "$upid" || true # what the caller got is the transaction layers' business
wait "$cpid" || true

# The calls still end normally after all this (BYE: an end time, not lost).
{
	scenario_head callee-bye
	recv_invite
	respond "200 OK" bob-calllog "Content-Type: application/sdp" "$SDP_BODY"
	echo '  <recv request="ACK"/>'
	echo '  <recv request="BYE"/>'
	respond_in_dialog "200 OK"
	scenario_tail
} >"$WORK/callee-bye.xml"
{
	scenario_head bye
	invite alice bob alice-calllog
	echo '  <recv response="100" optional="true"/>'
	echo '  <recv response="180" optional="true"/>'
	echo '  <recv response="200" rrs="true"/>'
	ack alice bob alice-calllog
	in_dialog_uac BYE 2 alice bob alice-calllog
	echo '  <recv response="200"/>'
	scenario_tail
} >"$WORK/bye.xml"
callee callee-bye "$B"
pid=$LAST_BG
expect_sipp bye "$A"
wait_callee callee-bye "$pid"
expect_call bye "^$ts +$ts +$ts +200 "
check "a call ended by BYE says so" "bye" "$(row bye end_reason)"

# ---- the migration on a database that holds calls ----

SCRATCH=ims_scscf_migrate_test
"$DB" sql -e "DROP DATABASE IF EXISTS $SCRATCH; CREATE DATABASE $SCRATCH"
for f in "$IMS_SOURCE"/sql/ims_scscf/00[12]_*.sql; do
	"$DB" sql "$SCRATCH" <"$f" || fail "$(basename "$f") on the scratch database"
done
"$DB" sql "$SCRATCH" -e "INSERT INTO calls (id, call_id, caller, callee, started_at,
	answered_at, ended_at, status) VALUES
	(1, 'bye', 'a', 'b', NOW(), NOW(), NOW(), 200),
	(2, 'failed', 'a', 'b', NOW(), NULL, NOW(), 486),
	(3, 'open', 'a', 'b', NOW(), NOW(), NULL, 200)"
"$DB" sql "$SCRATCH" <"$IMS_SOURCE"/sql/ims_scscf/003_call_end_reason.sql ||
	fail "003_call_end_reason.sql on a database holding calls"
check "migration: ended rows get their reason, open ones stay open" \
	"bye failed NULL" \
	"$("$DB" sql "$SCRATCH" -N -B -e "SELECT IFNULL(end_reason, 'NULL') FROM calls ORDER BY id" | tr '\n' ' ' | sed 's/ $//')"
"$DB" sql -e "DROP DATABASE $SCRATCH"

tap_done
