#!/usr/bin/env bash
# Re-registration, two devices for one user, de-registration of one device
# (the P-CSCF forgets it, the other stays).
. "$(dirname "$0")/lib.sh"

p1=$(free_port)
p2=$(free_port)
reg_scenario dev1 bob bob-dev1 600 "$(md5_auth bob bob)"
expect_sipp dev1 "$p1"
reg_scenario dev1-again bob bob-dev1 600 "$(md5_auth bob bob)"
expect_sipp dev1-again "$p1"
pass "re-registration of the same contact"

reg_scenario dev2 bob bob-dev2 600 "$(md5_auth bob bob)" "" \
	"$(check_msg 'Contact:[^\n]*bob-dev1@')
$(check_msg 'Contact:[^\n]*bob-dev2@')"
expect_sipp dev2 "$p2"
pass "two devices: the 200 lists both contacts"

reg_scenario dev1-off bob bob-dev1 0 "$(md5_auth bob bob)"
expect_sipp dev1-off "$p1"
if grep -A30 'SIP/2.0 200' "$WORK/dev1-off.msg" | grep -q 'bob-dev1@.*expires=[1-9]'; then
	fail "the de-registered contact is still bound"
fi
invite_refused inv-dev1-off bob "$p1" || fail "the de-registered device can still send requests"
pass "de-registration of one device: unbound and forgotten by the P-CSCF"

reg_scenario dev2-off bob bob-dev2 0 "$(md5_auth bob bob)"
expect_sipp dev2-off "$p2"
pass "the last device de-registers"
