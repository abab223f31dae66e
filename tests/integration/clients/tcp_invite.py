#!/usr/bin/env python3
"""clients.tcp_invite_of_udp_ue: what PJSUA does with a call, by raw
sockets (sipua.py), from loopback addresses that are not the core's.

PJSUA registers over UDP, but sends its INVITE (about 1,500 bytes with its
SDP) over a new TCP connection, from a port of the connection's own, as
RFC 3261 §18.1.1 says for a request within 200 bytes of the MTU; the
P-CSCF forwards it to the callee over TCP for the same reason.  Then both
follow the P-CSCF's Record-Route for ACK and BYE, and resolve no name of
the home network (a softphone is given the P-CSCF's address only).  So:

  - alice (127.0.0.40) and bob (127.0.0.41) register over UDP, each
    listening on TCP too on the same port, as PJSUA does;
  - alice's 1,500-byte INVITE over TCP, with her registered Contact, is
    hers: bob gets it with P-Asserted-Identity alice (it was refused with
    403 'not registered': the P-CSCF knew alice by her UDP address only);
  - the P-CSCF's Record-Route entries name its address, not
    pcscf.open-ims.test (PJSUA failed to send its ACK: gethostbyname), and
    no transport=tcp (both registered over UDP), so ACK and BYE go over
    UDP from alice's registered address: bob gets the ACK, the BYE gets
    200;
  - refused as before: the same INVITE over TCP from 127.0.0.42 (alice's
    Contact, another address), and from alice's address with a Contact
    that is not registered (403, bob not reached)."""
import os
import re
import select
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../hostile"))
from sipua import DOMAIN, PCSCF, UA, rnd  # noqa: E402

failed = []


def check(name, ok, detail=""):
    print("%s - %s%s" % ("ok" if ok else "not ok", name, " (%s)" % detail if detail else ""),
          flush=True)
    if not ok:
        failed.append(name)
    return ok


def split_messages(buf):
    """Complete SIP messages at the start of buf (bytes): (messages, rest)."""
    out = []
    while True:
        i = buf.find(b"\r\n\r\n")
        if i < 0:
            return out, buf
        m = re.search(rb"(?im)^(?:content-length|l)\s*:\s*(\d+)", buf[:i])
        n = int(m.group(1)) if m else 0
        if len(buf) < i + 4 + n:
            return out, buf
        out.append(buf[:i + 4 + n])
        buf = buf[i + 4 + n:]


def headers(msg, name):
    return [v.decode().strip() for v in re.findall(rb"(?im)^%s\s*:\s*(.*?)\r$" % name.encode(),
                                                   msg.split(b"\r\n\r\n", 1)[0] + b"\r\n")]


SDP_SMALL = "v=0\r\no=- 2 2 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\nm=audio 4002 RTP/AVP 0\r\n"


