#!/usr/bin/env bash
# integration.deploy.lab_network — the IMS on a lab network, as
# docs/walkthrough.md sets it up, between two network namespaces this test
# creates (a "server" and a "client" machine joined by a veth pair), so that
# it touches neither the host's network nor the lab of the other tests:
#
#   1. a copy of the tree (scripts, cfg, dns, sql) is moved to the server's
#      address and a domain of its own:
#         scripts/configure --ip 10.R.0.1 --domain lab.example
#   2. scripts/lab up in the server namespace (own IMS_STATE; the daemons of
#      IMS_BUILD); 'scripts/lab status' shows the address;
#   3. scripts/dns-install into a bind folder of the test, served by a real
#      named on 10.R.0.1:53: the client resolves lab.example (NAPTR, SRV, A)
#      as a client with "nameserver 10.R.0.1" in its resolv.conf would;
#   4. from the client namespace (10.R.0.2), SIPp registers alice (MD5)
#      and carol (AKA) at 10.R.0.1:4060: 401 with realm lab.example, then
#      200 — the seed data moved to the domain too; bob registers as well and
#      alice calls him (INVITE ... BYE through the core on 10.R.0.1);
#   5. 'scripts/lab capture --seconds' on the server records it (on "any"),
#      and scripts/ladder places the client and the nodes of the configured
#      cfg/ in it;
#   6. everything stopped, dns-install --remove, configure --reset (the copy
#      is back to the original files), namespaces deleted.
#
# Needs root and 'ip netns' (exit 77 = skipped otherwise).
set -euo pipefail
. "$(dirname "$0")/../tap.sh"

SRC=${IMS_SOURCE:?IMS_SOURCE not set (run through ctest)}
BUILD=${IMS_BUILD:?IMS_BUILD not set (run through ctest)}
R=$((100 + $$ % 150))
SRV=ims-srv-$$
CLI=ims-cli-$$
SADDR=10.$R.0.1
CADDR=10.$R.0.2
DOMAIN=lab.example
W=$(mktemp -d "$PWD/work-XXXX")
ROOT=$W/tree
STATE=$W/state
BIND=$W/bind
NAMED_PID=""

if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "# skipped: needs root and ip netns"
	exit 77
fi

in_srv() { ip netns exec "$SRV" env IMS_STATE="$STATE" IMS_BUILD="$BUILD" "$@"; }
in_cli() { ip netns exec "$CLI" "$@"; }

cleanup() {
	set +e
	[ -n "$NAMED_PID" ] && kill "$NAMED_PID" 2>/dev/null && sleep 0.5
	if ip netns list 2>/dev/null | grep -q "^$SRV\b"; then
		in_srv "$ROOT/scripts/lab" down >"$W/down.log" 2>&1
	fi
	ip netns del "$CLI" 2>/dev/null
	ip netns del "$SRV" 2>/dev/null
	[ $failures -eq 0 ] && rm -rf "$W"
}
trap cleanup EXIT

# ---------------------------------------------------------------- machines

ip netns add "$SRV"
ip netns add "$CLI"
ip link add "h6s$$" netns "$SRV" type veth peer name "h6c$$" netns "$CLI"
ip -n "$SRV" addr add "$SADDR/24" dev "h6s$$"
ip -n "$CLI" addr add "$CADDR/24" dev "h6c$$"
for ns in "$SRV" "$CLI"; do
	ip -n "$ns" link set lo up
done
ip -n "$SRV" link set "h6s$$" up
ip -n "$CLI" link set "h6c$$" up
ok "namespaces $SRV ($SADDR) and $CLI ($CADDR)"

mkdir -p "$ROOT"
cp -r "$SRC/scripts" "$SRC/cfg" "$SRC/dns" "$SRC/sql" "$ROOT/"
cp -r "$ROOT" "$W/orig"

# ---------------------------------------------------------------- 1. configure

if in_srv "$ROOT/scripts/configure" --ip "$SADDR" --domain "$DOMAIN" >"$W/configure.log" 2>&1; then
	ok "scripts/configure --ip $SADDR --domain $DOMAIN"
