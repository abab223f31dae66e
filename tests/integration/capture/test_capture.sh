#!/usr/bin/env bash
# integration.capture.* — 'scripts/lab capture' records what the lab does,
# Wireshark's dissectors decode all of it, and 'scripts/ladder' draws it.
#
#   test_capture.sh register   MD5 registration of alice and AKA registration
#                              of carol (each then de-registered)
#   test_capture.sh call       bob and alice register, alice calls bob
#                              (INVITE/180/200/ACK/BYE), both de-register;
#                              'scripts/lab status' (after the capture) lists
#                              both as registered and no active call
#
# Each mode: 'scripts/lab capture FILE' runs in the background, SIPp acts as
# the UEs through the P-CSCF (127.0.0.1:4060), then the capture is stopped
# with SIGINT (as Ctrl-C does) and checked with tshark, using the "decode as"
# settings of docs/capture.md:
#   - no malformed packet, no expert-info item on any Diameter message, no
#     warning or error item on any SIP message;
#   - every payload on a SIP port decodes as SIP, on a Diameter port as
#     Diameter;
#   - every SIP transaction of the UEs' Call-IDs has its final response on
#     every hop, and the UEs' messages are all there;
#   - the Cx commands of the flow are there, each request with its answer
#     (register: UAR/UAA, MAR/MAA, SAR/SAA; call: LIR/LIA as well), the AKA
#     MAA carries Digest-AKAv1-MD5 and the SAA's User-Data decodes as XML;
# then scripts/ladder draws the capture: the SVG parses as XML, has the
# columns UE, P-CSCF, I-CSCF, S-CSCF, HSS (one UE column per UE) and one
# arrow per SIP message and per Cx message.
#
# register mode also checks 'scripts/lab logs --call-id' (the registration
# in every CSCF's log) and the operator view of 'scripts/lab status'.
#
# The captures and diagrams stay in the test's build folder
# (capture-register.pcap/.svg ...), for docs/walkthrough.md and for a look.
set -euo pipefail
. "$(dirname "$0")/../tap.sh"

MODE=${1:?usage: test_capture.sh register|call}
SRC=${IMS_SOURCE:?IMS_SOURCE not set (run through ctest)}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$PWD
W=$(mktemp -d "$OUT/work-$MODE-XXXX")
PCAP=$OUT/capture-$MODE.pcap
SVG=$OUT/capture-$MODE.svg
DOMAIN=open-ims.test
PCSCF=127.0.0.1:4060
# The decode-as settings of docs/capture.md, word for word.
# shellcheck disable=SC2054 # the commas belong to the -d arguments
DECODE=(-d udp.port==4060,sip -d tcp.port==4060,sip -d udp.port==5060,sip -d tcp.port==5060,sip
	-d udp.port==6060,sip -d tcp.port==6060,sip
	-d tcp.port==3868,diameter -d tcp.port==3869,diameter -d tcp.port==3870,diameter)
SIP_PORTS="4060 5060 6060"
DIAMETER_PORTS="3868 3869 3870"
CAP_PID=""


cleanup() {
	if [ -n "$CAP_PID" ] && kill -0 "$CAP_PID" 2>/dev/null; then
		kill -INT "$CAP_PID" 2>/dev/null || true
		sleep 1
	fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- UEs

# credentials USER: the SIPp [authentication] keyword of a default subscriber
# (IMS-FACTS.md): MD5 for alice and bob, AKA (ASCII K, OP, AMF) for carol.
credentials() {
	case $1 in
	alice | bob) echo "[authentication username=$1@$DOMAIN password=$1]" ;;
	carol) echo "[authentication username=carol@$DOMAIN aka_K=carol-aka-secret aka_OP=open-ims-test-op aka_AMF=IM]" ;;
	esac
}

# sipp_run NAME PORT SCENARIO [CSV-LINE] [sipp args...]: one SIPp call from
# 127.0.0.1:PORT to the P-CSCF; its Call-ID is "capture-NAME-...".
sipp_run() {
	local name=$1 port=$2 sf=$3 line=${4:-}
	shift 4 || shift $#
	local -a args=(-sf "$HERE/$sf" -m 1 -i 127.0.0.1 -p "$port" -nostdin -timeout 10s
		-timeout_error -cid_str "capture-$name-%u-%p@%s" -trace_err)
	if [ -n "$line" ]; then
		printf 'SEQUENTIAL\n%s\n' "$line" >"$W/$name.csv"
		args+=(-inf "$W/$name.csv")
	fi
	(cd "$W" && timeout 30 sipp "$PCSCF" "${args[@]}" "$@" >"$W/$name.out" 2>&1)
}

