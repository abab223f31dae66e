#!/usr/bin/env bash
# sessions.retrans2xx: a retransmitted 200 to an INVITE crosses every proxy
# back to the caller (retrans2xx.py), and the core still registers after.
# shellcheck source=../hostile/lib.sh
. "$(dirname "$0")/../hostile/lib.sh"
python3 "$(dirname "$0")/retrans2xx.py" || fail "retrans2xx.py"
sipp_registers bob bob-after-retrans2xx
pass "a retransmitted 2xx reached the caller through P, S, I, S, P"
