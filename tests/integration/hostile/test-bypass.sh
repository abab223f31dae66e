#!/usr/bin/env bash
# hostile.bypass: no way around the P-CSCF (bypass.py), then a normal SIPp
# registration still works.  With --scscf-register: REGISTER straight to the
# S-CSCF (hostile.bypass_scscf_register).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
python3 "$HERE/bypass.py" "$@" || fail "bypass.py $*"
sipp_registers bob bob-after-bypass
pass "every way around the P-CSCF was refused or corrected"
