#!/usr/bin/env bash
# Requests outside a dialog, alice -> bob through the core: MESSAGE (pager
# mode), OPTIONS, SUBSCRIBE (presence) with bob's NOTIFY in the new dialog,
# and PUBLISH.  Each reaches bob with alice's asserted identity and bob's
# answer reaches alice.  An OPTIONS with Max-Forwards: 1 gets 483.
. "$(dirname "$0")/lib.sh"

A=$(free_port)
B=$(free_port)
register alice alice-meth "$A"
register bob bob-meth "$B"

# request METHOD [EXTRA] [BODY]: alice's initial request to bob
request() {
	local method=$1 extra=${2:-} body=${3:-}
	cat <<MSG
  <send retrans="500"><![CDATA[
$method sip:bob@$DOMAIN SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
Max-Forwards: 70
From: <sip:alice@$DOMAIN>;tag=[pid]uac[call_number]
To: <sip:bob@$DOMAIN>
Call-ID: [call_id]
CSeq: 1 $method
Contact: <sip:alice-meth@[local_ip]:[local_port]>
${extra:+$extra
}Content-Length: [len]
${body:+
$body
}
]]></send>
MSG
}

# one METHOD STATUS [EXTRA] [BODY]: bob answers STATUS
one() {
	local method=$1 status=$2 extra=${3:-} body=${4:-} code=${2%% *}
	{
		scenario_head "bob-$method"
		echo "  <recv request=\"$method\">"
		echo '    <action>'
		check_hdr P-Asserted-Identity 'sip:alice@open-ims\.test'
		echo '    </action>'
		echo '  </recv>'
		respond "$status" bob-meth
		echo '  <Reference variables="chk"/>'
		scenario_tail
	} >"$WORK/bob-$method.xml"
	{
		scenario_head "alice-$method"
		request "$method" "$extra" "$body"
		echo '  <recv response="100" optional="true"/>'
		echo "  <recv response=\"$code\"/>"
		scenario_tail
	} >"$WORK/alice-$method.xml"
	callee "bob-$method" "$B"
	local pid=$LAST_BG
	expect_sipp "alice-$method" "$A"
	wait_callee "bob-$method" "$pid"
	pass "$method alice -> bob: $status"
}

one MESSAGE "200 OK" "Content-Type: text/plain" "Hello bob, this is alice."
one OPTIONS "200 OK" "Accept: application/sdp"
one PUBLISH "200 OK" "Event: presence
Expires: 60
Content-Type: application/pidf+xml" '<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@open-ims.test"><tuple id="t1"><status><basic>open</basic></status></tuple></presence>'

# SUBSCRIBE, then NOTIFY from bob inside the subscription's dialog
{
	scenario_head bob-SUBSCRIBE
	recv_invite | sed 's/request="INVITE"/request="SUBSCRIBE"/'
	respond "200 OK" bob-meth "Expires: 60"
	# The 200 goes back along the Vias, the NOTIFY along the Record-Route
	# as a new transaction: through five proxies it can arrive first
	# (RFC 6665 4.1.2.4 lets it), and SIPp's alice expects the 200 first.
	echo '  <pause milliseconds="300"/>'
	in_dialog_uas NOTIFY 1 bob alice bob-meth "Event: presence
Subscription-State: active;expires=60"
	echo '  <recv response="200"/>'
	scenario_tail
} >"$WORK/bob-SUBSCRIBE.xml"
{
	scenario_head alice-SUBSCRIBE
	request SUBSCRIBE "Event: presence
Expires: 60
Accept: application/pidf+xml"
	echo '  <recv response="100" optional="true"/>'
	echo '  <recv response="200" rrs="true"/>'
	echo '  <recv request="NOTIFY"/>'
	respond_in_dialog "200 OK"
	scenario_tail
} >"$WORK/alice-SUBSCRIBE.xml"
callee bob-SUBSCRIBE "$B"
pid=$LAST_BG
expect_sipp alice-SUBSCRIBE "$A"
wait_callee bob-SUBSCRIBE "$pid"
pass "SUBSCRIBE alice -> bob: 200, then bob's NOTIFY in the dialog: 200"

# Max-Forwards: 1 leaves the P-CSCF with 0, and the S-CSCF answers 483
{
	scenario_head alice-maxfwd
	request OPTIONS | sed 's/^Max-Forwards: 70$/Max-Forwards: 1/'
	echo '  <recv response="100" optional="true"/>'
	echo '  <recv response="483"/>'
	scenario_tail
} >"$WORK/alice-maxfwd.xml"
expect_sipp alice-maxfwd "$A"
pass "Max-Forwards exhausted at the S-CSCF: 483"
