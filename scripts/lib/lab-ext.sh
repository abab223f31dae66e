# shellcheck shell=bash
# scripts/lib/lab-ext.sh — sourced by scripts/lab (not run on its own).
#
# What scripts/lab adds for the lab network and the operator:
#   lab_cfg_get FILE SECTION KEY   a value of a daemon's cfg file
#   lab_sip_addr, lab_domain       what scripts/configure set (cfg/pcscf.cfg)
#   cmd_capture [FILE] [--seconds N] [--interface IF]
#   cmd_logs [PART...] [--call-id ID] [--only] [--no-follow] [-n N]
#   lab_operator_view              registered users and calls, for 'status'
#
# Expects from scripts/lab: TOP STATE CFG LOGDIR say() warn() die()
# logfile(), and the arrays DAEMONS and ALL_PARTS.

# lab_cfg_get FILE SECTION KEY: the value (comment stripped), or nothing.
lab_cfg_get() {
	[ -r "$1" ] || return 0
	awk -v sec="$2" -v key="$3" '
		/^[ \t]*\[/ { s = $0; gsub(/[][ \t]/, "", s); cur = s; next }
		cur == sec && /=/ && $0 !~ /^[ \t]*[;#]/ {
			k = $0; sub(/=.*/, "", k); gsub(/[ \t]/, "", k)
			if (k != key) next
			v = $0; sub(/^[^=]*=/, "", v); sub(/[ \t][;#].*/, "", v)
			gsub(/^[ \t]+|[ \t]+$/, "", v)
			# ${VAR} and ${VAR:-default}, as the daemons expand them (common/ims_cfg.h)
			while (match(v, /\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}/)) {
				ref = substr(v, RSTART + 2, RLENGTH - 3); name = ref; sub(/:-.*/, "", name)
				def = ""
				if (index(ref, ":-")) { def = ref; sub(/^[^:]*:-/, "", def) }
				val = (name in ENVIRON && ENVIRON[name] != "") ? ENVIRON[name] : def
				v = substr(v, 1, RSTART - 1) val substr(v, RSTART + RLENGTH)
			}
			print v; exit
		}' "$1"
}

# The address the CSCFs listen on and the home domain (scripts/configure
# rewrites both; the defaults are 127.0.0.1 and open-ims.test).
lab_sip_addr() {
	local a
	a=$(lab_cfg_get "$CFG/pcscf.cfg" sip listen)
	echo "${a:-127.0.0.1}"
}
lab_domain() {
	local d
	d=$(lab_cfg_get "$CFG/pcscf.cfg" sip domain)
	echo "${d:-open-ims.test}"
}

# ---------------------------------------------------------------- capture

# lab_sip_ports / lab_diameter_ports: the ports of the configuration.
lab_sip_ports() {
	local x p
	for x in pcscf icscf scscf; do
		p=$(lab_cfg_get "$CFG/$x.cfg" sip port)
		echo "${p:-$(sip_default_port "$x")}"
	done
}
sip_default_port() {
	case $1 in pcscf) echo 4060 ;; icscf) echo 5060 ;; scscf) echo 6060 ;; esac
}
lab_diameter_ports() {
	local x p
	for x in hss icscf scscf; do
		p=$(sed -n 's/^[ \t]*Port[ \t]*=[ \t]*\([0-9]*\).*/\1/p' "$CFG/$x.fd.conf" 2>/dev/null | head -n1)
		case $x in hss) echo "${p:-3868}" ;; icscf) echo "${p:-3869}" ;; scscf) echo "${p:-3870}" ;; esac
	done
}

# The capture filter: every SIP port (UDP and TCP) and every Diameter port.
lab_capture_filter() {
	local p f=""
	for p in $(lab_sip_ports); do f+="${f:+ or }udp port $p or tcp port $p"; done
	for p in $(lab_diameter_ports); do f+="${f:+ or }tcp port $p"; done
	echo "$f"
}

# Where to capture: lo when the lab runs on loopback; otherwise "any", since
# the daemons reach each other over lo and the UEs come in on the lab
# network's interface.
lab_capture_interface() {
	local a
	a=$(lab_sip_addr)
	case $a in 127.*) echo lo ;; *) echo any ;; esac
}

