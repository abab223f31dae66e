#!/usr/bin/env bash
# Basic calls alice -> bob through P -> S -> I -> S -> P: INVITE/180/200/ACK,
# BYE from the caller, then a second call with BYE from the callee.  alice
# sends a spoofed P-Asserted-Identity naming bob: bob sees alice's
# registered identity instead.  A third call dials bob's tel URI.  The
# calls are in the call log.
. "$(dirname "$0")/lib.sh"

A=$(free_port)
B=$(free_port)
register alice alice-basic "$A"
register bob bob-basic "$B"

# bob answers and alice hangs up
{
	scenario_head callee1
	recv_invite "$(check_hdr P-Asserted-Identity 'sip:alice@open-ims\.test')"
	respond "180 Ringing" bob-basic
	respond "200 OK" bob-basic "Content-Type: application/sdp" "$SDP_BODY"
	echo '  <recv request="ACK"/>'
	echo '  <recv request="BYE"/>'
	respond_in_dialog "200 OK"
	echo '  <Reference variables="chk"/>'
	scenario_tail
} >"$WORK/callee1.xml"
{
	scenario_head caller1
	invite alice bob alice-basic "P-Asserted-Identity: <sip:bob@$DOMAIN>"
	echo '  <recv response="100" optional="true"/>'
	echo '  <recv response="180" optional="true"/>'
	echo '  <recv response="200" rrs="true"/>'
	ack alice bob alice-basic
	echo '  <pause milliseconds="300"/>'
	in_dialog_uac BYE 2 alice bob alice-basic
	echo '  <recv response="200"/>'
	scenario_tail
} >"$WORK/caller1.xml"
callee callee1 "$B"
pid=$LAST_BG
expect_sipp caller1 "$A"
wait_callee callee1 "$pid"
grep -q 'P-Asserted-Identity: <sip:bob' "$WORK/callee1.msg" && fail "bob saw the spoofed identity"
pass "call alice -> bob answered, BYE from the caller; bob saw alice's asserted identity"
grep -qi '^Record-Route:.*scscf' "$WORK/callee1.msg" || fail "no Record-Route of the S-CSCF at bob"

# bob answers and hangs up
{
	scenario_head callee2
	recv_invite
	respond "200 OK" bob-basic "Content-Type: application/sdp" "$SDP_BODY"
	echo '  <recv request="ACK"/>'
	echo '  <pause milliseconds="300"/>'
	in_dialog_uas BYE 1 bob alice bob-basic
	echo '  <recv response="200"/>'
	scenario_tail
} >"$WORK/callee2.xml"
{
	scenario_head caller2
	invite alice bob alice-basic
	echo '  <recv response="100" optional="true"/>'
	echo '  <recv response="180" optional="true"/>'
	echo '  <recv response="200" rrs="true"/>'
	ack alice bob alice-basic
	echo '  <recv request="BYE"/>'
	respond_in_dialog "200 OK"
	scenario_tail
} >"$WORK/caller2.xml"
callee callee2 "$B"
pid=$LAST_BG
expect_sipp caller2 "$A"
wait_callee callee2 "$pid"
pass "call alice -> bob answered, BYE from the callee"

# bob called by his tel URI (same implicit set): home target, I-CSCF, LIR
# for tel:+15550002, bob's bindings
{
	scenario_head callee3
	recv_invite "$(check_hdr To 'sip:bob@open-ims\.test')"
	respond "200 OK" bob-basic "Content-Type: application/sdp" "$SDP_BODY"
	echo '  <recv request="ACK"/>'
	echo '  <recv request="BYE"/>'
	respond_in_dialog "200 OK"
	echo '  <Reference variables="chk"/>'
	scenario_tail
} >"$WORK/callee3.xml"
{
	scenario_head caller3
	invite alice bob alice-basic | sed 's|^INVITE sip:bob@open-ims.test |INVITE tel:+15550002 |'
	echo '  <recv response="100" optional="true"/>'
	echo '  <recv response="200" rrs="true"/>'
	ack alice bob alice-basic
	in_dialog_uac BYE 2 alice bob alice-basic
	echo '  <recv response="200"/>'
	scenario_tail
} >"$WORK/caller3.xml"
callee callee3 "$B"
pid=$LAST_BG
expect_sipp caller3 "$A"
wait_callee callee3 "$pid"
grep -q '^INVITE sip:bob-basic@' "$WORK/callee3.msg" || fail "bob's INVITE is not addressed to his contact"
pass "call to tel:+15550002 reached bob's contact"

# the call log: answered (a start, an answer, an end time, status 200)
ts='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+'
expect_call caller1 "^$ts $ts $ts 200 +sip:alice@open-ims\.test +sip:bob@open-ims\.test "
expect_call caller2 "^$ts $ts $ts 200 "
expect_call caller3 "^$ts $ts $ts 200 +sip:alice@open-ims\.test +tel:\+15550002 "
pass "imsctl calls lists the calls with their start, answer, end and status"
