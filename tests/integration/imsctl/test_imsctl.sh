#!/usr/bin/env bash
# integration.imsctl.provisioning — scripts/imsctl against the lab's MariaDB
# (fixture lab.db), every result checked in the database itself:
#
#  1. add -> show -> list -> set -> delete round trip (MD5 and AKA
#     subscribers, extra public identities, barring, scheme, SQN, OP/OPc).
#  2. refusals: bad hex, bad names (SQL metacharacters), bad URIs, empty
#     password, inconsistent schemes, unknown options (exit 2), a duplicate
#     subscriber or public identity (exit 1) — and the database unchanged.
#     A password full of quotes and SQL is stored verbatim.
#  3. a registered subscriber is not deleted without --force; online and
#     list --registered show it.
#  4. bulk-add of 1,000 users (and an overlapping one refused as a whole),
#     bulk-delete of them.
#  5. deregister/push/flush/stats without a running HSS: a clear error, exit 1;
#     a change with no HSS running says nothing about the HSS.
#  6. with ims-hss given (argument 1), an HSS of our own on a spare port and
#     a private control socket: deregister/push reach it and its answer
#     ("not registered", "unknown identity", no S-CSCF to send RTR to)
#     comes back as a clear error; flush and stats answer, and every change
#     (add, set, delete) asks that HSS to flush its cached identity pairs.
#
#   test_imsctl.sh [IMS-HSS-BINARY]
#
# Everything it adds is named t6*; it removes it again, and the counts of
# every table are compared with those before the test.
set -uo pipefail
. "$(dirname "$0")/../tap.sh"

SRC=${IMS_SOURCE:?IMS_SOURCE not set (run through ctest)}
HSS_BIN=${1:-}
IMSCTL=$SRC/scripts/imsctl
PORT=${IMS_DB_PORT:-3307}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/imsctl-test.XXXXXX")
HSS_PID=

cleanup() {
	if [ -n "$HSS_PID" ]; then
		kill -TERM "$HSS_PID" 2>/dev/null
		wait "$HSS_PID" 2>/dev/null
	fi
	"$IMSCTL" bulk-delete t6bulk 1000 --force >/dev/null 2>&1
	for u in t6ann t6cat t6dup t6reg; do "$IMSCTL" delete "$u" --force >/dev/null 2>&1; done
	rm -rf "$WORK"
}
trap cleanup EXIT

contains() { # contains DESCRIPTION NEEDLE HAYSTACK
	if [[ $3 == *"$2"* ]]; then ok "$1"; else fail "$1: no '$2' in: $3"; fi
}

# One value from the database, as the admin over the socket.
sql() { "$SRC/scripts/db" sql ims_hss --batch --skip-column-names --raw -e "$1"; }

# run EXPECTED-EXIT DESCRIPTION imsctl-args...: run, keep stdout in $out and
# stderr in $err, check the exit status.
run() {
	local want=$1 what=$2 rc
	shift 2
	out=$("$IMSCTL" "$@" 2>"$WORK/err")
	rc=$?
	err=$(cat "$WORK/err")
	if [ "$rc" = "$want" ]; then ok "$what (exit $rc)"; else
		fail "$what: exit $rc, expected $want; stdout: $out; stderr: $err"
	fi
}

counts() {
	sql "SELECT CONCAT_WS(' ', (SELECT COUNT(*) FROM imsu), (SELECT COUNT(*) FROM impi),
	     (SELECT COUNT(*) FROM impu), (SELECT COUNT(*) FROM impi_impu),
	     (SELECT COUNT(*) FROM impu_visited_network))"
}

# --------------------------------------------------------------- 0. setup
cleanup_before() { # leftovers of an interrupted run
	"$IMSCTL" bulk-delete t6bulk 1000 --force >/dev/null 2>&1
	for u in t6ann t6cat t6dup t6reg; do "$IMSCTL" delete "$u" --force >/dev/null 2>&1; done
}
cleanup_before
before=$(counts)
[ -n "$before" ] || {
	echo "not ok 1 - cannot read the database on port $PORT"
	exit 1
}
run 0 "help" --help
contains "help lists bulk-add" "bulk-add PREFIX COUNT" "$out"
run 0 "per-command help" add --help
contains "add --help names --aka-k" "--aka-k HEX" "$out"
run 2 "no command is a usage error"

# --------------------------------------------------------------- 1. round trip
PW='it'"'"'s "quoted"; DROP TABLE impi; -- \'
run 0 "add t6ann with a password full of SQL, a tel and an extra sip identity" \
	add t6ann --password "$PW" --tel +15559990001 --impu sip:t6ann.work@open-ims.test
