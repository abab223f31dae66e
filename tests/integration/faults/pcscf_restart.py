"""faults.pcscf_restart_keeps_ues: UEs registered before a P-CSCF restart
place and receive calls after it, without registering again.

alice and bob register (sipua.py, MD5).  Then, twice:

  1. SIGTERM: scripts/lab down pcscf, up pcscf;
  2. kill -9: first alice moves to another UE (her first UE de-registers,
     a second one registers: changes that only the state file's journal
     holds, not its snapshot), then the P-CSCF is killed with SIGKILL and
     started again (scripts/lab up pcscf).

After each restart (a new pid): alice calls bob (bob's UE gets the INVITE
through the P-CSCF and answers 200; ACK; BYE answered 200), bob calls
alice (the same the other way), and the P-CSCF's log since the restart
shows no REGISTER and says how many registrations it loaded from its state
file.  After the kill -9 also: alice's first UE, de-registered before it,
gets 403 "not registered" for an INVITE (the removal was kept too).
Prints TAP lines; exit 1 on a failed check."""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hostile"))
import sipua  # noqa: E402

LAB = os.path.join(os.environ["IMS_SOURCE"], "scripts", "lab")
STATE = os.environ["IMS_STATE"]
PIDFILE = os.path.join(STATE, "run", "pcscf.pid")
LOGFILE = os.path.join(STATE, "log", "pcscf.log")

n_checks = 0
n_failed = 0


def check(what, good, detail=""):
    global n_checks, n_failed
    n_checks += 1
    if not good:
        n_failed += 1
    print("%s %d - %s%s" % ("ok" if good else "not ok", n_checks, what,
                            "" if good else ": %r" % (detail,)), flush=True)
    return good


def pcscf_pid():
    with open(PIDFILE) as f:
        return int(re.sub(r"\D", "", f.read()))


def restart(how):
    """Restart the P-CSCF (SIGTERM through scripts/lab, or SIGKILL);
    returns (old pid, new pid, offset of its log where the new run starts)."""
    old = pcscf_pid()
    mark = os.path.getsize(LOGFILE)
    if how == "SIGTERM":
        subprocess.run([LAB, "down", "pcscf"], check=True, stdout=subprocess.DEVNULL)
    else:
        os.kill(old, signal.SIGKILL)
        for _ in range(100):
            try:
                os.kill(old, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
    subprocess.run([LAB, "up", "pcscf"], check=True, stdout=subprocess.DEVNULL)
    return old, pcscf_pid(), mark


def reply(raw, contact, tag):
    """200 OK to the request raw, with its Vias, Record-Routes, a To tag
    and our Contact."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")
    keep = []
    for line in head[1:]:
        name = line.split(":", 1)[0].strip().lower()
        if name in ("via", "v", "from", "f", "call-id", "i", "cseq", "record-route"):
            keep.append(line)
        elif name in ("to", "t"):
            keep.append(line if ";tag=" in line else line + ";tag=" + tag)
    keep.append("Contact: <%s>" % contact)
    return ("SIP/2.0 200 OK\r\n%s\r\nContent-Length: 0\r\n\r\n" % "\r\n".join(keep)).encode()


def serve(ua, user, stop, seen):
    """ua's UE answers every request 200 (INVITE with a Contact), ignores
    ACK, and notes the methods it got, until stop."""
    contact = "sip:%s@%s:%d" % (user, ua.ip, ua.port)
    tag = sipua.rnd(6)
    while not stop.is_set():
        ua.sock.settimeout(0.1)
        try:
            data, addr = ua.sock.recvfrom(65535)
        except (socket.timeout, BlockingIOError):
            continue
        except OSError:
            return
        first = data.split(b"\r\n", 1)[0]
        if first.startswith(b"SIP/2.0"):
            continue
        method = first.split(b" ", 1)[0].decode()
        seen.append(method)
        if method != "ACK":
            ua.sock.sendto(reply(data, contact, tag), addr)


def in_dialog(ua, invite, resp, method, cseq):
    """ACK or BYE within the dialog that resp (a 2xx) set up for invite."""
    text = invite.decode("utf-8", "replace")
    from_line = re.search(r"(?im)^From:[^\r\n]*", text).group(0)
    call_id = re.search(r"(?im)^Call-ID:\s*(\S+)", text).group(1)
    target = re.search(r"<([^>]+)>", resp.get("contact")).group(1)
    routes = []
    for v in resp.all("record-route"):
        routes += re.findall(r"<[^>]*>", v)
    routes.reverse()
    lines = ["%s %s SIP/2.0" % (method, target), ua.via(), "Max-Forwards: 70", from_line,
             "To: " + resp.get("to"), "Call-ID: " + call_id, "CSeq: %d %s" % (cseq, method)]
    if routes:
        lines.append("Route: " + ", ".join(routes))
    lines.append("Content-Length: 0")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def call(caller, caller_user, callee, callee_user, when):
    """caller's UE calls callee_user, callee's UE answers; checks the 200,
    that the callee's UE got the INVITE, and the BYE."""
    seen = []
    stop = threading.Event()
    th = threading.Thread(target=serve, args=(callee, callee_user, stop, seen), daemon=True)
    th.start()
    try:
        sdp = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
               "m=audio 4000 RTP/AVP 0\r\n")
        cseq = caller.cseq
        invite = caller.request("INVITE", "sip:%s@%s" % (callee_user, sipua.DOMAIN),
                                ["Content-Type: application/sdp"], body=sdp,
                                from_user=caller_user,
                                to="<sip:%s@%s>" % (callee_user, sipua.DOMAIN))
        r = caller.ask(invite, 10)
        what = "%s: %s calls %s" % (when, caller_user, callee_user)
        check(what + ": 200", r is not None and r.status == 200, r)
        check(what + ": %s's UE got the INVITE" % callee_user, "INVITE" in seen, seen)
        if r is None or r.status != 200:
            return
        caller.send(in_dialog(caller, invite, r, "ACK", cseq))
        caller.cseq = cseq + 2
        b = caller.ask(in_dialog(caller, invite, r, "BYE", cseq + 1), 10)
        check(what + ": BYE 200", b is not None and b.status == 200, b)
    finally:
        time.sleep(0.3)
        stop.set()
        th.join()


