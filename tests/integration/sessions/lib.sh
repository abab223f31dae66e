# Shared by the session tests: SIPp UEs registered through the core (MD5),
# a caller (UAC) and callees (UAS) exchanging requests through
# P-CSCF -> S-CSCF -> I-CSCF -> S-CSCF -> P-CSCF.  Sourced by each test-*.sh
# (fixture lab.full).  Builds on the registration tests' helpers.
. "$(dirname "${BASH_SOURCE[0]}")/../registration/lib.sh"

UES=()     # "user cuser port" of every UE registered here (de-registered at exit)
BG_PIDS=() # background SIPp callees

cleanup() {
	local ue pid
	for pid in "${BG_PIDS[@]}"; do
		# the subshell's child is timeout(1), which passes SIGTERM to SIPp
		pkill -TERM -P "$pid" 2>/dev/null || true
		kill "$pid" 2>/dev/null || true
	done
	for ue in "${UES[@]}"; do
		# shellcheck disable=SC2086
		set -- $ue
		reg_scenario "dereg-$2" "$1" "$2" 0 "$(md5_auth "$1" "$1")" "" ""
		run_sipp "dereg-$2" "$3" || echo "warning: de-registration of $2 failed" >&2
	done
	[ -z "${CLEANUP_HOOK:-}" ] || "$CLEANUP_HOOK" || echo "warning: $CLEANUP_HOOK failed" >&2
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

# register USER CONTACT_USER PORT: the UE on 127.0.0.1:PORT registers
# (MD5, the user's password is its name).
register() {
	local user=$1 cuser=$2 port=$3
	reg_scenario "reg-$cuser" "$user" "$cuser" 600 "$(md5_auth "$user" "$user")" "" ""
	expect_sipp "reg-$cuser" "$port"
	UES+=("$user $cuser $port")
}

# callee NAME PORT [SIPP-ARGS...]: run scenario NAME as a UE in the
# background on PORT, and return once it listens there (at most 10 s).
callee() {
	local name=$1 port=$2 i
	shift 2
	run_sipp "$name" "$port" "$@" &
	BG_PIDS+=($!)
	LAST_BG=$!
	for i in $(seq 1 100); do
		ss -Hlun "sport = :$port" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	fail "callee $name does not listen on $port"
}

# wait_callee NAME PID: the background UE must have succeeded.
wait_callee() {
	local name=$1 pid=$2
	if ! wait "$pid"; then
		echo "--- sipp $name (callee) failed; messages:" >&2
		tail -n 80 "$WORK/$name.msg" >&2 2>/dev/null || true
		cat "$WORK/$name.err" >&2 2>/dev/null || true
		fail "callee scenario $name"
	fi
}

SDP_BODY='v=0
o=ue 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0
a=rtpmap:0 PCMU/8000'

# ---- caller (UAC) pieces: FROM TO are user names; CUSER its contact user ----

# invite FROM TO CUSER [EXTRA_HEADER_LINES]
invite() {
	cat <<MSG
  <send retrans="500"><![CDATA[
INVITE sip:$2@$DOMAIN SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK[pid]inv[call_number];rport
Max-Forwards: 70
From: <sip:$1@$DOMAIN>;tag=[pid]uac[call_number]
To: <sip:$2@$DOMAIN>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:$3@[local_ip]:[local_port]>
${4:+$4
}Content-Type: application/sdp
Content-Length: [len]

$SDP_BODY

]]></send>
MSG
}

# in_dialog_uac METHOD CSEQ FROM TO CUSER [EXTRA_HEADER_LINES] [BODY]: a request
# of the caller in its dialog (route set from the 2xx).
in_dialog_uac() {
	local method=$1 cseq=$2 from=$3 to=$4 cuser=$5 extra=${6:-} body=${7:-} retrans=' retrans="500"'
	[ "$method" != ACK ] || retrans=
	cat <<MSG
  <send$retrans><![CDATA[
$method [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
[routes]
Max-Forwards: 70
From: <sip:$from@$DOMAIN>;tag=[pid]uac[call_number]
To: <sip:$to@$DOMAIN>[peer_tag_param]
Call-ID: [call_id]
CSeq: $cseq $method
Contact: <sip:$cuser@[local_ip]:[local_port]>
${extra:+$extra
}Content-Length: [len]
${body:+
$body
}
]]></send>
MSG
}

# ack FROM TO CUSER: ACK for the 2xx
ack() {
	cat <<MSG
  <send><![CDATA[
ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
[routes]
Max-Forwards: 70
From: <sip:$1@$DOMAIN>;tag=[pid]uac[call_number]
To: <sip:$2@$DOMAIN>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: <sip:$3@[local_ip]:[local_port]>
Content-Length: 0

]]></send>
MSG
}

# invite_hop METHOD FROM TO TO_TAG: a request of the INVITE's own
# transaction (its branch, CSeq 1), as ACK of a non-2xx and CANCEL are
invite_hop() {
	cat <<MSG
  <send><![CDATA[
$1 sip:$3@$DOMAIN SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK[pid]inv[call_number];rport
Max-Forwards: 70
From: <sip:$2@$DOMAIN>;tag=[pid]uac[call_number]
To: <sip:$3@$DOMAIN>$4
Call-ID: [call_id]
CSeq: 1 $1
Content-Length: 0

]]></send>
MSG
}

# ack_failure FROM TO: ACK of a non-2xx final response (hop by hop)
ack_failure() { invite_hop ACK "$1" "$2" '[peer_tag_param]'; }

# cancel_invite FROM TO: the caller's CANCEL of its INVITE
cancel_invite() { invite_hop CANCEL "$1" "$2" ''; }

# ---- callee (UAS) pieces ----

# respond STATUS CUSER [EXTRA_HEADER_LINES] [BODY]: answer the last request
respond() {
	local status=$1 cuser=$2 extra=${3:-} body=${4:-}
	cat <<MSG
  <send><![CDATA[
SIP/2.0 $status
[last_Via:]
[last_Record-Route:]
[last_From:]
[last_To:];tag=[pid]uas[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:$cuser@[local_ip]:[local_port]>
${extra:+$extra
}Content-Length: [len]
${body:+
$body
}
]]></send>
MSG
}

# respond_in_dialog STATUS: answer a request inside the dialog (To has our tag)
respond_in_dialog() {
	cat <<MSG
  <send><![CDATA[
SIP/2.0 $1
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
MSG
}

# in_dialog_uas METHOD CSEQ FROM TO CUSER [EXTRA]: a request of the callee in
# its dialog (FROM = callee user; the caller's tag saved as $ftag from the
# INVITE; route set from the INVITE's Record-Route).
in_dialog_uas() {
	local method=$1 cseq=$2 from=$3 to=$4 cuser=$5 extra=${6:-}
	cat <<MSG
  <send retrans="500"><![CDATA[
$method [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
[routes]
Max-Forwards: 70
From: <sip:$from@$DOMAIN>;tag=[pid]uas[call_number]
To: <sip:$to@$DOMAIN>;tag=[\$ftag]
Call-ID: [call_id]
CSeq: $cseq $method
Contact: <sip:$cuser@[local_ip]:[local_port]>
${extra:+$extra
}Content-Length: 0

]]></send>
MSG
}

# recv_invite [CHECK_ACTIONS]: the callee takes the INVITE, keeps the route
# set, the caller's tag ($ftag) and the Call-ID
recv_invite() {
	cat <<MSG
  <recv request="INVITE" rrs="true">
    <action>
      <ereg regexp="tag=([^; ]*)" search_in="hdr" header="From:" assign_to="junk,ftag"/>
${1:-}
    </action>
  </recv>
  <Reference variables="junk,ftag"/>
MSG
}

# save_vias: recv actions keeping the six Vias an INVITE has at a callee
# (P, S, I, S, P, caller) as $v1..$v6, for a final response sent after
# another request (CANCEL, PRACK) came in; invite_vias: those Via lines.
save_vias() {
	local i
	for i in 1 2 3 4 5 6; do
		printf '      <ereg regexp=".*" search_in="hdr" header="Via:" occurrence="%d" assign_to="v%d"/>\n' $i $i
	done
}
invite_vias() { printf 'Via: [$v%d]\n' 1 2 3 4 5 6; }

scenario_head() { printf '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="%s">\n' "$1"; }
scenario_tail() { printf '</scenario>\n'; }

# call_id_of NAME: the Call-ID of the INVITE scenario NAME sent
call_id_of() {
	awk '/^INVITE /{inv=1} inv && /^Call-ID:/{sub(/^Call-ID: */, ""); sub(/\r$/, ""); print; exit}' \
		"$WORK/$1.msg"
}

# expect_call NAME REGEXP: within 5 s, 'imsctl calls' lists the call of
# scenario NAME on a line matching REGEXP (the writer thread is
# asynchronous).
expect_call() {
	local cid line i
	cid=$(call_id_of "$1")
	for i in $(seq 1 25); do
		line=$("$IMS_SOURCE/scripts/imsctl" calls --last 50 | grep -F " $cid" || true)
		if [ -n "$line" ] && grep -Eq -- "$2" <<<"$line"; then
			return 0
		fi
		sleep 0.2
	done
	"$IMS_SOURCE/scripts/imsctl" calls --last 10 >&2 || true
	fail "call log: no line for $cid matching '$2' (got: ${line:-none})"
}

# no_active_call NAME...: within 5 s, the call log has an end time for the
# call of every INVITE scenario NAME (what 'scripts/lab status' lists as
# active calls are the rows without one).
no_active_call() {
	local ids= name cid open i
	for name in "$@"; do
		cid=$(call_id_of "$name")
		[ -n "$cid" ] || fail "no Call-ID in scenario $name"
		ids+="${ids:+, }'${cid//\'/\'\'}'"
	done
	for i in $(seq 1 25); do
		open=$("$IMS_SOURCE/scripts/db" sql ims_scscf -N -B -e \
			"SELECT call_id FROM calls WHERE ended_at IS NULL AND call_id IN ($ids)")
		[ -n "$open" ] || return 0
		sleep 0.2
	done
	"$IMS_SOURCE/scripts/imsctl" calls --last 20 >&2 || true
	fail "call log: still active (no end time): $(tr '\n' ' ' <<<"$open")"
}
