#!/usr/bin/env bash
# Initial filter criteria and the test application server (tests/as/,
# ims-test-as): the test adds iFCs to the "default" service profile (and
# removes them at the end), then registers alice and bob so that their
# profiles carry them.
#   originating iFC (INVITE, Subject ifc-orig) -> AS -> back to the S-CSCF
#     (odi) -> I-CSCF -> bob: bob's INVITE carries the AS's X-Test-AS header
#   terminating iFC (Subject ifc-term) on bob's side: the same
#   AS that does not answer (connection refused), SESSION_CONTINUED: the
#     call goes on without it; SESSION_TERMINATED: the caller gets a 5xx
#   AS that is silent (UDP, nothing comes back) for [scscf] as_timeout_ms:
#     SESSION_CONTINUED: the call goes on without it; SESSION_TERMINATED: 408
#   a failure of the callee behind the AS (500) is not the AS's: relayed,
#     and bob sees one INVITE
#   TERMINATING_UNREGISTERED iFC for carol (not registered, so the HSS says
#     UNREGISTERED_SERVICE; the S-CSCF sends SAR UNREGISTERED_USER): the AS
#     takes the INVITE and answers 486 itself
. "$(dirname "$0")/lib.sh"

[ -x "${IMS_TEST_AS:-}" ] || fail "IMS_TEST_AS (the test AS binary) is not set"
ASP=$(free_port)
DEAD=$(free_port) # nothing listens there (TCP: connection refused)
SILENT=$(free_port) # a UDP socket that never answers
A=$(free_port)
B=$(free_port)

hss_sql() { "$IMS_SOURCE/scripts/db" sql ims_hss -e "$1"; }
restore() {
	hss_sql "DELETE FROM service_profile_ifc WHERE ifc_id BETWEEN 900 AND 909;
		DELETE FROM ifc WHERE id BETWEEN 900 AND 909;
		DELETE FROM application_server WHERE id BETWEEN 900 AND 909;
		UPDATE impu SET reg_state = 'not_registered', scscf_name = NULL, origin_host = NULL,
			origin_realm = NULL WHERE reg_state = 'unregistered'"
	[ -z "${AS_PID:-}" ] || kill "$AS_PID" 2>/dev/null || true
	[ -z "${SILENT_PID:-}" ] || kill "$SILENT_PID" 2>/dev/null || true
}
CLEANUP_HOOK=restore

# spt IFC GROUP TYPE HEADER VALUE
spt() { printf "(%d, %d, 0, '%s', %s, '%s')" "$1" "$2" "$3" "$4" "$5"; }
# ifc_rows ID AS PPI SESSION_CASE SUBJECT
ifc_rows() {
	printf "INSERT INTO ifc (id, name, application_server_id, condition_type_cnf, profile_part_indicator) VALUES (%d, 'sessions-test-%d', %d, 1, %s);\n" "$1" "$1" "$2" "$3"
	printf "INSERT INTO ifc_spt (ifc_id, group_id, condition_negated, type, header, value) VALUES %s, %s, %s;\n" \
		"$(spt "$1" 0 method NULL INVITE)" "$(spt "$1" 1 session_case NULL "$4")" \
		"$(spt "$1" 2 header "'Subject'" "$5")"
	printf "INSERT INTO service_profile_ifc (service_profile_id, ifc_id, priority) VALUES (1, %d, %d);\n" "$1" "$1"
}
restore
hss_sql "INSERT INTO application_server (id, name, server_name, default_handling) VALUES
	(900, 'sessions-test-as', 'sip:127.0.0.1:$ASP', 0),
	(901, 'sessions-dead-continued', 'sip:127.0.0.1:$DEAD;transport=tcp', 0),
	(902, 'sessions-dead-terminated', 'sip:127.0.0.1:$DEAD;transport=tcp', 1),
	(903, 'sessions-silent-continued', 'sip:127.0.0.1:$SILENT', 0),
	(904, 'sessions-silent-terminated', 'sip:127.0.0.1:$SILENT', 1);
$(ifc_rows 900 900 0 0 ifc-orig)
$(ifc_rows 901 900 0 1 ifc-term)
$(ifc_rows 902 901 0 0 ifc-dead-continued)
$(ifc_rows 903 902 0 0 ifc-dead-terminated)
$(ifc_rows 904 900 1 2 ifc-unreg)
$(ifc_rows 905 903 0 0 ifc-silent-continued)
$(ifc_rows 906 904 0 0 ifc-silent-terminated)"

"$IMS_TEST_AS" -p "$ASP" -n test-as -r "$IMS_SOURCE/cfg/resolv.conf" 2>"$WORK/as.log" &
AS_PID=$!
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
time.sleep(300)' "$SILENT" &
SILENT_PID=$!
sleep 0.3

register alice alice-ifc "$A"
register bob bob-ifc "$B"

