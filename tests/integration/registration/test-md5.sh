#!/usr/bin/env bash
# alice registers with Digest MD5 through P-CSCF -> I-CSCF -> S-CSCF -> HSS:
# 200 with Service-Route, P-Associated-URI (tel URI included) and Path.
. "$(dirname "$0")/lib.sh"

checks="$(check_hdr Service-Route 'sip:orig@scscf\.open-ims\.test:6060;lr')
$(check_hdr P-Associated-URI 'sip:alice@open-ims\.test')
$(check_hdr P-Associated-URI 'tel:\+')
$(check_hdr Path 'sip:term@pcscf\.open-ims\.test:4060;lr')
$(check_hdr Contact 'expires=')"
reg_scenario reg-md5 alice alice-md5 600 "$(md5_auth alice alice)" "" "$checks"
port=$(free_port)
expect_sipp reg-md5 "$port"
forget_later alice alice-md5 "$(md5_auth alice alice)" "$port"
grep -q 'algorithm=MD5' "$WORK/reg-md5.msg" || fail "the challenge was not Digest MD5"
grep -q 'qop="auth"' "$WORK/reg-md5.msg" || fail "the challenge has no qop=auth"
pass "alice registered with MD5; 200 carries Service-Route, P-Associated-URI, Path"
