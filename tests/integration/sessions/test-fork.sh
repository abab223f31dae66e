#!/usr/bin/env bash
# Forking: bob has two devices; alice's INVITE rings both in parallel, the
# first to answer gets the call, the other one gets a CANCEL (and answers
# 487); alice sees one 200 and hangs up.
. "$(dirname "$0")/lib.sh"

A=$(free_port)
B1=$(free_port)
B2=$(free_port)
register alice alice-fork "$A"
register bob bob-fork1 "$B1"
register bob bob-fork2 "$B2"

{
	scenario_head answers
	recv_invite
	respond "180 Ringing" bob-fork1
	echo '  <pause milliseconds="500"/>'
	respond "200 OK" bob-fork1 "Content-Type: application/sdp" "$SDP_BODY"
	echo '  <recv request="ACK"/>'
	echo '  <recv request="BYE"/>'
	respond_in_dialog "200 OK"
	scenario_tail
} >"$WORK/answers.xml"
{
	scenario_head cancelled
	# the 487 answers the INVITE: its six Vias (P, S, I, S, P, alice)
	recv_invite "$(save_vias)"
	respond "180 Ringing" bob-fork2
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
} >"$WORK/cancelled.xml"
{
	scenario_head caller
	invite alice bob alice-fork
	echo '  <recv response="100" optional="true"/>'
	echo '  <recv response="180" optional="true"/>'
	echo '  <recv response="200" rrs="true"/>'
	ack alice bob alice-fork
	echo '  <pause milliseconds="300"/>'
	in_dialog_uac BYE 2 alice bob alice-fork
	echo '  <recv response="200"/>'
	scenario_tail
} >"$WORK/caller.xml"
callee answers "$B1"
p1=$LAST_BG
callee cancelled "$B2"
p2=$LAST_BG
expect_sipp caller "$A"
wait_callee answers "$p1"
wait_callee cancelled "$p2"
pass "forked to both of bob's devices: one answered, the other was CANCELled"
