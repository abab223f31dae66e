#!/usr/bin/env bash
# Calls that do not connect: CANCEL before the answer (the caller gets 487,
# the callee the CANCEL), busy 486 and decline 603 relayed to the caller,
# an unknown callee (404), a registered user's identity that has no binding
# (dave, not registered: 480), and an INVITE from a UE that never
# registered (403 at the P-CSCF).  The call log has their statuses.
. "$(dirname "$0")/lib.sh"

A=$(free_port)
B=$(free_port)
register alice alice-fail "$A"
register bob bob-fail "$B"

# caller_expect NAME TO STATUS: INVITE, provisional responses, STATUS, ACK
caller_expect() {
	{
		scenario_head "$1"
		invite alice "$2" alice-fail
		echo '  <recv response="100" optional="true"/>'
		echo '  <recv response="180" optional="true"/>'
		echo "  <recv response=\"$3\"/>"
		ack_failure alice "$2"
		scenario_tail
	} >"$WORK/$1.xml"
}

# callee_reject NAME STATUS: ringing, then STATUS; takes the ACK
callee_reject() {
	{
		scenario_head "$1"
		recv_invite
		respond "180 Ringing" bob-fail
		respond "$2" bob-fail
		echo '  <recv request="ACK"/>'
		scenario_tail
	} >"$WORK/$1.xml"
}

for st in "486 Busy Here" "603 Decline"; do
	code=${st%% *}
	callee_reject "callee$code" "$st"
	caller_expect "caller$code" bob "$code"
	callee "callee$code" "$B"
	pid=$LAST_BG
	expect_sipp "caller$code" "$A"
	wait_callee "callee$code" "$pid"
	pass "$st from bob relayed to alice"
done

# CANCEL before the answer
{
	scenario_head callee-cancel
	# the 487 answers the INVITE: its Via set, not the CANCEL's (one hop)
	recv_invite "$(save_vias)"
	respond "180 Ringing" bob-fail
	echo '  <recv request="CANCEL"/>'
	respond_in_dialog "200 OK"
	cat <<MSG
  <send><![CDATA[
SIP/2.0 487 Request Terminated
$(invite_vias)
[last_From:]
[last_To:];tag=[pid]uas[call_number]
[last_Call-ID:]
CSeq: 1 INVITE
Content-Length: 0

]]></send>
  <recv request="ACK"/>
MSG
	scenario_tail
} >"$WORK/callee-cancel.xml"
{
	scenario_head caller-cancel
	invite alice bob alice-fail
	echo '  <recv response="100" optional="true"/>'
	echo '  <recv response="180"/>'
	cancel_invite alice bob
	echo '  <recv response="200"/>'
	echo '  <recv response="487"/>'
	ack_failure alice bob
	scenario_tail
} >"$WORK/caller-cancel.xml"
callee callee-cancel "$B"
pid=$LAST_BG
expect_sipp caller-cancel "$A"
wait_callee callee-cancel "$pid"
pass "CANCEL before the answer: bob got the CANCEL, alice 487"

caller_expect caller404 nobody 404
expect_sipp caller404 "$A"
pass "unknown callee: 404"

caller_expect caller480 dave 480
expect_sipp caller480 "$A"
pass "callee without a registration (dave): 480"

invite_refused never-registered alice "$(free_port)" || fail "an unregistered UE's INVITE was not refused with 403"
pass "INVITE from an unregistered UE: 403 at the P-CSCF"

# the call log: unanswered calls end with their final status
ts='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+'
for c in caller486:486 caller603:603 caller-cancel:487 caller404:404 caller480:480; do
	expect_call "${c%%:*}" "^$ts +- +$ts ${c##*:} "
done
pass "imsctl calls lists 486, 603, 487, 404 and 480 with no answer time"

# A UE going around its P-CSCF: an INVITE sent straight to the S-CSCF with
# its orig Route and a forged P-Asserted-Identity, from an address that is
# not a node of the core (this host's first global IPv4 address, if any):
# 403 from the S-CSCF.
OTHER=$(ip -4 -o addr show scope global 2>/dev/null | awk '{sub(/\/.*/, "", $4); print $4; exit}')
if [ -n "$OTHER" ]; then
	{
		scenario_head bypass
		invite alice bob alice-fail "Route: <sip:orig@scscf.open-ims.test:6060;lr>
P-Asserted-Identity: <sip:alice@$DOMAIN>" | sed 's/;rport$//'
		echo '  <recv response="100" optional="true"/>'
		echo '  <recv response="403"/>'
		ack_failure alice bob
		scenario_tail
	} >"$WORK/bypass.xml"
	timeout 60 sipp 127.0.0.1:6060 -sf "$WORK/bypass.xml" -i "$OTHER" -p "$(free_port)" -m 1 \
		-timeout 30s -timeout_error -recv_timeout 10000 -nostdin -trace_err \
		-error_file "$WORK/bypass.err" -message_file "$WORK/bypass.msg" -trace_msg \
		>"$WORK/bypass.log" 2>&1 || fail "INVITE from $OTHER straight to the S-CSCF was not refused with 403"
	pass "INVITE from $OTHER straight to the S-CSCF (orig Route, forged identity): 403"
else
	echo "skip: no global IPv4 address to send from outside the core"
fi
