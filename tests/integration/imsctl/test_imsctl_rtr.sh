#!/usr/bin/env bash
# integration.imsctl.deregister — imsctl against the whole lab (fixture
# lab.full): a subscriber added with imsctl registers with MD5 through
# P -> I -> S-CSCF -> HSS (SIPp as the UE), 'imsctl online' shows it at the
# S-CSCF, 'imsctl push' gets a PPA, 'imsctl deregister' makes the HSS send
# an RTR that the S-CSCF accepts: the HSS marks it not registered and the
# S-CSCF's stored bindings are gone.  The subscriber is deleted again.
set -uo pipefail

SRC=${IMS_SOURCE:?IMS_SOURCE not set (run through ctest)}
IMSCTL=$SRC/scripts/imsctl
PCSCF=${PCSCF:-127.0.0.1:4060}
DOMAIN=open-ims.test
NAME=t6rtr
PW=t6rtr-pw
IMPU=sip:$NAME@$DOMAIN
WORK=$(mktemp -d "${TMPDIR:-/tmp}/imsctl-rtr.XXXXXX")
trap '"$IMSCTL" delete "$NAME" --force >/dev/null 2>&1; rm -rf "$WORK"' EXIT

fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}
pass() { printf 'ok: %s\n' "$*"; }
sql() { "$SRC/scripts/db" sql "$1" --batch --skip-column-names --raw -e "$2"; }
free_port() {
	python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# REGISTER CSEQ [AUTH-LINE]
register() {
	cat <<MSG
      REGISTER sip:$DOMAIN SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      Max-Forwards: 70
      From: <sip:$NAME@$DOMAIN>;tag=[pid]t6
      To: <sip:$NAME@$DOMAIN>
      Call-ID: [call_id]
      CSeq: $1 REGISTER
      Contact: <sip:$NAME@[local_ip]:[local_port]>;expires=600
      Expires: 600
      Supported: path
${2:+      $2
}      Content-Length: 0

MSG
}

cat >"$WORK/reg.xml" <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="imsctl-reg">
  <send retrans="500"><![CDATA[
$(register 1)
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="401" auth="true"/>
  <send retrans="500"><![CDATA[
$(register 2 "[authentication username=$NAME@$DOMAIN password=$PW]")
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="200"/>
</scenario>
XML

"$IMSCTL" delete "$NAME" --force >/dev/null 2>&1
"$IMSCTL" add "$NAME" --password "$PW" || fail "imsctl add"
pass "imsctl add $NAME"

if ! timeout 60 sipp "$PCSCF" -sf "$WORK/reg.xml" -i 127.0.0.1 -p "$(free_port)" -m 1 \
	-timeout 30s -timeout_error -recv_timeout 10000 -nostdin -trace_err -trace_msg \
	-error_file "$WORK/reg.err" -message_file "$WORK/reg.msg" >"$WORK/reg.log" 2>&1; then
	tail -n 60 "$WORK/reg.msg" "$WORK/reg.err" >&2 2>/dev/null
	fail "SIPp could not register $NAME with the password imsctl stored"
fi
pass "$NAME registered with MD5 through the lab with the password imsctl stored"

out=$("$IMSCTL" online) || fail "imsctl online"
grep -E "^$IMPU +$NAME@$DOMAIN +registered +sip:scscf\.open-ims\.test:6060" <<<"$out" >/dev/null ||
	fail "imsctl online does not show $IMPU registered at the S-CSCF: $out"
pass "imsctl online shows $IMPU registered at sip:scscf.open-ims.test:6060"

before=$(sql ims_scscf "SELECT COUNT(*) FROM contact WHERE impu='$IMPU'" 2>/dev/null)

out=$("$IMSCTL" push "$NAME" 2>&1) || fail "imsctl push: $out"
pass "imsctl push: $out"

out=$("$IMSCTL" deregister "$NAME" --reason "imsctl test" 2>&1) || fail "imsctl deregister: $out"
pass "imsctl deregister: $out"

state=$(sql ims_hss "SELECT reg_state FROM impu WHERE identity='$IMPU'")
[ "$state" = not_registered ] || fail "the HSS still has $IMPU as $state"
out=$("$IMSCTL" online)
grep -q "$IMPU" <<<"$out" && fail "imsctl online still shows $IMPU: $out"
pass "the HSS marked $IMPU not registered; online no longer lists it"

n=$(sql ims_scscf "SELECT COUNT(*) FROM contact WHERE impu='$IMPU'" 2>/dev/null)
[ "${n:-0}" = 0 ] || fail "the S-CSCF still stores $n binding(s) of $IMPU"
if [ "${before:-0}" -gt 0 ]; then
	pass "the S-CSCF dropped its $before stored binding(s) of $IMPU"
else
	pass "# the S-CSCF stored no binding in ims_scscf.contact before either: not checked"
fi

out=$("$IMSCTL" deregister "$NAME" 2>&1) && fail "a second deregister succeeded: $out"
grep -q "not registered" <<<"$out" || fail "a second deregister: unexpected message: $out"
pass "a second deregister says: $out"

"$IMSCTL" delete "$NAME" || fail "imsctl delete"
pass "imsctl delete $NAME"
