#!/usr/bin/env bash
# Requests inside a dialog follow the Route set through every CSCF that
# Record-Routed: after INVITE/200/ACK alice sends INFO, a re-INVITE adding
# video (200, ACK), REFER (202) and bob answers with NOTIFY (message/sipfrag)
# and sends UPDATE; then BYE.  A second call uses reliable provisional
# responses: 183 with Require: 100rel, PRACK, then 200 and ACK.
. "$(dirname "$0")/lib.sh"

A=$(free_port)
B=$(free_port)
register alice alice-dlg "$A"
register bob bob-dlg "$B"

VIDEO_SDP="$SDP_BODY
m=video [media_port+2] RTP/AVP 96
a=rtpmap:96 H264/90000"

{
	scenario_head callee
	recv_invite
	respond "200 OK" bob-dlg "Content-Type: application/sdp" "$SDP_BODY"
	echo '  <recv request="ACK"/>'
	echo '  <recv request="INFO"/>'
	respond_in_dialog "200 OK"
	echo '  <recv request="INVITE"/>'
	respond "200 OK" bob-dlg "Content-Type: application/sdp" "$VIDEO_SDP" | sed 's/\[last_To:\];tag=\[pid\]uas\[call_number\]/[last_To:]/'
	echo '  <recv request="ACK"/>'
	echo '  <recv request="REFER"/>'
	respond_in_dialog "202 Accepted"
	in_dialog_uas NOTIFY 1 bob alice bob-dlg "Event: refer
Subscription-State: terminated;reason=noresource
Content-Type: message/sipfrag" | sed 's/^Content-Length: 0$/Content-Length: [len]\n\nSIP\/2.0 200 OK/'
	echo '  <recv response="200"/>'
	in_dialog_uas UPDATE 2 bob alice bob-dlg
	echo '  <recv response="200"/>'
	echo '  <recv request="BYE"/>'
	respond_in_dialog "200 OK"
	scenario_tail
} >"$WORK/callee.xml"
{
	scenario_head caller
	invite alice bob alice-dlg
	echo '  <recv response="100" optional="true"/>'
	echo '  <recv response="200" rrs="true"/>'
	ack alice bob alice-dlg
	in_dialog_uac INFO 2 alice bob alice-dlg "Content-Type: application/dtmf-relay" "Signal=5
Duration=160"
	echo '  <recv response="200"/>'
	in_dialog_uac INVITE 3 alice bob alice-dlg "Content-Type: application/sdp" "$VIDEO_SDP"
	echo '  <recv response="100" optional="true"/>'
	echo '  <recv response="200"/>'
	in_dialog_uac ACK 3 alice bob alice-dlg
	in_dialog_uac REFER 4 alice bob alice-dlg "Refer-To: <sip:carol@$DOMAIN>"
	echo '  <recv response="202"/>'
	echo '  <recv request="NOTIFY"/>'
	respond_in_dialog "200 OK"
	echo '  <recv request="UPDATE"/>'
	respond_in_dialog "200 OK"
	in_dialog_uac BYE 5 alice bob alice-dlg
	echo '  <recv response="200"/>'
	scenario_tail
} >"$WORK/caller.xml"
callee callee "$B"
pid=$LAST_BG
expect_sipp caller "$A"
wait_callee callee "$pid"
grep -q '^SIP/2.0 200 OK' "$WORK/callee.msg" || fail "no 200 at bob"
pass "INFO, re-INVITE with video, REFER/NOTIFY, UPDATE and BYE in the dialog"

# PRACK: 183 with 100rel
{
	scenario_head callee-prack
	recv_invite "$(save_vias)"
	respond "183 Session Progress" bob-dlg "Require: 100rel
RSeq: 1
Content-Type: application/sdp" "$SDP_BODY"
	echo '  <recv request="PRACK"/>'
	respond_in_dialog "200 OK"
	cat <<MSG
  <send><![CDATA[
SIP/2.0 200 OK
$(invite_vias)
[last_From:]
[last_To:]
[last_Call-ID:]
CSeq: 1 INVITE
Contact: <sip:bob-dlg@[local_ip]:[local_port]>
Content-Length: 0

]]></send>
MSG
	echo '  <recv request="ACK"/>'
	echo '  <recv request="BYE"/>'
	respond_in_dialog "200 OK"
	scenario_tail
} >"$WORK/callee-prack.xml"
{
	scenario_head caller-prack
	invite alice bob alice-dlg "Supported: 100rel"
	echo '  <recv response="100" optional="true"/>'
	echo '  <recv response="183" rrs="true"/>'
	in_dialog_uac PRACK 2 alice bob alice-dlg "RAck: 1 1 INVITE"
	echo '  <recv response="200"/>'
	echo '  <recv response="200"/>'
	ack alice bob alice-dlg
	in_dialog_uac BYE 3 alice bob alice-dlg
	echo '  <recv response="200"/>'
	scenario_tail
} >"$WORK/caller-prack.xml"
callee callee-prack "$B"
pid=$LAST_BG
expect_sipp caller-prack "$A"
wait_callee callee-prack "$pid"
pass "183 with 100rel, PRACK, 200 and ACK"

# A request inside a dialog that carries no Route (a UE that lost its route
# set) and is addressed to bob's public identity: through the I-CSCF to
# bob's S-CSCF, which sends it to bob's contacts instead of back to the
# I-CSCF (no loop); bob's UE knows no such dialog: 481.
{
	scenario_head bob-noroute
	echo '  <recv request="MESSAGE"/>'
	respond_in_dialog "481 Call/Transaction Does Not Exist"
	scenario_tail
} >"$WORK/bob-noroute.xml"
{
	scenario_head alice-noroute
	cat <<MSG
  <send retrans="500"><![CDATA[
MESSAGE sip:bob@$DOMAIN SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
Max-Forwards: 70
From: <sip:alice@$DOMAIN>;tag=[pid]uac
To: <sip:bob@$DOMAIN>;tag=no-such-dialog
Call-ID: [call_id]
CSeq: 5 MESSAGE
Content-Length: 0

]]></send>
  <recv response="100" optional="true"/>
  <recv response="481"/>
MSG
	scenario_tail
} >"$WORK/alice-noroute.xml"
callee bob-noroute "$B"
pid=$LAST_BG
expect_sipp alice-noroute "$A"
wait_callee bob-noroute "$pid"
pass "in-dialog request without a Route, to bob's identity: delivered to bob (481), no loop"
