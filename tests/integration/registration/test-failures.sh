#!/usr/bin/env bash
# Wrong password -> 403 and no binding; unknown user -> 403 from the I-CSCF.
. "$(dirname "$0")/lib.sh"

port=$(free_port)
reg_expect reg-wrong bob bob-wrong "$(md5_auth bob not-bobs-password)" 403
expect_sipp reg-wrong "$port"
pass "a wrong password gets 403"
invite_refused inv-after-wrong bob "$port" || fail "a UE that failed to authenticate could send an INVITE"
pass "the P-CSCF keeps no registration for it (INVITE refused with 403)"

first_expect reg-unknown zed-nobody 403
expect_sipp reg-unknown "$(free_port)"
grep -q -i 'Warning:.*unknown' "$WORK/reg-unknown.msg" || fail "the 403 for an unknown user does not say why"
pass "an unknown user gets 403 with a Warning that says why"