# The tshark "decode as" arguments for the lab's ports (also in docs/capture.md).
lab_decode_as() {
	local p out=""
	for p in $(lab_sip_ports); do out+=" -d udp.port==$p,sip -d tcp.port==$p,sip"; done
	for p in $(lab_diameter_ports); do out+=" -d tcp.port==$p,diameter"; done
	echo "${out# }"
}

capture_usage() {
	cat <<'EOF'
usage: scripts/lab capture [FILE] [--seconds N] [--interface IF]
  Records every SIP port (UDP and TCP) and every Diameter port of the lab into
  FILE (pcap; default $IMS_STATE/capture/lab-DATE.pcap) until Ctrl-C/SIGINT or
  SIGTERM (the file is complete either way), or for N seconds.
EOF
}

# cmd_capture [FILE] [--seconds N] [--interface IF]
cmd_capture() {
	local file="" secs="" iface filter pid rc=0 n
	iface=$(lab_capture_interface)
	while [ $# -gt 0 ]; do
		case $1 in
		--seconds)
			[[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--seconds needs a positive number"
			secs=$2
			shift 2
			;;
		--interface | -i)
			[ -n "${2:-}" ] || die "--interface needs a name (lo, any, eth0 ...)"
			iface=$2
			shift 2
			;;
		-h | --help)
			capture_usage
			return 0
			;;
		-*) die "capture: unknown option $1 (see 'scripts/lab capture --help')" ;;
		*)
			[ -z "$file" ] || die "capture: one FILE only"
			file=$1
			shift
			;;
		esac
	done
	command -v dumpcap >/dev/null 2>&1 || die "dumpcap not found (Debian package tshark; scripts/deps installs it)"
	if [ -z "$file" ]; then
		mkdir -p "$STATE/capture"
		file=$STATE/capture/lab-$(date -u +%Y%m%d-%H%M%S).pcap
	fi
	mkdir -p "$(dirname "$file")"
	: >"$file" 2>/dev/null || die "cannot write $file"
	rm -f "$file"
	filter=$(lab_capture_filter)
	local -a args=(-q -P -i "$iface" -f "$filter" -w "$file")
	[ -n "$secs" ] && args+=(-a "duration:$secs")
	# dumpcap runs in the background so that this shell can pass on the
	# SIGINT/SIGTERM it gets (kill -INT from a test as well as Ctrl-C);
	# dumpcap then closes the file properly.
	dumpcap "${args[@]}" 2> >(grep -v -e '^Capturing on' -e '^File:' >&2) &
	pid=$!
	trap 'kill -INT $pid 2>/dev/null || true' INT TERM
	for ((n = 0; n < 100; n++)); do
		[ -s "$file" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ -s "$file" ]; then
		say "capturing on $iface into $file${secs:+ for ${secs}s}; Ctrl-C stops (filter: $filter)"
	fi
	while :; do
		wait "$pid" && rc=0 || rc=$?
		kill -0 "$pid" 2>/dev/null || break
	done
	trap - INT TERM
	# 130/143: dumpcap itself got the terminal's SIGINT; the file is complete.
	[ -s "$file" ] || die "dumpcap did not write $file (exit $rc; capturing needs root or the wireshark group)"
	n=$(capture_count "$file")
	say "wrote $file: $n packets. Open it with: wireshark $file, or tshark -r $file $(lab_decode_as)"
}

capture_count() {
	if command -v capinfos >/dev/null 2>&1; then
		capinfos -M -c "$1" 2>/dev/null | awk -F: '/Number of packets/ { gsub(/ /, "", $2); print $2 }'
	else
		tshark -r "$1" 2>/dev/null | wc -l
	fi
}

# ---------------------------------------------------------------- logs

logs_usage() {
	cat <<'EOF'
usage: scripts/lab logs [PART...] [--call-id ID] [--only] [--no-follow] [-n N]
  Follows $IMS_STATE/log/<part>.log of the given parts (default: the four
  daemons), each line prefixed with its part; lines that carry ID are
  highlighted (--only: shows only those). --no-follow prints and returns.
EOF
}