check "password stored verbatim" "$PW" "$(sql "SELECT password FROM impi WHERE identity='t6ann@open-ims.test'")"
check "impi row: schemes, default, no ha1/k, amf" \
	"SIP Digest,Digest-MD5|SIP Digest|NULL|NULL|494d|0" \
	"$(sql "SELECT CONCAT_WS('|', auth_schemes, default_auth_scheme, IFNULL(ha1,'NULL'), IFNULL(k,'NULL'), amf, sqn) FROM impi WHERE identity='t6ann@open-ims.test'")"
check "imsu named t6ann" "1" "$(sql "SELECT COUNT(*) FROM imsu m JOIN impi i ON i.imsu_id=m.id WHERE m.name='t6ann' AND i.identity='t6ann@open-ims.test'")"
check "three public identities linked, one implicit set, profile default, not barred" \
	"3 1 default 0" \
	"$(sql "SELECT CONCAT_WS(' ', COUNT(*), COUNT(DISTINCT u.implicit_set), MIN(sp.name), MAX(u.barring)) FROM impu u JOIN impi_impu ii ON ii.impu_id=u.id JOIN impi i ON i.id=ii.impi_id JOIN service_profile sp ON sp.id=u.service_profile_id WHERE i.identity='t6ann@open-ims.test'")"
check "identities are the sip, tel and extra ones" \
	"sip:t6ann.work@open-ims.test,sip:t6ann@open-ims.test,tel:+15559990001" \
	"$(sql "SELECT GROUP_CONCAT(u.identity ORDER BY u.identity) FROM impu u JOIN impi_impu ii ON ii.impu_id=u.id JOIN impi i ON i.id=ii.impi_id WHERE i.identity='t6ann@open-ims.test'")"
check "a new implicit set, not shared with anyone else" "3" \
	"$(sql "SELECT COUNT(*) FROM impu WHERE implicit_set=(SELECT implicit_set FROM impu WHERE identity='sip:t6ann@open-ims.test')")"
check "visited network open-ims.test allowed as in the seed" "3" \
	"$(sql "SELECT COUNT(*) FROM impu_visited_network v JOIN impu u ON u.id=v.impu_id WHERE u.identity LIKE '%t6ann%' OR u.identity='tel:+15559990001'")"

run 0 "show t6ann" show t6ann
contains "show: private identity" "private identity   t6ann@open-ims.test" "$out"
contains "show: password" "$PW" "$out"
contains "show: tel identity" "tel:+15559990001" "$out"
run 0 "show by public identity" show tel:+15559990001
contains "show by tel finds t6ann" "t6ann@open-ims.test" "$out"
run 0 "list" list
contains "list has t6ann with its identities" "sip:t6ann@open-ims.test,tel:+15559990001,sip:t6ann.work@open-ims.test" "$out"
contains "list has the seed's alice" "alice@open-ims.test" "$out"
run 0 "list with a pattern" list t6ann
contains "one subscriber matches t6ann" "(1 subscriber)" "$out"

run 0 "set AKA key (ASCII), default scheme aka, bar the tel identity, SQN" \
	set t6ann --aka-k-ascii t6ann-aka-secret --scheme aka --bar tel:+15559990001 --sqn 7
check "k is the hex of the ASCII key" "$(printf %s t6ann-aka-secret | od -An -tx1 | tr -d ' \n')" \
	"$(sql "SELECT k FROM impi WHERE identity='t6ann@open-ims.test'")"
check "op, scheme, schemes, sqn after set" \
	"6f70656e2d696d732d746573742d6f70|Digest-AKAv1-MD5|Digest-AKAv1-MD5,SIP Digest,Digest-MD5|7" \
	"$(sql "SELECT CONCAT_WS('|', op, default_auth_scheme, auth_schemes, sqn) FROM impi WHERE identity='t6ann@open-ims.test'")"
check "tel identity barred, sip not" "tel:+15559990001" \
	"$(sql "SELECT GROUP_CONCAT(u.identity) FROM impu u JOIN impi_impu ii ON ii.impu_id=u.id JOIN impi i ON i.id=ii.impi_id WHERE i.identity='t6ann@open-ims.test' AND u.barring=1")"
run 0 "set password, opc, amf, scheme md5, unbar, add a tel, remove the extra sip" \
	set t6ann --password 'new pw' --opc 000102030405060708090A0B0C0D0E0F --amf 8000 --scheme md5 \
	--unbar tel:+15559990001 --add-tel +15559990002 --remove-impu sip:t6ann.work@open-ims.test