class Phone:
    """A UE at ip: UDP (sipua's UA, which registers) and TCP on one port.
    serve() answers INVITE 200 (Record-Route copied), BYE 200, notes what
    it got and over which transport."""

    def __init__(self, ip, user):
        self.ua = UA(ip)
        self.ip, self.user, self.port = ip, user, self.ua.port
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((ip, self.port))
        self.listener.listen(8)
        self.conns = {}  # socket -> buffer
        self.got = []  # (method, transport, message)

    def close(self):
        for c in list(self.conns):
            c.close()
        self.listener.close()
        self.ua.close()

    def _answer(self, msg, reply):
        first = msg.split(b"\r\n", 1)[0]
        if first.startswith(b"SIP/2.0"):
            return
        method = first.split(b" ", 1)[0].decode()
        self.got.append((method, "tcp" if reply.__name__ == "tcp_reply" else "udp", msg))
        if method == "ACK":
            return
        keep = []
        for line in msg.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")[1:]:
            name = line.split(":", 1)[0].strip().lower()
            if name in ("via", "from", "call-id", "cseq", "record-route"):
                keep.append(line)
            elif name == "to":
                keep.append(line if ";tag=" in line else line + ";tag=" + rnd(6))
        body = SDP_SMALL.format(ip=self.ip) if method == "INVITE" else ""
        extra = ("Contact: <sip:%s@%s:%d>\r\nContent-Type: application/sdp\r\n"
                 % (self.user, self.ip, self.port)) if method == "INVITE" else ""
        reply(("SIP/2.0 200 OK\r\n%s\r\n%sContent-Length: %d\r\n\r\n%s"
               % ("\r\n".join(keep), extra, len(body), body)).encode())

    def serve(self, seconds):
        end = time.time() + seconds
        while True:
            left = end - time.time()
            if left <= 0:
                return
            socks = [self.ua.sock, self.listener] + list(self.conns)
            ready, _, _ = select.select(socks, [], [], left)
            for s in ready:
                if s is self.listener:
                    c, _ = s.accept()
                    self.conns[c] = b""
                elif s is self.ua.sock:
                    data, addr = s.recvfrom(65535)

                    def udp_reply(out, addr=addr):
                        self.ua.sock.sendto(out, addr)
                    self._answer(data, udp_reply)
                else:
                    data = s.recv(65535)
                    if not data:
                        s.close()
                        del self.conns[s]
                        continue
                    msgs, self.conns[s] = split_messages(self.conns[s] + data)
                    for m in msgs:
                        def tcp_reply(out, s=s):
                            s.sendall(out)
                        self._answer(m, tcp_reply)

    def methods(self):
        return [(m, t) for m, t, _ in self.got]