# cmd_logs [PART...] [--call-id ID] [--only] [--no-follow] [-n N]
cmd_logs() {
	local id="" only=0 follow=1 lines=20 p color=0
	local -a parts=() files=()
	while [ $# -gt 0 ]; do
		case $1 in
		--call-id)
			[ -n "${2:-}" ] || die "--call-id needs a Call-ID"
			id=$2
			shift 2
			;;
		--only) only=1 && shift ;;
		--no-follow) follow=0 && shift ;;
		-n)
			[[ ${2:-} =~ ^[0-9]+$ ]] || die "-n needs a number of lines"
			lines=$2
			shift 2
			;;
		-h | --help)
			logs_usage
			return 0
			;;
		-*) die "logs: unknown option $1 (see 'scripts/lab logs --help')" ;;
		*)
			[[ " ${ALL_PARTS[*]} mariadb " == *" $1 "* ]] || die "unknown part '$1' (parts: ${ALL_PARTS[*]})"
			[ "$1" = db ] && p=mariadb || p=$1
			parts+=("$p")
			shift
			;;
		esac
	done
	[ ${#parts[@]} -gt 0 ] || parts=("${DAEMONS[@]}")
	for p in "${parts[@]}"; do
		[ -e "$(logfile "$p")" ] || warn "no log yet: $(logfile "$p") (follows once it appears)"
		files+=("$(logfile "$p")")
	done
	[ -t 1 ] && color=1
	[ -n "${IMS_COLOR:-}" ] && color=$IMS_COLOR
	[ -n "$id" ] && [ "$only" -eq 0 ] && [ "$color" -eq 0 ] &&
		say "lines with Call-ID $id are marked '>>'"
	local -a tailargs=(-n "$lines")
	[ $follow -eq 1 ] && tailargs+=(-F)
	tail -v "${tailargs[@]}" "${files[@]}" 2>/dev/null | logs_format "$id" "$only" "$color"
}

# logs_format ID ONLY COLOR: "part | line", lines with ID highlighted.
logs_format() {
	awk -v id="$1" -v only="$2" -v color="$3" '
		function part(f) { sub(/.*\//, "", f); sub(/\.log.*$/, "", f); return f }
		/^==> .* <==$/ { f = $0; sub(/^==> /, "", f); sub(/ <==$/, "", f); cur = part(f); next }
		/^$/ { next }
		{
			hit = id != "" && index($0, id) > 0
			if (only && !hit) next
			line = $0
			if (hit && color) {
				out = ""; rest = line
				while ((i = index(rest, id)) > 0) {
					out = out substr(rest, 1, i - 1) "\033[1;31m" id "\033[0;1m"
					rest = substr(rest, i + length(id))
				}
				line = "\033[1m" out rest "\033[0m"
			} else if (hit) {
				line = ">> " line
			}
			printf "%-6s| %s\n", cur, line
			fflush()
		}'
}

# ---------------------------------------------------------------- status

# lab_operator_view: registered users and active calls, after the table.
lab_operator_view() {
	echo
	echo "Registered users:"
	if [ -x "$TOP/scripts/imsctl" ]; then
		# imsctl builds its program in IMS_BUILD the first time: allow for it.
		if ! IMS_BUILD=$BUILD IMS_CFG=$CFG timeout 120 "$TOP/scripts/imsctl" online 2>&1 | sed 's/^/  /'; then
			echo "  not available: 'scripts/imsctl online' failed (above)"
		fi
	else
		echo "  not available: scripts/imsctl (the provisioning tool with 'online') is not in this tree yet"
	fi
	echo "Active calls:"
	lab_active_calls
}

# The S-CSCF's call log (sql/ims_scscf, table calls; issue 5) lists the calls
# it routed; those not ended yet are the active ones.  Until that table
# exists, say so.
lab_active_calls() {
	local q out
	q="SELECT call_id, caller, callee, started_at, IFNULL(answered_at, 'ringing')
	   FROM calls WHERE ended_at IS NULL ORDER BY started_at"
	if out=$(timeout 10 "$TOP/scripts/db" sql ims_scscf --batch -e "$q" 2>/dev/null); then
		if [ -z "$out" ]; then
			echo "  none (S-CSCF call log)"
		else
			echo "$out" | awk -F'\t' 'NR == 1 { printf "  %-40s %-28s %-28s %-24s %s\n", "CALL-ID", "CALLER", "CALLEE", "STARTED", "ANSWERED"; next }
				{ printf "  %-40s %-28s %-28s %-24s %s\n", $1, $2, $3, $4, $5 }'
		fi
	else
		echo "  not tracked yet: the S-CSCF keeps no call log in this database (see 'scripts/lab logs --call-id ID')"
	fi
}
