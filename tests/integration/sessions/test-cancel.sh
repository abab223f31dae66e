#!/usr/bin/env bash
# RFC 3261 §16.10: after a CANCEL the proxy creates no new branch.  Alice's
# INVITE goes to an application server whose iFC says SESSION_CONTINUED;
# alice CANCELs while the AS has not answered, and the AS's failure comes
# only after that CANCEL:
#   the AS answers 500 after 2 s: it sent no 100 Trying, so nta in the
#     S-CSCF holds the CANCEL for it (RFC 3261 §9.1) and the 500 crosses it
#   the AS is silent: [scscf] as_timeout_ms (3 s) ends the wait
# The default handling would go on to bob; the S-CSCF must answer alice 487
# instead, bob must never see the INVITE, and the call log says 487.
# Both ASs are small Python UDP servers (the test AS on common/ims_sip
# would send 100 Trying and answer the CANCEL itself).
. "$(dirname "$0")/lib.sh"

SLOW=$(free_port)   # answers an INVITE 500 after 2 s, nothing else
SILENT=$(free_port) # never answers
A=$(free_port)
B=$(free_port)

hss_sql() { "$IMS_SOURCE/scripts/db" sql ims_hss -e "$1"; }
restore() {
	hss_sql "DELETE FROM service_profile_ifc WHERE ifc_id BETWEEN 910 AND 919;
		DELETE FROM ifc WHERE id BETWEEN 910 AND 919;
		DELETE FROM application_server WHERE id BETWEEN 910 AND 919"
	local pid
	for pid in ${SLOW_PID:-} ${SILENT_PID:-}; do
		kill "$pid" 2>/dev/null || true
	done
}
CLEANUP_HOOK=restore

# spt IFC GROUP TYPE HEADER VALUE
spt() { printf "(%d, %d, 0, '%s', %s, '%s')" "$1" "$2" "$3" "$4" "$5"; }
# ifc_rows ID AS SUBJECT: an originating iFC on INVITEs with that Subject
ifc_rows() {
	printf "INSERT INTO ifc (id, name, application_server_id, condition_type_cnf, profile_part_indicator) VALUES (%d, 'sessions-cancel-%d', %d, 1, 0);\n" "$1" "$1" "$2"
	printf "INSERT INTO ifc_spt (ifc_id, group_id, condition_negated, type, header, value) VALUES %s, %s, %s;\n" \
		"$(spt "$1" 0 method NULL INVITE)" "$(spt "$1" 1 session_case NULL 0)" \
		"$(spt "$1" 2 header "'Subject'" "$3")"
	printf "INSERT INTO service_profile_ifc (service_profile_id, ifc_id, priority) VALUES (1, %d, %d);\n" "$1" "$1"
}
restore
hss_sql "INSERT INTO application_server (id, name, server_name, default_handling) VALUES
	(910, 'sessions-cancel-slow', 'sip:127.0.0.1:$SLOW', 0),
	(911, 'sessions-cancel-silent', 'sip:127.0.0.1:$SILENT', 0);
$(ifc_rows 910 910 cancel-as-fails)
$(ifc_rows 911 911 cancel-as-silent)"

# as.py PORT DELAY LOG: a UDP "AS" that writes down the first line of
# every datagram; it answers an INVITE (once per branch) 500 after DELAY
# seconds, with no provisional response (DELAY 0: never answers)
cat >"$WORK/as.py" <<'PY'
import socket, sys, threading
port, delay, log = int(sys.argv[1]), float(sys.argv[2]), open(sys.argv[3], "a")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
KEEP = ("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq")

def answer(lines, peer):
    out = ["SIP/2.0 500 Server Internal Error"]
    for line in lines[1:]:
        name = line.split(":", 1)[0].strip().lower()
        if name in KEEP:
            tagless = name in ("to", "t") and ";tag=" not in line
            out.append(line + (";tag=slow-as" if tagless else ""))
    s.sendto(("\r\n".join(out) + "\r\nContent-Length: 0\r\n\r\n").encode("latin-1"), peer)

seen = set()
while True:
    data, peer = s.recvfrom(65535)
    lines = data.decode("latin-1").split("\r\n\r\n", 1)[0].split("\r\n")
    log.write(lines[0] + "\n")
    log.flush()
    top_via = next((l for l in lines if l.lower().startswith(("via:", "v:"))), "")
    if delay > 0 and lines[0].startswith("INVITE ") and top_via not in seen:
        seen.add(top_via)
        threading.Timer(delay, answer, (lines, peer)).start()
PY
python3 "$WORK/as.py" "$SLOW" 2 "$WORK/slow-as.heard" &
SLOW_PID=$!
python3 "$WORK/as.py" "$SILENT" 0 "$WORK/silent-as.heard" &
SILENT_PID=$!
sleep 0.3

register alice alice-cancel "$A"
register bob bob-cancel "$B"

# bob: registered, then a socket on his contact (instead of SIPp) that
# writes down the first line of every datagram and answers nothing
python3 "$WORK/as.py" "$B" 0 "$WORK/bob.heard" &
BG_PIDS+=($!) # stopped before bob's de-registration needs the port
sleep 0.3

# cancel_call NAME SUBJECT: alice INVITEs bob, CANCELs 300 ms after the
# P-CSCF's 100 Trying, and must get 200 (CANCEL) and 487.
cancel_call() {
	{
		scenario_head "$1"
		invite alice bob alice-cancel "Subject: $2"
		echo '  <recv response="100"/>'
		echo '  <pause milliseconds="300"/>'
		cancel_invite alice bob
		echo '  <recv response="200"/>'
		echo '  <recv response="487" timeout="8000"/>'
		ack_failure alice bob
		scenario_tail
	} >"$WORK/$1.xml"
	expect_sipp "$1" "$A"
}

cancel_call as-fails cancel-as-fails
grep -q "^INVITE " "$WORK/slow-as.heard" || fail "the slow AS did not see the INVITE"
pass "CANCEL while the AS is slow to fail (500, SESSION_CONTINUED): alice got 487"

cancel_call as-silent cancel-as-silent
grep -q "^INVITE " "$WORK/silent-as.heard" || fail "the silent AS did not see the INVITE"
pass "CANCEL while the AS is silent (SESSION_CONTINUED): alice got 487"

sleep 1 # what the S-CSCF would have forwarded on has had time to reach bob
if grep -q . "$WORK/bob.heard" 2>/dev/null; then
	fail "bob got a request after alice's CANCEL: $(tr '\n' ' ' <"$WORK/bob.heard")"
fi
pass "no new branch after the CANCEL: bob never got the INVITE"

ts='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+'
expect_call as-fails "^$ts +- +$ts 487 "
expect_call as-silent "^$ts +- +$ts 487 "
no_active_call as-fails as-silent
pass "call log: both calls ended 487"