else
	fail "configure: $(cat "$W/configure.log")"
	exit 1
fi

# ---------------------------------------------------------------- 2. lab up

if in_srv "$ROOT/scripts/lab" up >"$W/up.log" 2>&1; then ok "scripts/lab up on the configured tree"; else
	fail "scripts/lab up: $(tail -n 30 "$W/up.log")"
	exit 1
fi
in_srv "$ROOT/scripts/lab" status >"$W/status.log" 2>&1 || true
check "status shows the P-CSCF on $SADDR" 1 "$(grep -c "^pcscf .* $SADDR:4060 .*running" "$W/status.log")"
check "status has the operator view" 2 "$(grep -c -e '^Registered users:' -e '^Active calls:' "$W/status.log")"
check "the P-CSCF listens on $SADDR only" "$SADDR:4060" \
	"$(in_srv ss -Hlnu 'sport = :4060' | awk '{ print $4 }' | xargs)"

# ---------------------------------------------------------------- 3. DNS

mkdir -p "$BIND"
cat >"$BIND/named.conf" <<EOF
options {
	directory "$BIND";
	pid-file none;
	listen-on port 53 { $SADDR; };
	listen-on-v6 { none; };
	recursion no;
	dnssec-validation no;
};
controls { };
include "$BIND/named.conf.local";
EOF
: >"$BIND/named.conf.local"
if in_srv "$ROOT/scripts/dns-install" --bind-dir "$BIND" --no-reload >"$W/dns.log" 2>&1; then
	ok "scripts/dns-install --bind-dir (zone $DOMAIN)"
else
	fail "dns-install: $(cat "$W/dns.log")"
fi
ip netns exec "$SRV" named -g -4 -u root -c "$BIND/named.conf" >"$W/named.log" 2>&1 &
NAPTR=""
NAMED_PID=$!
for ((i = 0; i < 50; i++)); do
	NAPTR=$(in_cli dig @"$SADDR" +short +time=1 +tries=1 NAPTR "$DOMAIN" 2>/dev/null | grep -v '^;' | sort | xargs | tr -s ' ') || true
	[ -n "$NAPTR" ] && break
	sleep 0.2
done
check "client: NAPTR $DOMAIN (xargs drops the quotes)" "10 50 s SIP+D2U _sip._udp.$DOMAIN. 20 50 s SIP+D2T _sip._tcp.$DOMAIN." "$NAPTR"
check "client: SRV _sip._udp.$DOMAIN" "0 0 5060 icscf.$DOMAIN." "$(in_cli dig @"$SADDR" +short SRV "_sip._udp.$DOMAIN")"
check "client: A pcscf.$DOMAIN" "$SADDR" "$(in_cli dig @"$SADDR" +short A "pcscf.$DOMAIN")"
kill "$NAMED_PID" 2>/dev/null || true
wait "$NAMED_PID" 2>/dev/null || true
NAMED_PID=""
in_srv "$ROOT/scripts/dns-install" --bind-dir "$BIND" --remove --no-reload >/dev/null 2>&1
check "dns-install --remove empties named.conf.local again" 0 "$(wc -c <"$BIND/named.conf.local")"

# ---------------------------------------------------------------- 4. + 5. UEs

SF=$SRC/tests/integration/capture
in_srv "$ROOT/scripts/lab" capture "$W/lab-network.pcap" --seconds 10 >"$W/capture.log" 2>&1 &
CAP=$!
for ((i = 0; i < 50; i++)); do
	grep -q '^lab: capturing' "$W/capture.log" && break
	sleep 0.1
done
sleep 0.5
register() { # register USER AUTH PORT
	printf 'SEQUENTIAL\n%s;%s;%s\n' "$1" "$DOMAIN" "$2" >"$W/$1.csv"
	(cd "$W" && in_cli timeout 30 sipp "$SADDR:4060" -sf "$SF/register.xml" -inf "$W/$1.csv" -m 1 \
		-i "$CADDR" -p "$3" -nostdin -timeout 10s -timeout_error -trace_msg -message_file "$W/$1.msg" \
		>/dev/null 2>&1)
}
if register alice "[authentication username=alice@$DOMAIN password=alice]" 25081; then
	ok "client: alice (MD5) registers at $SADDR:4060: 401 then 200"
