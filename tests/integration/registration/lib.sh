# Shared by the registration tests: SIPp as the UE, through the P-CSCF.
# Sourced by each test-*.sh; the test lab runs (fixture lab.full).
set -euo pipefail

PCSCF=${PCSCF:-127.0.0.1:4060}
DOMAIN=open-ims.test
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ims-reg.XXXXXX")
# Bindings a test leaves are removed when it ends, so that the tests sharing
# the lab (fixture lab.full) do not see each other's registrations.
CLEANUP=()
cleanup() {
	local entry user cuser auth port
	for entry in "${CLEANUP[@]}"; do
		IFS='|' read -r user cuser auth port <<<"$entry"
		reg_scenario "cleanup-$cuser" "$user" "$cuser" 0 "$auth"
		run_sipp "cleanup-$cuser" "$port" || true
	done
	[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
# forget_later USER CONTACT_USER AUTH_KEYWORD PORT: de-register at the end.
forget_later() { CLEANUP+=("$1|$2|$3|$4"); }

fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}
pass() { printf 'ok: %s\n' "$*"; }

# A free UDP port for SIPp (outside the lab's ports).
free_port() {
	python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# scenario NAME: write $WORK/NAME.xml from stdin (a SIPp scenario).
scenario() { cat >"$WORK/$1.xml"; }

# run_sipp NAME PORT [extra sipp args]: run one call of scenario NAME as a UE
# on 127.0.0.1:PORT; stdout/err to $WORK/NAME.log.  Returns SIPp's status.
run_sipp() {
	local name=$1 port=$2
	shift 2
	timeout 60 sipp "$PCSCF" -sf "$WORK/$name.xml" -i 127.0.0.1 -p "$port" -m 1 \
		-timeout 30s -timeout_error -recv_timeout 10000 -nostdin -trace_err \
		-error_file "$WORK/$name.err" -message_file "$WORK/$name.msg" -trace_msg \
		"$@" >"$WORK/$name.log" 2>&1
}

# expect_sipp NAME PORT ...: run and fail the test with the logs if it fails.
expect_sipp() {
	local name=$1
	if ! run_sipp "$@"; then
		echo "--- sipp $name failed; messages:" >&2
		tail -n 80 "$WORK/$name.msg" >&2 2>/dev/null || true
		cat "$WORK/$name.err" >&2 2>/dev/null || true
		fail "scenario $name"
	fi
}

# The REGISTER a UE sends, with an optional Authorization line ($5) and
# Expires ($4): register_msg CSEQ USER CONTACT_USER EXPIRES [AUTH_LINE]
register_msg() {
	local cseq=$1 user=$2 cuser=$3 expires=$4 auth=${5:-}
	cat <<MSG
      REGISTER sip:$DOMAIN SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      Max-Forwards: 70
      From: <sip:$user@$DOMAIN>;tag=[pid]$cuser
      To: <sip:$user@$DOMAIN>
      Call-ID: [call_id]
      CSeq: $cseq REGISTER
      Contact: <sip:$cuser@[local_ip]:[local_port]>;expires=$expires
      Expires: $expires
      Supported: path
      User-Agent: ims-core-test
${auth:+      $auth
}      Content-Length: 0

MSG
}

# A complete challenge-response registration: reg_scenario NAME USER
# CONTACT_USER EXPIRES AUTH_KEYWORD [FIRST_AUTH_LINE] [CHECKS]
# AUTH_KEYWORD is SIPp's [authentication ...]; CHECKS are <action> lines
# applied to the 200.
reg_scenario() {
	local name=$1 user=$2 cuser=$3 expires=$4 auth=$5 first=${6:-} checks=${7:-} used=""
	[ -z "$checks" ] || used='<Reference variables="chk"/>'
	scenario "$name" <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="$name">
  <send retrans="500"><![CDATA[
$(register_msg 1 "$user" "$cuser" "$expires" "$first")
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="401" auth="true"/>
  <send retrans="500"><![CDATA[
$(register_msg 2 "$user" "$cuser" "$expires" "$auth")
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="200">
    <action>
$checks
    </action>
  </recv>
  $used
</scenario>
XML
}

# check_hdr HEADER REGEXP: a SIPp action that fails the call unless the
# header matches (the match goes to the variable chk, which the scenario
# marks as used).
check_hdr() {
	printf '      <ereg regexp="%s" search_in="hdr" header="%s:" check_it="true" assign_to="chk"/>\n' \
		"$2" "$1"
}

# check_msg REGEXP: the same over the whole message (every header line).
check_msg() {
	printf '      <ereg regexp="%s" search_in="msg" check_it="true" assign_to="chk"/>\n' "$1"
}

md5_auth() { echo "[authentication username=$1@$DOMAIN password=$2]"; }
aka_auth() { echo "[authentication username=$1@$DOMAIN aka_K=$2 aka_OP=open-ims-test-op aka_AMF=IM]"; }

# reg_expect NAME USER CONTACT_USER AUTH_KEYWORD STATUS: challenge, answer,
# and expect STATUS (e.g. 403 for a wrong password).
reg_expect() {
	local name=$1 user=$2 cuser=$3 auth=$4 status=$5
	scenario "$name" <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="$name">
  <send retrans="500"><![CDATA[
$(register_msg 1 "$user" "$cuser" 600)
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="401" auth="true"/>
  <send retrans="500"><![CDATA[
$(register_msg 2 "$user" "$cuser" 600 "$auth")
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="$status"/>
</scenario>
XML
}

# first_expect NAME USER STATUS: the first REGISTER alone gets STATUS.
first_expect() {
	local name=$1 user=$2 status=$3
	scenario "$name" <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="$name">
  <send retrans="500"><![CDATA[
$(register_msg 1 "$user" "$user" 600)
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="$status"/>
</scenario>
XML
}

# An INVITE from the UE on PORT: the P-CSCF answers 403 unless the UE is
# registered.  invite_refused NAME USER PORT
invite_refused() {
	local name=$1 user=$2 port=$3
	scenario "$name" <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="$name">
  <send retrans="500"><![CDATA[
      INVITE sip:nobody@$DOMAIN SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      Max-Forwards: 70
      From: <sip:$user@$DOMAIN>;tag=[pid]
      To: <sip:nobody@$DOMAIN>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:$user@[local_ip]:[local_port]>
      Content-Length: 0

  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="403"/>
  <send><![CDATA[
      ACK sip:nobody@$DOMAIN SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      Max-Forwards: 70
      From: <sip:$user@$DOMAIN>;tag=[pid]
      To: <sip:nobody@$DOMAIN>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Content-Length: 0

  ]]></send>
</scenario>
XML
	run_sipp "$name" "$port"
}