ue() { # ue NAME PORT SCENARIO USER: register/deregister USER
	local user=$4
	if sipp_run "$1" "$2" "$3" "$user;$DOMAIN;$(credentials "$user")"; then
		ok "SIPp $1 ($3, $user) through the P-CSCF"
	else
		fail "SIPp $1 ($3, $user) failed; $(tail -n 5 "$W"/*_errors.log 2>/dev/null | tr '\n' ' ')"
	fi
}

# ---------------------------------------------------------------- capture

start_capture() {
	local i
	rm -f "$PCAP"
	# A background job of a script ignores SIGINT; give the capture the
	# default disposition back, as an interactive Ctrl-C would find it.
	env --default-signal=INT "$SRC/scripts/lab" capture "$PCAP" >"$W/capture.log" 2>&1 &
	CAP_PID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q '^lab: capturing' "$W/capture.log" && break
		kill -0 "$CAP_PID" 2>/dev/null || break
		sleep 0.1
	done
	if grep -q '^lab: capturing' "$W/capture.log"; then
		ok "scripts/lab capture started: $(sed -n 's/^lab: capturing on \([^ ]*\).*/\1/p' "$W/capture.log")"
	else
		fail "scripts/lab capture did not start: $(cat "$W/capture.log")"
		exit 1
	fi
	sleep 0.5
}

stop_capture() {
	local i rc=0
	sleep 0.5
	kill -INT "$CAP_PID"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$CAP_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$CAP_PID" 2>/dev/null; then
		fail "scripts/lab capture still runs 10 s after SIGINT"
		kill -TERM "$CAP_PID" 2>/dev/null || true
		return
	fi
	wait "$CAP_PID" || rc=$?
	CAP_PID=""
	check "scripts/lab capture exits 0 on SIGINT" 0 "$rc"
	if grep -q "^lab: wrote $PCAP" "$W/capture.log"; then ok "it reports the file"; else
		fail "no 'wrote' line: $(cat "$W/capture.log")"
	fi
	if capinfos "$PCAP" >/dev/null 2>&1; then ok "the pcap is complete (capinfos reads it)"; else
		fail "capinfos cannot read $PCAP"
	fi
}

# ---------------------------------------------------------------- checks

ts() { tshark -r "$PCAP" -n "${DECODE[@]}" "$@" 2>/dev/null; }
count() { ts -Y "$1" | wc -l; }
in_set() { echo "{$1}"; }

check_decoding() {
	check "no malformed packet" 0 "$(count '_ws.malformed')"
	check "no expert-info item on any Diameter message" 0 "$(count 'diameter and _ws.expert')"
	check "no warning/error expert item on any SIP message" 0 \
		"$(count 'sip and _ws.expert.severity >= 0x00600000')"
	check "every datagram/segment on a SIP port decodes as SIP" 0 \
		"$(count "(udp.port in $(in_set "$SIP_PORTS") or (tcp.port in $(in_set "$SIP_PORTS") and tcp.len > 0)) and not sip")"
	check "every segment on a Diameter port decodes as Diameter" 0 \
		"$(count "tcp.port in $(in_set "$DIAMETER_PORTS") and tcp.len > 0 and not diameter")"
	check "no Diameter AVP that the dictionary does not know or finds invalid" 0 \
		"$(count 'diameter.avp.unknown or diameter.unknown_vendor or diameter.avp.code.unknown or diameter.avp.invalid-data or diameter.avp.invalid-len or diameter.avp.pad.non_zero or diameter.avp.pad.missing')"
}

# check_sip NAME MIN-REQUESTS: the messages of the Call-IDs capture-NAME-*.
check_sip() {
	local name=$1 min=$2 reqs finals
	reqs=$(count "sip.Call-ID contains \"capture-$name-\" and sip.Method")
	finals=$(count "sip.Call-ID contains \"capture-$name-\" and sip.Status-Code >= 200")
	check_ge "$name: SIP requests decoded on every hop" "$min" "$reqs"
	# Every request but ACK has exactly one final response per hop.
	local acks
	acks=$(count "sip.Call-ID contains \"capture-$name-\" and sip.Method == \"ACK\"")
	check "$name: each request (but ACK) has its final response on every hop" "$((reqs - acks))" "$finals"
}

