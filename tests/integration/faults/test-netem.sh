#!/usr/bin/env bash
# faults.netem: 10 % packet loss on loopback (netem) and the core still
# registers and places a call, through retransmissions (SIPp's
# retrans="500" at the UEs, nta's Timer A/E in the CSCFs, TCP's for
# Diameter and MySQL).  Every message on lo, both ways, has a 10 % chance
# of being dropped (UDP only unless FAULTS_LOSS_TCP=1: see PROTO below).
#
# The loss is made with tc's netem qdisc on lo when the kernel has it
# (CONFIG_NET_SCH_NETEM), else with an nftables rule that drops 10 % of
# what arrives on lo (numgen random; an input rule, so that the sender sees
# no error, as with a real loss) -- this machine's kernel has no netem.
# Either goes on the loopback of the namespace the test runs in, so it
# runs only in a private network namespace (scripts/test --netns ...):
# never on the machine's own lo.  Elsewhere, or without root, or with
# neither netem nor nft, it exits 77 (skipped) and says why.
#
# Bounds: each SIPp UE retransmits at most 10 times (7 for INVITE) and
# waits at most 31 s for a response (a proxy that got a 100 retransmits
# only every 4 s, T2), each scenario has 30 s in all (lib.sh); 10
# registrations and 1 call must all complete.
# shellcheck source=../sessions/lib.sh
. "$(dirname "$0")/../sessions/lib.sh"
. "$(dirname "$0")/../tap.sh"