# call NAME SUBJECT BOB_CHECK: alice calls bob with Subject; bob answers
# (BOB_CHECK: actions on the INVITE), alice hangs up
call() {
	local name=$1 subject=$2 check=${3:-} used=
	[ -z "$check" ] || used='  <Reference variables="chk"/>'
	{
		scenario_head "bob-$name"
		recv_invite "$check"
		respond "200 OK" bob-ifc "Content-Type: application/sdp" "$SDP_BODY"
		echo '  <recv request="ACK"/>'
		echo '  <recv request="BYE"/>'
		respond_in_dialog "200 OK"
		echo "$used"
		scenario_tail
	} >"$WORK/bob-$name.xml"
	{
		scenario_head "alice-$name"
		invite alice bob alice-ifc "Subject: $subject"
		echo '  <recv response="100" optional="true"/>'
		echo '  <recv response="180" optional="true"/>'
		echo '  <recv response="200" rrs="true"/>'
		ack alice bob alice-ifc
		in_dialog_uac BYE 2 alice bob alice-ifc
		echo '  <recv response="200"/>'
		scenario_tail
	} >"$WORK/alice-$name.xml"
	callee "bob-$name" "$B"
	local pid=$LAST_BG
	expect_sipp "alice-$name" "$A"
	wait_callee "bob-$name" "$pid"
}

call orig ifc-orig "$(check_hdr X-Test-AS 'test-as')"
grep -q "INVITE $(call_id_of alice-orig)" "$WORK/as.log" || fail "the AS did not see the INVITE"
pass "originating iFC: the INVITE went through the AS and on to bob"

call term ifc-term "$(check_hdr X-Test-AS 'test-as')"
pass "terminating iFC: the INVITE went through the AS and on to bob"

call continued ifc-dead-continued
grep -q '^X-Test-AS' "$WORK/bob-continued.msg" && fail "X-Test-AS without an AS?"
pass "AS unreachable, SESSION_CONTINUED: the call went on without it"

# expect_status NAME TO SUBJECT STATUS [EXTRA]
expect_status() {
	{
		scenario_head "$1"
		invite alice "$2" alice-ifc "Subject: $3${5:+
$5}"
		echo '  <recv response="100" optional="true"/>'
		echo "  <recv response=\"$4\"/>"
		ack_failure alice "$2"
		scenario_tail
	} >"$WORK/$1.xml"
	expect_sipp "$1" "$A"
}
expect_status terminated bob ifc-dead-terminated 503
pass "AS unreachable, SESSION_TERMINATED: the caller got 503"

expect_status unreg carol ifc-unreg 486 "X-Test-AS-Answer: 486"
grep -q "INVITE $(call_id_of unreg)" "$WORK/as.log" || fail "the AS did not see carol's INVITE"
pass "terminating-unregistered iFC: carol's INVITE went to the AS, which answered 486"

call silent ifc-silent-continued
grep -q '^X-Test-AS' "$WORK/bob-silent.msg" && fail "X-Test-AS without an AS?"
pass "AS silent, SESSION_CONTINUED: the call went on without it after as_timeout_ms"

expect_status silent-terminated bob ifc-silent-terminated 408
pass "AS silent, SESSION_TERMINATED: the caller got 408"

# The call log: the calls the S-CSCF ended with its own error response (408
# after as_timeout_ms; 503 when the AS could not be reached) have that
# status and an end time, and no call of this test is left active.
ts='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+'
expect_call silent-terminated "^$ts +- +$ts 408 "
expect_call terminated "^$ts +- +$ts 503 "
no_active_call alice-orig alice-term alice-continued terminated unreg alice-silent \
	silent-terminated
pass "call log: the S-CSCF's own 408 and 503 end their calls; no call left active"

# bob fails behind the AS: the 500 is bob's, not the AS's
{
	scenario_head bob-fails
	recv_invite
	respond "500 Server Internal Error" bob-ifc
	echo '  <recv request="ACK"/>'
	echo '  <pause milliseconds="1000"/>'
	scenario_tail
} >"$WORK/bob-fails.xml"
callee bob-fails "$B"
pid=$LAST_BG
expect_status fails bob ifc-orig 500
wait_callee bob-fails "$pid"
[ "$(grep -c '^INVITE ' "$WORK/bob-fails.msg")" = 1 ] || fail "bob got the INVITE more than once"
pass "a callee's 500 behind the AS is relayed once, not taken for the AS's failure"
expect_call fails "^$ts +- +$ts 500 "

# A re-registration keeps the profile the S-CSCF has (its SAR says
# User-Data-Already-Available, the HSS sends none): the iFCs still apply.
reg_scenario rereg-alice alice alice-ifc 600 "$(md5_auth alice alice)" "" ""
expect_sipp rereg-alice "$A"
call rereg ifc-orig "$(check_hdr X-Test-AS 'test-as')"
grep -q "INVITE $(call_id_of alice-rereg)" "$WORK/as.log" || fail "the AS did not see the INVITE"
pass "after a re-registration (profile kept, not sent again) the iFC still applies"

# ...and so does the profile a restarted S-CSCF read back from its database
"$IMS_SOURCE/scripts/lab" down scscf >/dev/null
"$IMS_SOURCE/scripts/lab" up scscf >/dev/null || fail "the S-CSCF did not come back"
reg_scenario rereg-alice2 alice alice-ifc 600 "$(md5_auth alice alice)" "" ""
expect_sipp rereg-alice2 "$A"
call restored ifc-orig "$(check_hdr X-Test-AS 'test-as')"
grep -q "INVITE $(call_id_of alice-restored)" "$WORK/as.log" || fail "the AS did not see the INVITE"
pass "after an S-CSCF restart and a re-registration the restored profile's iFC applies"

no_active_call fails alice-rereg alice-restored
pass "call log: no call of this test left active"
