#!/usr/bin/env bash
# hostile.malformed: malformed, truncated, oversized and contradictory SIP
# at the P-CSCF (hostile.py), then the same P-CSCF process still registers
# a UE with SIPp.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
pid=$(pcscf_pid)
python3 "$HERE/hostile.py" || fail "hostile.py"
if [ "$(pcscf_pid)" != "$pid" ] || ! kill -0 "$pid"; then
	fail "the P-CSCF was restarted or died"
fi
sipp_registers alice alice-after-hostile
pass "the P-CSCF (pid $pid) survived every hostile message and registers"