check "password, opc lower-cased, op cleared, amf, default scheme" \
	"new pw|000102030405060708090a0b0c0d0e0f|NULL|8000|SIP Digest" \
	"$(sql "SELECT CONCAT_WS('|', password, opc, IFNULL(op,'NULL'), amf, default_auth_scheme) FROM impi WHERE identity='t6ann@open-ims.test'")"
check "identities after set, all in one set, none barred" \
	"sip:t6ann@open-ims.test,tel:+15559990001,tel:+15559990002|1|0" \
	"$(sql "SELECT CONCAT_WS('|', GROUP_CONCAT(u.identity ORDER BY u.identity), COUNT(DISTINCT u.implicit_set), MAX(u.barring)) FROM impu u JOIN impi_impu ii ON ii.impu_id=u.id JOIN impi i ON i.id=ii.impi_id WHERE i.identity='t6ann@open-ims.test'")"
check "the removed identity is gone from impu" "0" \
	"$(sql "SELECT COUNT(*) FROM impu WHERE identity='sip:t6ann.work@open-ims.test'")"
run 1 "set --bar of someone else's identity" set t6ann --bar sip:alice@open-ims.test
contains "says whose it is not" "not a public identity of t6ann" "$err"
check "alice not barred by it" "0" "$(sql "SELECT barring FROM impu WHERE identity='sip:alice@open-ims.test'")"
run 2 "set with nothing to change" set t6ann
run 1 "set of an unknown subscriber" set t6nobody --password x

# An AKA-only subscriber with OPc.
run 0 "add t6cat AKA only (K, OPc, AMF)" \
	add t6cat --aka-k 00112233445566778899aabbccddeeff --opc ffeeddccbbaa99887766554433221100 --amf 8000
check "t6cat: AKA only, default aka, no password, opc kept, no op" \
	"Digest-AKAv1-MD5|Digest-AKAv1-MD5|NULL|ffeeddccbbaa99887766554433221100|NULL|8000" \
	"$(sql "SELECT CONCAT_WS('|', auth_schemes, default_auth_scheme, IFNULL(password,'NULL'), opc, IFNULL(op,'NULL'), amf) FROM impi WHERE identity='t6cat@open-ims.test'")"

# --------------------------------------------------------------- 2. refusals
mid=$(counts)
run 1 "duplicate subscriber" add t6ann --password x
contains "duplicate is named" "t6ann@open-ims.test already exists" "$err"
run 1 "duplicate public identity (alice's tel)" add t6dup --password x --tel +15550001
contains "taken identity is named" "tel:+15550001 already exists" "$err"
check "no t6dup after the refused add" "0" "$(sql "SELECT COUNT(*) FROM impi WHERE identity LIKE 't6dup%'")"
run 2 "name with SQL metacharacters" add "t6x';DROP TABLE impi;--" --password x
contains "name error names the rule" "letters, digits" "$err"
run 2 "name with a space" add "t6 x" --password x
run 2 "name with a percent sign" show "t6%"
run 2 "K of 31 hex digits" add t6bad --password x --aka-k 0011223344556677889900aabbccddf
contains "K length error" "32 hex digits" "$err"
run 2 "K with a non-hex digit" add t6bad --password x --aka-k 0011223344556677889900aabbccddeg
run 2 "OP too long" add t6bad --aka-k 00112233445566778899aabbccddeeff --op 00112233445566778899aabbccddeeff00
run 2 "OPc not hex" add t6bad --aka-k 00112233445566778899aabbccddeeff --opc "00112233445566778899aabbccdd'--"
run 2 "AMF of 3 digits" add t6bad --password x --amf 800
run 2 "AKA ASCII key of 15 characters" add t6bad --aka-k-ascii 123456789012345
run 2 "empty password" add t6bad --password ''
run 2 "no credentials at all" add t6bad
run 2 "unknown scheme" add t6bad --password x --scheme sha256
run 2 "scheme aka without a K" add t6bad --password x --scheme aka
run 2 "--op with --opc" add t6bad --aka-k 00112233445566778899aabbccddeeff \
	--op 00112233445566778899aabbccddeeff --opc 00112233445566778899aabbccddeeff