def big_invite(src_ip, src_port, contact, call_id):
    """alice's INVITE as PJSUA sends it over TCP: her registered Contact,
    the outbound proxy and her Service-Route as Route, ~1,500 bytes."""
    sdp = ("v=0\r\no=- 1 1 IN IP4 {ip}\r\ns=pjmedia\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
           "m=audio 4000 RTP/AVP 96 97 98 99 3 0 8 9 120 121 122\r\n").format(ip=src_ip)
    sdp += "".join("a=rtpmap:%d speex/%d\r\na=fmtp:%d mode=30 padding-to-a-pjsua-size\r\n"
                   % (96 + i, 8000 * (i + 1), 96 + i) for i in range(12))
    lines = [
        "INVITE sip:bob@%s SIP/2.0" % DOMAIN,
        "Via: SIP/2.0/TCP %s:%d;rport;branch=z9hG4bKPj%s;alias" % (src_ip, src_port, rnd(12)),
        "Max-Forwards: 70",
        "From: <sip:alice@%s>;tag=%s" % (DOMAIN, rnd(8)),
        "To: <sip:bob@%s>" % DOMAIN,
        "Contact: <%s;ob>" % contact,
        "Call-ID: %s" % call_id,
        "CSeq: 20678 INVITE",
        "Route: <sip:%s:%d;lr>" % PCSCF,
        "Route: <sip:orig@scscf.%s:6060;lr>" % DOMAIN,
        "Allow: PRACK, INVITE, ACK, BYE, CANCEL, UPDATE, INFO, MESSAGE, OPTIONS",
        "Supported: replaces, 100rel, timer, norefersub",
        "User-Agent: tcp_invite.py (as PJSUA/v2.17)",
        "Content-Type: application/sdp",
        "Content-Length: %d" % len(sdp),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n" + sdp).encode()


def final_over(ua, call_id, callee, seconds=8):
    """The final response to call_id on ua's TCP connection, serving the
    callee meanwhile."""
    end = time.time() + seconds
    while time.time() < end:
        callee.serve(0.1)
        r = ua.recv(0.05)
        if r is not None and r.get("call-id") == call_id and r.status >= 200:
            return r
    return None


def in_dialog(method, ua, ok, route_set, call_id, cseq):
    """ACK/BYE of alice's dialog (ok: the 2xx), over UDP from her
    registered address, to the first hop of the route set."""
    to = ok.get("to")
    target = re.search(r"<([^>]+)>", ok.get("contact")).group(1)
    lines = [
        "%s %s SIP/2.0" % (method, target),
        "Via: SIP/2.0/UDP %s:%d;rport;branch=z9hG4bKPj%s" % (ua.ip, ua.port, rnd(12)),
        "Max-Forwards: 70",
        "From: %s" % ok.get("from"),
        "To: %s" % to,
        "Call-ID: %s" % call_id,
        "CSeq: %d %s" % (cseq, method),
    ] + ["Route: %s" % r for r in route_set] + ["Content-Length: 0"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def main():
    alice = Phone("127.0.0.40", "alice")
    bob = Phone("127.0.0.41", "bob")
    evil = None
    try:
        r = alice.ua.register("alice")
        check("alice registers over UDP from 127.0.0.40", r is not None and r.status == 200,
              repr(r))
        r = bob.ua.register("bob")
        check("bob registers over UDP from 127.0.0.41", r is not None and r.status == 200,
              repr(r))
        contact = "sip:alice@127.0.0.40:%d" % alice.port

        # the call, as PJSUA places it
        conn = UA("127.0.0.40", tcp=True)
        call_id = "%s@pjsua-like" % rnd(12)
        invite = big_invite(conn.ip, conn.port, contact, call_id)
        check("alice's INVITE is over 1,300 bytes (RFC 3261 18.1.1: TCP)",
              len(invite) > 1300, "%d bytes" % len(invite))
        conn.send(invite)
        ok = final_over(conn, call_id, bob)
        check("alice's INVITE over TCP from another port of her address: 200",
              ok is not None and ok.status == 200, repr(ok))
        inv = [msg for m, _, msg in bob.got if m == "INVITE"]
        pai = headers(inv[0], "p-asserted-identity") if inv else []
        check("bob gets it asserting alice", pai == ["<sip:alice@%s>" % DOMAIN], repr(pai))
        if ok is None or ok.status != 200:
            return 1
        rr = []
        for v in ok.all("record-route"):
            rr += [x.strip() for x in v.split(",")]
        pcscf_rr = [x for x in rr if ":4060" in x or "pcscf" in x]
        check("the P-CSCF's Record-Route entries name its address, 127.0.0.1:4060",
              len(pcscf_rr) == 2 and all(x.startswith("<sip:127.0.0.1:4060;") for x in pcscf_rr),
              repr(rr))
        check("... without transport=tcp: alice and bob registered over UDP",
              not any("transport=tcp" in x for x in pcscf_rr), repr(pcscf_rr))

        route_set = list(reversed(rr))
        before = len(bob.got)
        alice.ua.send(in_dialog("ACK", alice.ua, ok, route_set, call_id, 20678), PCSCF)
        bob.serve(1.0)
        check("alice's ACK (UDP, from her registered address) reaches bob",
              ("ACK", "udp") in bob.methods()[before:], repr(bob.methods()[before:]))
        bye = in_dialog("BYE", alice.ua, ok, route_set, call_id, 20679)
        alice.ua.send(bye, PCSCF)
        r = None
        end = time.time() + 8
        while r is None and time.time() < end:
            bob.serve(0.1)
            r = alice.ua.final(call_id, 0.05)
        check("alice's BYE: 200 from bob", r is not None and r.status == 200, repr(r))

        # still refused
        for name, ip, cont in (("from 127.0.0.42 with alice's Contact", "127.0.0.42", contact),
                               ("from alice's address with a Contact not registered",
                                "127.0.0.40", "sip:alice@127.0.0.40:9")):
            evil = UA(ip, tcp=True)
            before = len(bob.got)
            cid = "%s@evil" % rnd(12)
            evil.send(big_invite(evil.ip, evil.port, cont, cid))
            r = final_over(evil, cid, bob)
            check("INVITE over TCP %s: 403" % name, r is not None and r.status == 403, repr(r))
            check("... bob is not reached", not bob.got[before:], repr(bob.methods()[before:]))
            evil.close()
            evil = None
        conn.close()
    finally:
        for p in (alice, bob):
            r = p.ua.register(p.user, expires=0)
            check("%s de-registers" % p.user, r is not None and r.status == 200, repr(r))
            p.close()
        if evil:
            evil.close()
    print("# %d check(s) failed" % len(failed) if failed else "# all checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
