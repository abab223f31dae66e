#!/usr/bin/env bash
# integration.lab.infra — the lab's private named and MariaDB, as the daemons
# will use them (fixtures lab.db and lab.dns).
#
#   test_lab_infra.sh SRES_LOOKUP
#
# 1. DNS through the private named on 127.0.0.1:5300, both with dig and with
#    sofia-sip's resolver reading cfg/resolv.conf as the CSCFs do: the NAPTR
#    records of open-ims.test lead (SRV, A) to the I-CSCF at 127.0.0.1:5060
#    over UDP and TCP; each CSCF's own SRV and A records are right.
# 2. MariaDB on 127.0.0.1:3307 answers as ims/ims, each database exists and
#    its schema_migrations lists exactly the files of sql/<database>/.
set -euo pipefail
. "$(dirname "$0")/../tap.sh"

SRES=${1:?usage: test_lab_infra.sh SRES_LOOKUP}
SRC=${IMS_SOURCE:?IMS_SOURCE not set (run through ctest)}
RESOLV=$SRC/cfg/resolv.conf


# Lookups in the format of sres_lookup: "dig" or "sres".
lookup() { # lookup TOOL TYPE NAME
	case $1 in
	dig) dig @127.0.0.1 -p 5300 +short +time=2 +tries=2 "$2" "$3" | sed 's/"//g' | sort -n ;;
	sres) "$SRES" "$RESOLV" "$2" "$3" || true ;;
	esac
}

# RFC 3263 for a domain with TOOL: for the NAPTR service SERVICE, print
# "ADDRESS:PORT" of the first SRV target.
resolve() { # resolve TOOL DOMAIN SERVICE
	local naptr srv replacement port target addr
	naptr=$(lookup "$1" naptr "$2" | awk -v s="$3" 'tolower($4) == tolower(s) { print $5; exit }')
	replacement=${naptr%.}
	[ -n "$replacement" ] || return 0
	srv=$(lookup "$1" srv "$replacement" | head -n1)
	port=$(awk '{ print $3 }' <<<"$srv")
	target=$(awk '{ print $4 }' <<<"$srv")
	target=${target%.}
	[ -n "$target" ] || return 0
	addr=$(lookup "$1" a "$target" | head -n1)
	echo "$addr:$port"
}

echo "# DNS: private named on 127.0.0.1:5300, zone open-ims.test"
check "cfg/resolv.conf points at the private named" "127.0.0.1 5300" \
	"$(awk '$1 == "nameserver" { a = $2 } $1 == "port" { p = $2 } END { print a, p }' "$RESOLV")"
for tool in dig sres; do
	check "$tool: NAPTR open-ims.test has SIP+D2U and SIP+D2T" "SIP+D2T SIP+D2U" \
		"$(lookup $tool naptr open-ims.test | awk '{ print toupper($4) }' | sort | xargs)"
	check "$tool: open-ims.test over UDP (NAPTR, SRV, A) reaches the I-CSCF" "127.0.0.1:5060" \
		"$(resolve $tool open-ims.test SIP+D2U)"
	check "$tool: open-ims.test over TCP (NAPTR, SRV, A) reaches the I-CSCF" "127.0.0.1:5060" \
		"$(resolve $tool open-ims.test SIP+D2T)"
	for cscf in pcscf:4060 icscf:5060 scscf:6060; do
		name=${cscf%:*}
		port=${cscf#*:}
		for t in udp tcp; do
			check "$tool: SRV _sip._$t.$name.open-ims.test" "0 0 $port $name.open-ims.test" \
				"$(lookup $tool srv "_sip._$t.$name.open-ims.test" | head -n1 | sed 's/\.$//')"
		done
		check "$tool: $name.open-ims.test (NAPTR, SRV, A) over UDP" "127.0.0.1:$port" \
			"$(resolve $tool "$name.open-ims.test" SIP+D2U)"
	done
	check "$tool: A hss.open-ims.test" "127.0.0.1" "$(lookup $tool a hss.open-ims.test | head -n1)"
done

echo "# MariaDB: 127.0.0.1:3307, user ims"
sql() { # sql DATABASE STATEMENT
	mariadb --no-defaults -h 127.0.0.1 -P 3307 -u ims -pims --batch --skip-column-names \
		--connect-timeout=5 "$1" -e "$2"
}
if out=$(sql "" "SELECT 1" 2>&1); then ok "ims@127.0.0.1:3307 connects"; else fail "ims@127.0.0.1:3307 connects: $out"; fi
for db in ims_hss ims_scscf ims_icscf; do
	expected=""
	if [ -d "$SRC/sql/$db" ]; then
		expected=$(find "$SRC/sql/$db" -maxdepth 1 -type f -name '[0-9][0-9][0-9]_*.sql' -printf '%f\n' |
			sed 's/\.sql$//' | LC_ALL=C sort | xargs)
	fi
	if applied=$(sql "$db" "SELECT version FROM schema_migrations ORDER BY version" 2>&1); then
		check "$db: schema_migrations lists sql/$db/*.sql" "$expected" "$(LC_ALL=C sort <<<"$applied" | xargs)"
	else
		fail "$db: schema_migrations readable as ims: $applied"
	fi
done

echo "1..$n"
if [ $failures -gt 0 ]; then
	echo "# $failures of $n checks failed"
	exit 1
fi
echo "# all $n checks passed"
