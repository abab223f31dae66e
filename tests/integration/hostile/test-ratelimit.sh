#!/usr/bin/env bash
# hostile.ratelimit: the P-CSCF restarted with [pcscf] rate_limit = 20
# (a copy of cfg/), a flood from one address is limited while another UE
# registers (ratelimit.py); the P-CSCF is restarted with cfg/ at the end.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
LAB=$IMS_SOURCE/scripts/lab
RATE=20
CFG_COPY=$WORK/cfg
cp -a "$IMS_SOURCE/cfg" "$CFG_COPY"
sed -i "s/^rate_limit = 0/rate_limit = $RATE/" "$CFG_COPY/pcscf.cfg"
grep -q "^rate_limit = $RATE" "$CFG_COPY/pcscf.cfg" || fail "cfg/pcscf.cfg has no 'rate_limit = 0' line"
restore() {
	"$LAB" down pcscf >/dev/null 2>&1 || true
	"$LAB" up pcscf >/dev/null 2>&1 || echo "test: could not restart the P-CSCF with cfg/" >&2
	cleanup
}
trap restore EXIT
"$LAB" down pcscf >/dev/null
IMS_CFG=$CFG_COPY "$LAB" up pcscf >/dev/null || fail "the P-CSCF does not start with rate_limit = $RATE"
grep -q "rate limit: $RATE new requests/s" "$IMS_STATE/log/pcscf.log" || fail "no rate limit in the P-CSCF's log"
pid=$(pcscf_pid)
RATE=$RATE python3 "$HERE/ratelimit.py" || fail "ratelimit.py"
kill -0 "$pid" || fail "the P-CSCF died under the flood"
sipp_registers alice alice-after-flood
pass "a flood from one address was limited to $RATE/s; other UEs registered"