def log_since(mark):
    with open(LOGFILE, "rb") as f:
        f.seek(mark)
        return f.read().decode("utf-8", "replace")


def after_restart(how, old, new, mark, alice, bob):
    check("%s: the P-CSCF restarted (pid %d -> %d)" % (how, old, new), old != new)
    call(alice, "alice", bob, "bob", how)
    call(bob, "bob", alice, "alice", how)
    log = log_since(mark)
    m = re.search(r"state file \S+: (\d+) registration\(s\) loaded", log)
    check("%s: the P-CSCF loaded the registrations from its state file" % how,
          m is not None and int(m.group(1)) >= 2, m.group(0) if m else "no 'loaded' line")
    check("%s: no REGISTER reached the P-CSCF since its restart" % how,
          "REGISTER" not in log,
          [line for line in log.splitlines() if "REGISTER" in line][:3])


def main():
    alice, bob = sipua.UA(), sipua.UA()
    uas = [alice, bob]
    try:
        for ua, user in ((alice, "alice"), (bob, "bob")):
            r = ua.register(user, expires=600)
            if not check("%s registers" % user, r is not None and r.status == 200, r):
                return 1

        old, new, mark = restart("SIGTERM")
        after_restart("SIGTERM", old, new, mark, alice, bob)

        # alice moves to another UE: only the journal knows it
        r = alice.register("alice", expires=0)
        check("alice's first UE de-registers", r is not None and r.status == 200, r)
        first, alice = alice, sipua.UA()
        uas.append(alice)
        r = alice.register("alice", expires=600)
        check("alice registers from a second UE", r is not None and r.status == 200, r)
        time.sleep(0.3)
        old, new, mark = restart("SIGKILL")
        after_restart("kill -9", old, new, mark, alice, bob)
        r = first.invite("bob")
        check("kill -9: alice's de-registered first UE gets 403",
              r is not None and r.status == 403, r)
        return 1 if n_failed else 0
    finally:
        for ua, user in ((alice, "alice"), (bob, "bob")):
            ua.register(user, expires=0)
        for ua in uas:
            ua.close()
        print("1..%d" % n_checks)


if __name__ == "__main__":
    sys.exit(main())