# check_cx CODE NAME: requests and answers of a Cx command, paired.
check_cx() {
	local code=$1 name=$2 reqs ans pairs
	reqs=$(ts -Y "diameter.cmd.code == $code and diameter.flags.request == 1" -T fields -e diameter.hopbyhopid -E occurrence=a | tr ',' '\n' | sed '/^$/d' | sort)
	ans=$(ts -Y "diameter.cmd.code == $code and diameter.flags.request == 0" -T fields -e diameter.hopbyhopid -E occurrence=a | tr ',' '\n' | sed '/^$/d' | sort)
	pairs=$(comm -12 <(echo "$reqs" | sort -u) <(echo "$ans" | sort -u) | sed '/^$/d' | wc -l)
	check_ge "Cx $name decoded (requests)" 1 "$(echo "$reqs" | sed '/^$/d' | wc -l)"
	check "Cx $name: every request has its answer" "$(echo "$reqs" | sed '/^$/d' | sort -u | wc -l)" "$pairs"
}

check_register_avps() {
	check_ge "MAA for carol carries SIP-Authentication-Scheme Digest-AKAv1-MD5" 1 \
		"$(count 'diameter.cmd.code == 303 and diameter.flags.request == 0 and diameter.3GPP-SIP-Authentication-Scheme == "Digest-AKAv1-MD5"')"
	check_ge "AKA MAA carries Confidentiality-Key and Integrity-Key" 1 \
		"$(count 'diameter.cmd.code == 303 and diameter.Confidentiality-Key and diameter.Integrity-Key')"
	check_ge "MAA for alice carries a digest scheme" 1 \
		"$(count 'diameter.cmd.code == 303 and diameter.flags.request == 0 and (diameter.3GPP-SIP-Authentication-Scheme == "SIP Digest" or diameter.3GPP-SIP-Authentication-Scheme == "Digest-MD5")')"
	check_ge "SAA's User-Data decodes as XML (IMSSubscription)" 1 \
		"$(count 'diameter.cmd.code == 301 and diameter.flags.request == 0 and xml')"
}

# check_ladder UES CALL-ID UES-OF-CALL-ID: scripts/ladder on the capture,
# checked as XML.
check_ladder() {
	local ues=$1 cid=$2 cues=$3 sipn cxn out
	if "$SRC/scripts/ladder" "$PCAP" -o "$SVG" 2>"$W/ladder.err"; then ok "scripts/ladder drew $SVG"; else
		fail "scripts/ladder failed: $(cat "$W/ladder.err")"
		return
	fi
	sipn=$(ts -Y sip | wc -l)
	cxn=$(ts -Y 'diameter.applicationId == 16777216' -T fields -e diameter.cmd.code -E occurrence=a |
		tr ',' '\n' | sed '/^$/d' | wc -l)
	out=$(python3 "$HERE/svgcheck.py" "$SVG")
	check "SVG: columns" "$ues UE, P-CSCF, I-CSCF, S-CSCF, HSS" "$(sed -n 's/^columns: //p' <<<"$out")"
	check "SVG: one arrow per SIP message and per Cx message" "$((sipn + cxn))" "$(sed -n 's/^arrows: //p' <<<"$out")"
	# One registration alone: exactly the five columns of the brief.
	"$SRC/scripts/ladder" "$PCAP" --call-id "$cid" -o "$W/one.svg" 2>/dev/null
	out=$(python3 "$HERE/svgcheck.py" "$W/one.svg")
	check "SVG of one Call-ID: the UE(s) and the four core columns" "$cues UE, P-CSCF, I-CSCF, S-CSCF, HSS" "$(sed -n 's/^columns: //p' <<<"$out")"
	check "SVG of one Call-ID: its SIP messages and the Cx messages" \
		"$(($(count "sip.Call-ID == \"$cid\"") + cxn))" "$(sed -n 's/^arrows: //p' <<<"$out")"
	check "scripts/ladder --list: one line per arrow" "$((sipn + cxn))" \
		"$("$SRC/scripts/ladder" "$PCAP" --list 2>/dev/null | wc -l)"
	check "scripts/ladder --list names the Call-ID" 1 \
		"$("$SRC/scripts/ladder" "$PCAP" --list 2>/dev/null | grep REGISTER | head -n 1 | grep -c "\[Call-ID capture-")"
	if grep -q '>REGISTER sip:open-ims.test<' "$SVG"; then ok "SVG labels: REGISTER first line"; else fail "SVG: no 'REGISTER sip:open-ims.test' label"; fi
	if grep -q '>401 Unauthorized (REGISTER)<' "$SVG"; then ok "SVG labels: 401"; else fail "SVG: no 401 label"; fi
	if grep -q '>UAR (REGISTRATION)<' "$SVG"; then ok "SVG labels: UAR"; else fail "SVG: no UAR label"; fi
}