skip() {
	echo "# SKIP: $*"
	exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root (tc qdisc on lo)"
if [ "$(readlink /proc/self/ns/net)" = "$(readlink /proc/1/ns/net)" ]; then
	skip "not in a private network namespace (run it with scripts/test --netns); the loss would hit the machine's own loopback"
fi
PCT=${FAULTS_LOSS_PCT:-10}
# SIP (UDP) only by default: with TCP too, the HSS's 1 s MySQL read timeout
# (cfg/hss.cfg [db] read_timeout, short on purpose so that a hung database
# answers 5012 fast) turns two or three TCP retransmissions in a row into a
# 5012 and the registration into a 500 (seen: 2 of 10).  FAULTS_LOSS_TCP=1
# drops TCP (Diameter, MySQL) too.
PROTO="meta l4proto udp"
[ "${FAULTS_LOSS_TCP:-0}" = 1 ] && PROTO=""
LOSS="$PCT% loss"

unloss() {
	tc qdisc del dev lo root 2>/dev/null || true
	nft delete table inet ims_loss 2>/dev/null || true
}
AKA_UES=() # "user|contact user|auth|port" of the AKA UEs, de-registered at exit
at_exit() {
	local ue user cuser auth port
	unloss
	for ue in "${AKA_UES[@]}"; do
		IFS='|' read -r user cuser auth port <<<"$ue"
		reg_scenario "dereg-$cuser" "$user" "$cuser" 0 "$auth"
		run_sipp "dereg-$cuser" "$port" || echo "warning: de-registration of $cuser failed" >&2
	done
}
CLEANUP_HOOK=at_exit
if command -v tc >/dev/null && tc qdisc add dev lo root netem loss "$PCT%" 2>/dev/null; then
	echo "# netem: $(tc qdisc show dev lo)"
	how=netem
elif command -v nft >/dev/null &&
	nft add table inet ims_loss &&
	nft add chain inet ims_loss in '{ type filter hook input priority 0; }' &&
	nft add rule inet ims_loss in iif lo $PROTO numgen random mod 100 '<' "$PCT" counter drop; then
	echo "# no netem in this kernel; nftables drops $PCT % of the ${PROTO:+UDP }packets arriving on lo"
	how=nft
else
	skip "neither tc netem (kernel CONFIG_NET_SCH_NETEM) nor nft (Debian package nftables) can drop packets here"
fi

# Registrations: carol and dave (AKA), five UEs each; each must end in 200.
# (Not alice and bob: their UEs exit at once, and bindings nobody answers
# would be forked to in the call below.)
ok_regs=0
retrans=0
for i in $(seq 1 10); do
	port=$(free_port)
	u=carol auth=$(aka_auth carol carol-aka-secret)
	[ $((i % 2)) -eq 0 ] && u=dave auth=$(aka_auth dave dave-aka-secret1)
	reg_scenario "reg$i" $u "$u-netem$i" 60 "$auth"
	if run_sipp "reg$i" "$port" -max_non_invite_retrans 10 -recv_timeout 31000; then
		ok_regs=$((ok_regs + 1))
		AKA_UES+=("$u|$u-netem$i|$auth|$port")
	else
		echo "# reg$i failed:"
		tail -n 5 "$WORK/reg$i.err" 2>/dev/null | sed 's/^/#   /' || true
	fi
	# SIPp's log of messages has each send; more than 2 REGISTERs = retransmissions
	sent=$(grep -c '^REGISTER ' "$WORK/reg$i.msg" 2>/dev/null || true)
	retrans=$((retrans + ${sent:-2} - 2))
done
check "10 registrations through ${LOSS} complete" 10 "$ok_regs"
echo "# UE REGISTER retransmissions over the 10 registrations: $retrans"

# A call alice -> bob: INVITE/180/200/ACK, BYE/200, each side retransmitting.
A=$(free_port)
B=$(free_port)
register alice alice-netem-call "$A"
register bob bob-netem-call "$B"
{
	scenario_head callee
	recv_invite
	respond "180 Ringing" bob-netem-call
	# the 200 is retransmitted until the ACK comes (RFC 3261 13.3.1.4)
	respond "200 OK" bob-netem-call "Content-Type: application/sdp" "$SDP_BODY" |
		sed 's/<send>/<send retrans="500">/'
	# a lost ACK is not retransmitted by the caller (only a 200 that comes
	# again brings it again); the BYE confirms the dialog as well
	echo '  <recv request="ACK" optional="true"/>'
	echo '  <recv request="BYE"/>'
	respond_in_dialog "200 OK"
	# stay a while: a lost 200 brings the BYE again, SIPp answers it again
	echo '  <pause milliseconds="4000"/>'
	scenario_tail
} >"$WORK/callee.xml"
{
	scenario_head caller
	invite alice bob alice-netem-call
	echo '  <recv response="100" optional="true"/>'
	echo '  <recv response="180" optional="true"/>'
	echo '  <recv response="200" rrs="true"/>'
	ack alice bob alice-netem-call
	echo '  <pause milliseconds="1000"/>'
	in_dialog_uac BYE 2 alice bob alice-netem-call
	echo '  <recv response="200"/>'
	echo '  <pause milliseconds="4000"/>'
	scenario_tail
} >"$WORK/caller.xml"
# SIPp's UAS gives up a 200 after 5 retransmissions (7.5 s); a UA keeps it
# up for 64*T1 = 32 s (RFC 3261 13.3.1.4). Over five lossy hops 5 tries
# lose the call about once in a hundred runs, so retransmit as a UA does.
callee callee "$B" -max_invite_retrans 10
cpid=$LAST_BG
call_ok=0
run_sipp caller "$A" -recv_timeout 31000 && call_ok=1
wait "$cpid" || call_ok=0
check "a call alice -> bob through ${LOSS} completes (INVITE..BYE)" 1 "$call_ok"
if [ "$call_ok" != 1 ]; then
	# SIPp's own reasons (unexpected message, timeout ...), then each side's
	# last messages, and the one-line trace of every message of the call
	tail -n 20 "$WORK/caller.err" "$WORK/callee.err" "$WORK/caller.log" "$WORK/callee.log" \
		2>/dev/null | sed 's/^/#   /'
	for side in caller callee; do
		echo "#   $side: every message (time, first line)"
		awk '/^-+ [0-9-]+ [0-9:.]+$/ { t = $3; getline; what = $0; getline; getline; sub(/ *:$/, "", what); print "#     " t " " what ": " $0 }' \
			"$WORK/$side.msg" 2>/dev/null
	done
	tail -n 40 "$WORK/caller.msg" "$WORK/callee.msg" 2>/dev/null | sed 's/^/#   /'
fi
inv=$(grep -c '^INVITE ' "$WORK/caller.msg" 2>/dev/null || true)
echo "# INVITEs sent by the caller (1 = no retransmission): $inv"
[ "$how" = nft ] && echo "# packets dropped on lo: $(nft list table inet ims_loss | grep -o 'packets [0-9]*')"
unloss
tap_done "with ${LOSS} on lo ($how)"
