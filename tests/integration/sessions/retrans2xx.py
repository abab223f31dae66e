#!/usr/bin/env python3
"""sessions.retrans2xx — a retransmitted 200 to an INVITE reaches the
caller (RFC 3261 13.3.1.4, 16.7 step 2).

The callee's UE retransmits its 200 until the ACK comes; each proxy's
client transaction ended at the first 200, so every proxy on the way back
(P-CSCF terminating, S-CSCF terminating, I-CSCF, S-CSCF originating,
P-CSCF originating) must forward the retransmission statelessly: remove its
own Via and send the response to the next Via.  When the first 200 is
lost, that retransmission is the only one that completes the call.

alice (127.0.0.42) calls bob (127.0.0.43), both registered with MD5
through the P-CSCF; bob answers 200 and, once alice has it, sends the same
200 again; alice must receive it again, with her own Via alone on it, and
every daemon must still run afterwards.  Then ACK, BYE and
de-registration."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hostile"))
from sipua import DOMAIN, UA, check, failed, reply  # noqa: E402


def answer_200(invite, contact):
    """bob's 200 to invite (bytes): with its Record-Route, a To tag, bob's
    Contact and an SDP."""
    sdp = ("v=0\r\no=- 2 2 IN IP4 127.0.0.43\r\ns=-\r\nc=IN IP4 127.0.0.43\r\nt=0 0\r\n"
           "m=audio 4002 RTP/AVP 0\r\n")
    return reply(invite, 200, "OK", "Contact: <%s>\r\nContent-Type: application/sdp\r\n" % contact,
                 also=("record-route",), body=sdp)


def recv_request(ua, method, timeout):
    """The next request of method at ua (bytes, sender), or (None, None)."""
    end = time.time() + timeout
    while time.time() < end:
        ua.sock.settimeout(max(0.01, end - time.time()))
        try:
            data, addr = ua.sock.recvfrom(65535)
        except OSError:
            continue
        if data.startswith(method.encode() + b" "):
            return data, addr
    return None, None


def recv_200(ua, call_id, timeout):
    end = time.time() + timeout
    while time.time() < end:
        r = ua.recv(end - time.time())
        if r is None:
            return None
        if r.get("call-id") == call_id and r.status == 200:
            return r
    return None


def daemons_alive():
    run = os.path.join(os.environ["IMS_STATE"], "run")
    gone = []
    for d in ("pcscf", "icscf", "scscf", "hss"):
        try:
            with open(os.path.join(run, d + ".pid")) as f:
                os.kill(int(f.read().strip()), 0)
        except (OSError, ValueError):
            gone.append(d)
    return gone


def in_dialog(alice, method, cseq, ok200, call_id, bob_contact):
    """ACK or BYE from alice along the route set of the 200 (its
    Record-Route, as the UAC takes it: in order)."""
    routes = ok200.all("record-route")
    from_hdr = ok200.get("from")
    to_hdr = ok200.get("to")
    lines = [
        "%s %s SIP/2.0" % (method, bob_contact),
        alice.via(),
        "Route: " + ", ".join(routes),
        "Max-Forwards: 70",
        "From: " + from_hdr,
        "To: " + to_hdr,
        "Call-ID: " + call_id,
        "CSeq: %d %s" % (cseq, method),
        "Content-Length: 0",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def call(alice, bob):
    bob_contact = "sip:bob@127.0.0.43:%d" % bob.port
    sdp = ("v=0\r\no=- 1 1 IN IP4 127.0.0.42\r\ns=-\r\nc=IN IP4 127.0.0.42\r\nt=0 0\r\n"
           "m=audio 4000 RTP/AVP 0\r\n")
    invite = alice.request("INVITE", "sip:bob@" + DOMAIN, ["Content-Type: application/sdp"],
                           body=sdp, from_user="alice", to="<sip:bob@%s>" % DOMAIN)
    call_id = alice.last_call_id
    alice.send(invite)
    got, addr = recv_request(bob, "INVITE", 8)
    check("bob's UE gets the INVITE through P -> S -> I -> S -> P", got is not None)
    if got is None:
        return
    ok = answer_200(got, bob_contact)  # built once: both copies carry one To tag
    bob.sock.sendto(ok, addr)
    first = recv_200(alice, call_id, 5)
    check("alice gets the 200", first is not None, repr(first))
    if first is None:
        return
    bob.sock.sendto(ok, addr)  # the UAS's retransmission (Timer G would)
    again = recv_200(alice, call_id, 3)
    check("alice gets bob's retransmitted 200 too", again is not None)
    if again is not None:
        vias = again.all("via") + again.all("v")
        check("... with her own Via alone on it", len(vias) == 1 and
              ("127.0.0.42:%d" % alice.port) in vias[0], repr(vias))
        check("... and bob's To tag", again.get("to") == first.get("to"),
              "%r / %r" % (again.get("to"), first.get("to")))
    gone = daemons_alive()
    check("every daemon still runs", not gone, "gone: %s" % ", ".join(gone))
    alice.send(in_dialog(alice, "ACK", 1, first, call_id, bob_contact))
    ack, _ = recv_request(bob, "ACK", 5)
    check("bob gets the ACK", ack is not None)
    alice.send(in_dialog(alice, "BYE", 2, first, call_id, bob_contact))
    bye, addr = recv_request(bob, "BYE", 5)
    check("bob gets the BYE", bye is not None)
    if bye is not None:
        bob.sock.sendto(reply(bye, 200, "OK"), addr)
        r = recv_200(alice, call_id, 5)
        check("alice gets the BYE's 200", r is not None and "BYE" in (r.get("cseq") or ""),
              repr(r))


def main():
    alice = UA("127.0.0.42")
    bob = UA("127.0.0.43")
    r = alice.register("alice")
    check("alice registers from 127.0.0.42", r is not None and r.status == 200, repr(r))
    r = bob.register("bob")
    check("bob registers from 127.0.0.43", r is not None and r.status == 200, repr(r))
    try:
        if not failed:
            call(alice, bob)
    finally:
        for ua, user in ((alice, "alice"), (bob, "bob")):
            ua.sock.settimeout(None)
            r = ua.register(user, expires=0)
            check("%s de-registers" % user, r is not None and r.status == 200, repr(r))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