run 2 "bad tel number" add t6bad --password x --tel "+1555'1"
run 2 "URI with a quote" add t6bad --password x --impu 'sip:t6"bad@open-ims.test'
run 2 "URI without a scheme" add t6bad --password x --impu t6bad@open-ims.test
run 2 "unknown option" add t6bad --password x --colour blue
run 2 "option of another command" add t6bad --password x --bar sip:t6bad@open-ims.test
run 2 "bad domain" add t6bad --password x --domain "open-ims.test;DROP"
run 2 "bad db port" --db-port 99999 list
check "the database is unchanged by every refusal" "$mid" "$(counts)"
check "impi table intact" "1" "$(sql "SELECT COUNT(*) FROM impi WHERE identity='alice@open-ims.test'")"

# --------------------------------------------------------------- 3. registered
sql "UPDATE impu SET reg_state='registered', scscf_name='sip:scscf.open-ims.test:6060' WHERE identity='sip:t6cat@open-ims.test'"
run 0 "online" online
contains "online shows t6cat with its S-CSCF" "sip:t6cat@open-ims.test" "$out"
contains "online shows the S-CSCF" "sip:scscf.open-ims.test:6060" "$out"
run 0 "list --registered" list --registered
contains "list --registered has t6cat" "t6cat@open-ims.test" "$out"
[[ $out != *"t6ann@"* ]] && ok "list --registered leaves out t6ann" || fail "list --registered shows t6ann"
run 1 "delete of a registered subscriber is refused" delete t6cat
contains "refusal says where it is registered" "registered at sip:scscf.open-ims.test:6060" "$err"
check "t6cat still there" "1" "$(sql "SELECT COUNT(*) FROM impi WHERE identity='t6cat@open-ims.test'")"
run 0 "delete --force" delete t6cat --force
run 0 "delete t6ann" delete t6ann
run 1 "delete t6ann again" delete t6ann
contains "says there is none" "no subscriber t6ann@open-ims.test" "$err"
check "every table back to its count before the test" "$before" "$(counts)"

# --------------------------------------------------------------- 4. bulk
t0=$(date +%s)
run 0 "bulk-add 1000 users" bulk-add t6bulk 1000 --password pw
t1=$(date +%s)
[ $((t1 - t0)) -le 20 ] && ok "bulk-add 1000 took $((t1 - t0)) s" || fail "bulk-add 1000 took $((t1 - t0)) s"
check "1000 private identities t6bulk1..t6bulk1000" "1000 1 1 0 0" \
	"$(sql "SELECT CONCAT_WS(' ', COUNT(*), SUM(identity='t6bulk1@open-ims.test'), SUM(identity='t6bulk1000@open-ims.test'), SUM(identity='t6bulk0@open-ims.test'), SUM(identity='t6bulk1001@open-ims.test')) FROM impi WHERE identity LIKE 't6bulk%'")"
check "1000 public identities, each in its own set, all linked" "1000 1000 1000" \
	"$(sql "SELECT CONCAT_WS(' ', COUNT(*), COUNT(DISTINCT u.implicit_set), COUNT(ii.impi_id)) FROM impu u LEFT JOIN impi_impu ii ON ii.impu_id=u.id WHERE u.identity LIKE 'sip:t6bulk%'")"
check "bulk users have their password and MD5" "1000" \
	"$(sql "SELECT COUNT(*) FROM impi WHERE identity LIKE 't6bulk%' AND password='pw' AND default_auth_scheme='SIP Digest'")"
run 1 "overlapping bulk-add is refused" bulk-add t6bulk 10 --password pw --start 995
contains "overlap error says nothing was added" "nothing was added" "$err"
check "still exactly 1000 after the refused bulk-add" "1000" "$(sql "SELECT COUNT(*) FROM impi WHERE identity LIKE 't6bulk%'")"
run 2 "bulk-add with a bad count" bulk-add t6bulk 0 --password pw
run 2 "bulk-add with a bad prefix" bulk-add "t6'bulk" 10 --password pw
run 0 "bulk-delete the 1000" bulk-delete t6bulk 1000
contains "bulk-delete counts them" "deleted 1000 subscribers" "$out"
check "every table back to its count before the test" "$before" "$(counts)"

# --------------------------------------------------------------- 5. no HSS
run 1 "deregister without an HSS (no socket file)" deregister alice --socket "$WORK/none.ctl"
contains "clear error: HSS not running" "the HSS is not running" "$err"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$WORK/stale.ctl"
run 1 "deregister with a stale socket file" deregister alice --socket "$WORK/stale.ctl"
contains "clear error: nothing listens" "nothing listens on" "$err"
run 1 "push without an HSS" push alice --socket "$WORK/none.ctl"
run 1 "flush without an HSS" flush --socket "$WORK/none.ctl"
contains "flush: clear error: HSS not running" "the HSS is not running" "$err"
run 1 "stats without an HSS" stats --socket "$WORK/none.ctl"
contains "stats: clear error: HSS not running" "the HSS is not running" "$err"
run 0 "add t6ann with no HSS running" add t6ann --password pw --socket "$WORK/none.ctl"
check "no word about the HSS when none runs" "" "$err"
run 0 "delete t6ann" delete t6ann --socket "$WORK/none.ctl"
run 2 "deregister with a bad reason code" deregister alice --reason-code 9
run 2 "deregister with a newline in the reason" deregister alice --reason "$(printf 'a\nb')"