else
	fail "alice: $(grep -E '^(SIP/2.0|REGISTER)' "$W/alice.msg" 2>/dev/null | xargs)"
fi
check "the 401 challenges with realm $DOMAIN" 1 \
	"$(grep -c "^WWW-Authenticate: Digest realm=\"$DOMAIN\"" "$W/alice.msg" 2>/dev/null || true)"
if register carol "[authentication username=carol@$DOMAIN aka_K=carol-aka-secret aka_OP=open-ims-test-op aka_AMF=IM]" 25082; then
	ok "client: carol (AKA) registers at $SADDR:4060"
else
	fail "carol: $(grep -E '^(SIP/2.0|REGISTER)' "$W/carol.msg" 2>/dev/null | xargs)"
fi
# A call on the lab network: bob (MD5) registers from the client and answers
# on that port; alice, registered above, calls him.
if register bob "[authentication username=bob@$DOMAIN password=bob]" 25083; then
	printf 'SEQUENTIAL\nbob\n' >"$W/uas.csv"
	(cd "$W" && in_cli timeout 30 sipp -sf "$SF/uas.xml" -inf "$W/uas.csv" -m 1 -i "$CADDR" -p 25083 \
		-nostdin -timeout 20s -timeout_error >/dev/null 2>&1) &
	UAS=$!
	sleep 0.3
	printf 'SEQUENTIAL\nalice;bob;%s\n' "$DOMAIN" >"$W/call.csv"
	if (cd "$W" && in_cli timeout 30 sipp "$SADDR:4060" -sf "$SF/uac.xml" -inf "$W/call.csv" -m 1 \
		-i "$CADDR" -p 25081 -nostdin -timeout 15s -timeout_error >/dev/null 2>&1); then
		ok "client: alice calls bob@$DOMAIN through $SADDR (INVITE, 180, 200, ACK, BYE, 200)"
	else
		fail "the call on the lab network failed"
	fi
	if wait "$UAS"; then ok "client: bob answered and took the BYE"; else fail "bob's UAS failed"; fi
else
	fail "bob did not register"
fi
wait "$CAP" || true
check "capture on the server: REGISTERs from $CADDR" 6 \
	"$(tshark -r "$W/lab-network.pcap" -n -d udp.port==4060,sip -Y "sip.Method == \"REGISTER\" and ip.src == $CADDR" 2>/dev/null | wc -l)"

"$ROOT/scripts/ladder" "$W/lab-network.pcap" --list >"$W/ladder.txt" 2>&1 || true
check "ladder of the lab-network capture: alice's REGISTER from the client reaches the P-CSCF" 2 \
	"$(grep -c 'UE(alice) *-> P-CSCF *REGISTER sip:lab.example' "$W/ladder.txt")"
check "ladder: the I-CSCF asks the HSS (UAR)" 6 "$(grep -c 'I-CSCF *-> HSS *UAR' "$W/ladder.txt")"
check "ladder: the call from alice's UE, LIR at the I-CSCF" "1 1" \
	"$(grep -c 'UE(alice) *-> P-CSCF *INVITE sip:bob@lab.example' "$W/ladder.txt") $(grep -c 'I-CSCF *-> HSS *LIR' "$W/ladder.txt")"

# ---------------------------------------------------------------- 6. back

in_srv "$ROOT/scripts/lab" down >"$W/down.log" 2>&1 || true
if in_srv "$ROOT/scripts/configure" --reset >"$W/reset.log" 2>&1 &&
	diff -r "$W/orig/cfg" "$ROOT/cfg" >/dev/null && diff -r "$W/orig/dns" "$ROOT/dns" >/dev/null &&
	diff -r "$W/orig/sql" "$ROOT/sql" >/dev/null; then
	ok "configure --reset: cfg/, dns/, sql/ as before"
else
	fail "configure --reset: $(cat "$W/reset.log")"
fi

echo "1..$n"
if [ $failures -ne 0 ]; then
	echo "# $failures of $n checks failed; work files in $W"
	exit 1
fi
