#!/usr/bin/env bash
# integration.deploy.configure — scripts/configure on a copy of the tree's
# cfg/, dns/ and sql/ (never on the tree itself):
#   - --ip 127.0.0.2 --domain lab.example rewrites what it must (listen,
#     ConnectTo, A records, names, realms, seed identities) and leaves the
#     database and resolver settings on 127.0.0.1; the zone loads;
#   - a second run changes nothing; --show says what the tree uses;
#   - bad values are refused and change nothing;
#   - --reset gives every file back byte for byte.
set -euo pipefail
. "$(dirname "$0")/../tap.sh"

SRC=${IMS_SOURCE:?IMS_SOURCE not set (run through ctest)}
W=$(mktemp -d "${TMPDIR:-/tmp}/ims-configure-XXXX")
trap 'rm -rf "$W"' EXIT

ROOT=$W/tree
mkdir -p "$ROOT"
cp -r "$SRC/cfg" "$SRC/dns" "$SRC/sql" "$ROOT/"
cp -r "$ROOT" "$W/orig"
CONF=("$SRC/scripts/configure" --root "$ROOT")
val() { # val FILE SECTION KEY
	awk -v sec="[$2]" -v key="$3" '/^\[/ { s = $1 } s == sec && $1 == key { print $3; exit }' "$ROOT/$1"
}

check "--show on the defaults" "ip=127.0.0.1 domain=open-ims.test (the defaults)" "$("${CONF[@]}" --show)"

# refusals
for bad in "--ip 10.255.255.254" "--ip 300.1.1.1" "--ip ::1" "--ip 0.0.0.0" "--domain Lab.Example" \
	"--domain localhost" "--domain a..b" "--domain -x.example" "--domain x_y.example" "--domain 10.0.0.1"; do
	# shellcheck disable=SC2086
	if "${CONF[@]}" $bad >"$W/out" 2>&1; then fail "configure $bad was accepted"; else
		ok "configure $bad refused: $(head -n1 "$W/out" | cut -c1-90)"
	fi
done
if diff -r "$W/orig" "$ROOT" >/dev/null; then ok "refusals changed nothing"; else fail "a refused run changed files"; fi
if "${CONF[@]}" --ip 10.255.255.254 --force --dry-run >/dev/null 2>&1 && diff -r "$W/orig" "$ROOT" >/dev/null; then
	ok "--force accepts a foreign address; --dry-run writes nothing"
else
	fail "--force --dry-run"
fi

# the change
if "${CONF[@]}" --ip 127.0.0.2 --domain lab.example >"$W/out" 2>&1; then ok "configure --ip 127.0.0.2 --domain lab.example"; else
	fail "configure failed: $(cat "$W/out")"
fi
check "--show" "ip=127.0.0.2 domain=lab.example" "$("${CONF[@]}" --show)"
for d in pcscf icscf scscf; do
	check "$d listen" 127.0.0.2 "$(val cfg/$d.cfg sip listen)"
	check "$d name" "$d.lab.example" "$(val cfg/$d.cfg sip name)"
	check "$d domain" lab.example "$(val cfg/$d.cfg sip domain)"
done
check "S-CSCF server_name" "sip:scscf.lab.example:6060" "$(val cfg/scscf.cfg scscf server_name)"
check "S-CSCF realm" lab.example "$(val cfg/scscf.cfg scscf realm)"
check "S-CSCF database stays on loopback" 127.0.0.1 "$(val cfg/scscf.cfg db host)"
check "HSS database stays on loopback" 127.0.0.1 "$(val cfg/hss.cfg db host)"
check "HSS digest realm" lab.example "$(val cfg/hss.cfg hss digest_realm)"
check "resolv.conf untouched (private named)" "" "$(diff "$W/orig/cfg/resolv.conf" "$ROOT/cfg/resolv.conf")"
for d in hss icscf scscf; do
	check "$d.fd.conf Identity" "\"$d.lab.example\";" "$(awk '$1 == "Identity" { print $3 }' "$ROOT/cfg/$d.fd.conf")"
	check "$d.fd.conf ConnectTo all 127.0.0.2" "" \
		"$(grep -o 'ConnectTo = "[^"]*"' "$ROOT/cfg/$d.fd.conf" | grep -v 127.0.0.2 || true)"
done
if [ -f "$ROOT/dns/lab.example.zone" ] && [ ! -e "$ROOT/dns/open-ims.test.zone" ]; then
	ok "zone renamed to dns/lab.example.zone"
else
	fail "zone not renamed"
fi
check "every A record on 127.0.0.2" "127.0.0.2" \
	"$(awk '!/^[ \t]*;/ && / IN[ \t]+A[ \t]/ { print $NF }' "$ROOT/dns/lab.example.zone" | sort -u | xargs)"
if named-checkzone lab.example "$ROOT/dns/lab.example.zone" >/dev/null 2>&1; then ok "named-checkzone lab.example"; else
	fail "the zone does not load"
fi
check "named.conf.local zone name" 'zone "lab.example" {' "$(grep '^zone' "$ROOT/dns/named.conf.local")"
check "seed: alice's private identity" 1 "$(grep -c "'alice@lab.example'" "$ROOT/sql/ims_hss/002_seed.sql")"
check "seed: S-CSCF name" 1 "$(grep -c "'sip:scscf.lab.example:6060'" "$ROOT/sql/ims_hss/002_seed.sql")"
check "no open-ims.test left (but resolv.conf's comment)" "" "$(grep -rl --exclude=resolv.conf 'open-ims\.test' "$ROOT" || true)"

# idempotent
cp -r "$ROOT" "$W/once"
"${CONF[@]}" --ip 127.0.0.2 --domain lab.example >"$W/out" 2>&1
if grep -q "nothing to change" "$W/out" && diff -r "$W/once" "$ROOT" >/dev/null; then ok "a second run changes nothing"; else
	fail "second run: $(cat "$W/out")"
fi
"${CONF[@]}" --ip 127.0.0.3 >/dev/null 2>&1 && check "--ip alone keeps the domain" "ip=127.0.0.3 domain=lab.example" "$("${CONF[@]}" --show)"

# reversible
if "${CONF[@]}" --reset >"$W/out" 2>&1; then ok "configure --reset"; else fail "--reset: $(cat "$W/out")"; fi
if diff -r "$W/orig" "$ROOT" >"$W/diff"; then ok "after --reset every file is byte for byte the original"; else
	fail "--reset left differences: $(head -n 20 "$W/diff")"
fi

echo "1..$n"
[ $failures -eq 0 ] || {
	echo "# $failures of $n checks failed"
	exit 1
}