first_call_id() { ts -Y "sip.Call-ID contains \"capture-$1-\"" -T fields -e sip.Call-ID | head -n1; }

# ---------------------------------------------------------------- modes

mode_register() {
	start_capture
	ue alice 25061 register.xml alice
	ue carol 25062 register.xml carol
	ue alice-off 25061 deregister.xml alice
	ue carol-off 25062 deregister.xml carol
	stop_capture
	check_decoding
	check_sip alice 6
	check_sip carol 6
	check_cx 300 UAR/UAA
	check_cx 303 MAR/MAA
	check_cx 301 SAR/SAA
	check_register_avps
	check_ladder 2 "$(first_call_id alice)" 1
	check_operator_view "$(first_call_id alice)"
}

# scripts/lab logs and status, on what this test just did.
check_operator_view() {
	local cid=$1 parts
	parts=$("$SRC/scripts/lab" logs --call-id "$cid" --only --no-follow -n 100000 2>/dev/null |
		awk '{ print $1 }' | sort -u | xargs)
	check "scripts/lab logs --call-id: the registration in every CSCF's log" "icscf pcscf scscf" "$parts"
	"$SRC/scripts/lab" status >"$W/status.out" 2>&1 || true
	check "scripts/lab status: registered users and active calls" 2 \
		"$(grep -c -e '^Registered users:' -e '^Active calls:' "$W/status.out")"
}

mode_call() {
	local uas
	start_capture
	ue bob 25072 register.xml bob
	ue alice 25071 register.xml alice
	# bob answers on the port he registered from.
	printf 'SEQUENTIAL\nbob\n' >"$W/uas.csv"
	(cd "$W" && timeout 40 sipp -sf "$HERE/uas.xml" -inf "$W/uas.csv" -m 1 -i 127.0.0.1 -p 25072 -nostdin \
		-timeout 30s -timeout_error -trace_err >"$W/uas.out" 2>&1) &
	uas=$!
	sleep 0.5
	if sipp_run call 25071 uac.xml "alice;bob;$DOMAIN"; then ok "alice calls bob: INVITE, 200, ACK, BYE, 200"; else
		fail "the call failed: $(tail -n 8 "$W"/uac_*_errors.log 2>/dev/null | tr '\n' ' ')"
	fi
	if wait "$uas"; then ok "bob answered and took the BYE"; else fail "bob's UAS failed"; fi
	stop_capture
	# (after the capture: the status' OPTIONS probes would be UEs in the ladder)
	"$SRC/scripts/lab" status >"$W/status.out" 2>&1 || true
	check "scripts/lab status lists alice and bob as registered" 2 \
		"$(sed -n '/^Registered users:/,/^Active calls:/p' "$W/status.out" |
			grep -c -E 'sip:(alice|bob)@open-ims.test +[^ ]+ +registered')"
	check "scripts/lab status: no active call once it ended (S-CSCF call log)" "none (S-CSCF call log)" \
		"$(sed -n '/^Active calls:/{n;s/^ *//;p}' "$W/status.out")"
	ue alice-off 25071 deregister.xml alice
	ue bob-off 25072 deregister.xml bob
	check_decoding
	check_sip call 3
	check_cx 300 UAR/UAA
	check_cx 303 MAR/MAA
	check_cx 301 SAR/SAA
	check_cx 302 LIR/LIA
	check_ladder 2 "$(first_call_id call)" 2
	local label
	for label in '>INVITE sip:bob@open-ims.test<' '>180 Ringing (INVITE)<' '>200 OK (INVITE)<' '>LIR<' '>LIA 2001<'; do
		if grep -q "$label" "$SVG"; then ok "SVG labels: $label"; else fail "SVG: no $label label"; fi
	done
}

case $MODE in
register) mode_register ;;
call) mode_call ;;
*)
	echo "usage: test_capture.sh register|call" >&2
	exit 2
	;;
esac

echo "1..$n"
if [ $failures -ne 0 ]; then
	echo "# $failures of $n checks failed; capture $PCAP, work files $W"
	exit 1
fi
rm -rf "$W"
echo "# all $n checks passed; capture $PCAP, diagram $SVG"