# --------------------------------------------------------------- 6. our HSS
free_tcp_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
start_hss() {
	local dport peer
	dport=$(free_tcp_port)
	peer=$(free_tcp_port)
	cat >"$WORK/hss.fd.conf" <<EOF
Identity = "hss.open-ims.test";
Realm = "open-ims.test";
Port = $dport;
SecPort = 0;
No_SCTP;
No_IPv6;
NoRelay;
ConnectPeer = "scscf.open-ims.test" { ConnectTo = "127.0.0.1"; Port = $peer; No_TLS; No_SCTP; Realm = "open-ims.test"; };
EOF
	cat >"$WORK/hss.cfg" <<EOF
[hss]
log_level = info
[diameter]
config = hss.fd.conf
request_timeout = 2
[db]
port = $PORT
[control]
socket = $WORK/hss.ctl
EOF
	"$HSS_BIN" -c "$WORK/hss.cfg" -f >"$WORK/hss.log" 2>&1 &
	HSS_PID=$!
	for _ in $(seq 1 50); do
		[ -S "$WORK/hss.ctl" ] && return 0
		kill -0 "$HSS_PID" 2>/dev/null || break
		sleep 0.2
	done
	return 1
}
if [ -z "$HSS_BIN" ] || [ ! -x "$HSS_BIN" ]; then
	ok "# SKIP no ims-hss given: deregister against a running HSS not tested"
elif ! start_hss; then
	fail "our ims-hss did not open its control socket; log: $(tail -n 20 "$WORK/hss.log")"
else
	ok "our ims-hss listens on $WORK/hss.ctl"
	run 1 "deregister of an identity that is not registered" deregister alice --socket "$WORK/hss.ctl" --reason "test"
	contains "the HSS says it is not registered" "not registered" "$err"
	run 1 "deregister of an unknown identity" deregister sip:t6nobody@open-ims.test --socket "$WORK/hss.ctl"
	contains "the HSS says it is unknown" "unknown" "$err"
	run 1 "push of an identity that is not registered" push alice --socket "$WORK/hss.ctl"
	contains "push: the HSS says it is not registered" "not registered" "$err"
	run 0 "flush" flush --socket "$WORK/hss.ctl"
	contains "flush: the HSS flushed its cache" "cache flushed" "$out"
	run 0 "stats" stats --socket "$WORK/hss.ctl"
	contains "stats: the pair cache's misses" "cache_misses " "$out"
	contains "stats: the SQN blocks reserved" "sqn_blocks " "$out"
	flushes() { grep -c "control: flush" "$WORK/hss.log"; }
	f0=$(flushes)
	# Registered at an S-CSCF that does not answer: the HSS tries the RTR.
	run 0 "add t6reg" add t6reg --password pw --socket "$WORK/hss.ctl"
	run 0 "set t6reg" set t6reg --password pw2 --socket "$WORK/hss.ctl"
	check "add and set each asked the HSS to flush" "$((f0 + 2))" "$(flushes)"
	sql "UPDATE impu SET reg_state='registered', scscf_name='sip:scscf.open-ims.test:6060', origin_host='scscf.open-ims.test', origin_realm='open-ims.test' WHERE identity='sip:t6reg@open-ims.test'"
	run 1 "deregister t6reg whose S-CSCF is not connected" deregister t6reg --socket "$WORK/hss.ctl" --reason "maintenance"
	contains "the HSS reports the RTR could not be delivered" "RTR" "$err"
	grep -q "control: rtr t6reg@open-ims.test permanent_termination maintenance" "$WORK/hss.log" &&
		ok "the HSS received 'rtr t6reg@open-ims.test permanent_termination maintenance'" ||
		fail "the HSS log has no rtr line: $(grep control: "$WORK/hss.log" | tail -n 5)"
	run 0 "delete --force t6reg" delete t6reg --force
fi
check "every table back to its count before the test" "$before" "$(counts)"

echo "1..$n"
if [ "$failures" -gt 0 ]; then
	echo "# $failures of $n checks failed"
	exit 1
fi
echo "# all $n checks passed"
