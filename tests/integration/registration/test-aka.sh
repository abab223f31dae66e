#!/usr/bin/env bash
# Digest AKA (RFC 3310) with SIPp's aka_K/aka_OP/aka_AMF and the lab's ASCII
# credentials: carol (AKA by default) and alice asking for AKA with
# algorithm=AKAv1-MD5 in an empty Authorization header.  The UE never sees
# the cipher and integrity keys.
. "$(dirname "$0")/lib.sh"

reg_scenario reg-aka-carol carol carol-aka 600 "$(aka_auth carol carol-aka-secret)" "" \
	"$(check_hdr Service-Route 'orig@scscf')"
port=$(free_port)
expect_sipp reg-aka-carol "$port"
forget_later carol carol-aka "$(aka_auth carol carol-aka-secret)" "$port"
grep -q 'algorithm=AKAv1-MD5' "$WORK/reg-aka-carol.msg" || fail "carol was not challenged with AKAv1-MD5"
pass "carol registered with AKAv1-MD5 (her default scheme)"

ask='Authorization: Digest username="alice@open-ims.test", realm="open-ims.test", nonce="", uri="sip:open-ims.test", response="", algorithm=AKAv1-MD5'
reg_scenario reg-aka-alice alice alice-aka 600 "$(aka_auth alice alice-aka-secret)" "$ask"
port=$(free_port)
expect_sipp reg-aka-alice "$port"
forget_later alice alice-aka "$(md5_auth alice alice)" "$port" # her default scheme
grep -q 'algorithm=AKAv1-MD5' "$WORK/reg-aka-alice.msg" || fail "alice's request for AKA was ignored"
pass "alice registered with AKAv1-MD5 when she asked for it"

if grep -E -i '^WWW-Authenticate:.*(ck|ik)=' "$WORK"/reg-aka-*.msg; then
	fail "CK/IK reached the UE"
fi
pass "no ck=/ik= reached the UE"
