#!/usr/bin/env bash
# integration.lab.udp_rcvbuf — each CSCF's SIP UDP socket has the receive
# buffer of [sip] udp_rcvbuf (cfg/*.cfg; default 4 MiB), not the system's
# ~208 KB, which overflowed at 400 calls/s (docs/performance.md).  As root
# the daemons get it whatever net.core.rmem_max says (SO_RCVBUFFORCE);
# otherwise the kernel caps it at rmem_max.  The kernel reports twice the
# size set (its bookkeeping share): ss shows that figure as rb.
set -euo pipefail
. "$(dirname "$0")/../tap.sh"

SRC=${IMS_SOURCE:?IMS_SOURCE not set (run through ctest)}
rmem_max=$(cat /proc/sys/net/core/rmem_max)

for part in pcscf icscf scscf; do
	cfg=$SRC/cfg/$part.cfg
	port=$(awk -F'[=;]' '/^\[/ { sec = $0 } sec == "[sip]" && $1 ~ /^port[ \t]*$/ { gsub(/[ \t]/, "", $2); print $2; exit }' "$cfg")
	asked=$(awk -F'[=;]' '/^\[/ { sec = $0 } sec == "[sip]" && $1 ~ /^udp_rcvbuf[ \t]*$/ { gsub(/[ \t]/, "", $2); print $2; exit }' "$cfg")
	asked=${asked:-4194304}
	want=$asked
	[ "$(id -u)" -ne 0 ] && [ "$rmem_max" -lt "$want" ] && want=$rmem_max
	rb=$(ss -Huamn "sport = :$port" | grep -o '[(,]rb[0-9]*' | head -n1 | tr -dc 0-9)
	if [ -z "$rb" ]; then
		fail "$part: no UDP socket on port $port"
		continue
	fi
	check_ge "$part: UDP receive buffer on port $port (ss rb, twice the size set)" $((2 * want)) "$rb"
done
tap_done
