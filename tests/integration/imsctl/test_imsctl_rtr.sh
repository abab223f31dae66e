#!/usr/bin/env bash
# integration.imsctl.deregister — imsctl against the whole lab (fixture
# lab.full): a subscriber added with imsctl registers with MD5 through
# P -> I -> S-CSCF -> HSS (SIPp), 'imsctl online' shows it at the S-CSCF,
# 'imsctl push' gets a PPA, 'imsctl deregister' makes the HSS send an RTR
# that the S-CSCF accepts: the HSS marks it not registered and the S-CSCF's
# stored bindings are gone.  The subscriber is deleted again.
#
# Uses the SIPp helpers of tests/integration/registration/lib.sh.
. "$(dirname "$0")/../registration/lib.sh"
set +e

SRC=${IMS_SOURCE:?IMS_SOURCE not set (run through ctest)}
IMSCTL=$SRC/scripts/imsctl
USER_NAME=t6rtr
IMPU=sip:$USER_NAME@$DOMAIN
trap '"$IMSCTL" delete "$USER_NAME" --force >/dev/null 2>&1; rm -rf "$WORK"' EXIT

sql() { "$SRC/scripts/db" sql "$1" --batch --skip-column-names --raw -e "$2"; }

"$IMSCTL" delete "$USER_NAME" --force >/dev/null 2>&1
"$IMSCTL" add "$USER_NAME" --password t6rtr-pw || fail "imsctl add"
pass "imsctl add $USER_NAME"

reg_scenario reg-t6 "$USER_NAME" t6rtr-dev 600 "$(md5_auth "$USER_NAME" t6rtr-pw)"
expect_sipp reg-t6 "$(free_port)"
pass "$USER_NAME registered with MD5 through the lab with the password imsctl stored"

out=$("$IMSCTL" online) || fail "imsctl online"
grep -E "^$IMPU +$USER_NAME@$DOMAIN +registered +sip:scscf\.open-ims\.test:6060" <<<"$out" >/dev/null ||
	fail "imsctl online does not show $IMPU registered at the S-CSCF: $out"
pass "imsctl online shows $IMPU registered at sip:scscf.open-ims.test:6060"

out=$("$IMSCTL" push "$USER_NAME" 2>&1) || fail "imsctl push: $out"
pass "imsctl push: $out"

out=$("$IMSCTL" deregister "$USER_NAME" --reason "imsctl test" 2>&1) || fail "imsctl deregister: $out"
pass "imsctl deregister: $out"

state=$(sql ims_hss "SELECT reg_state FROM impu WHERE identity='$IMPU'")
[ "$state" = not_registered ] || fail "the HSS still has $IMPU as $state"
out=$("$IMSCTL" online)
grep -q "$IMPU" <<<"$out" && fail "imsctl online still shows $IMPU: $out"
pass "the HSS marked $IMPU not registered; online no longer lists it"

n=$(sql ims_scscf "SELECT COUNT(*) FROM contact WHERE impu='$IMPU'" 2>/dev/null || echo 0)
[ "${n:-0}" = 0 ] || fail "the S-CSCF still stores $n binding(s) of $IMPU"
pass "the S-CSCF dropped the bindings"

out=$("$IMSCTL" deregister "$USER_NAME" 2>&1) && fail "a second deregister succeeded: $out"
grep -q "not registered" <<<"$out" || fail "a second deregister: unexpected message: $out"
pass "a second deregister says: $out"

"$IMSCTL" delete "$USER_NAME" || fail "imsctl delete"
pass "imsctl delete $USER_NAME"
