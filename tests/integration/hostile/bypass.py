#!/usr/bin/env python3
"""hostile.bypass — no way around the P-CSCF.  alice and bob register
through the P-CSCF from 127.0.0.30 / .31 (bob's UE answers every INVITE
with 486 and notes who it claims to be from); an attacker at other
loopback addresses (never the core's 127.0.0.1) then tries:

  - calls from an unregistered or a de-registered UE (403)
  - a forged Route to the S-CSCF's originating side, or to a UE's contact
    through the P-CSCF's terminating side, with a forged
    P-Asserted-Identity, sent to the P-CSCF (403) or to the I-CSCF
    (routed as a terminating call that asserts no one)
  - a registered UE asserting another identity (corrected to its own)
  - registering another's identity with one's own credentials (403), a
    forged Path in a REGISTER (removed), identities that try SQL (403)

  - INVITEs sent straight to the S-CSCF, originating (orig Route) or
    terminating, asserting alice (403: the S-CSCF trusts only the core)

With --scscf-register: a REGISTER sent straight to the S-CSCF, with
alice's credentials for bob (403) and with bob's own (403 wanted: the
S-CSCF takes REGISTER only from the core; hostile.bypass_scscf_register)."""
import re
import sys
import time

from sipua import DOMAIN, ICSCF, PCSCF, SCSCF, UA, check, failed, reply, rnd


class Callee(UA):
    """bob's UE: answers INVITE 486, other requests 200, notes the INVITEs."""

    def __init__(self, ip):
        UA.__init__(self, ip)
        self.invites = []
        self.extra = ""  # header lines added to the 486

    def serve(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            self.sock.settimeout(max(0.01, end - time.time()))
            try:
                data, addr = self.sock.recvfrom(65535)
            except OSError:
                continue
            first = data.split(b"\r\n", 1)[0]
            if first.startswith(b"SIP/2.0"):
                continue
            method = first.split(b" ", 1)[0]
            if method == b"INVITE":
                pai = re.findall(rb"(?im)^p-asserted-identity\s*:\s*(.*)$", data)
                self.invites.append([p.decode().strip() for p in pai])
                self.sock.sendto(reply(data, 486, "Busy Here", self.extra), addr)
            elif method != b"ACK":
                self.sock.sendto(reply(data, 200, "OK"), addr)


def attack(name, attacker, bob, data, dest, want_statuses, bob_may_ring=False):
    """Send data from attacker to dest, serve bob meanwhile; the attacker's
    final answer must be in want_statuses; bob must not see an INVITE that
    asserts alice (and none at all unless bob_may_ring)."""
    before = len(bob.invites)
    attacker.send(data, dest)
    call_id = re.search(rb"(?im)^call-id\s*:\s*(\S+)", data).group(1).decode()
    end = time.time() + 8
    r = None
    while time.time() < end and r is None:
        bob.serve(0.2)
        r = attacker.final(call_id, 0.05)
    bob.serve(0.5)
    seen = bob.invites[before:]
    check(name + ": answered %s" % "/".join(map(str, want_statuses)),
          r is not None and r.status in want_statuses, repr(r))
    spoofed = [p for p in seen if any("alice" in x for x in p)]
    if bob_may_ring:
        check(name + ": bob never sees alice asserted", not spoofed, repr(seen))
    else:
        check(name + ": bob's UE is not reached", not seen, repr(seen))
    return r


def invite(ua, callee_uri, route=None, pai="<sip:alice@%s>" % DOMAIN, to_tag=None,
           extra=()):
    hdrs = list(extra)
    if pai:
        hdrs.append("P-Asserted-Identity: " + pai)
    if route:
        hdrs.append("Route: " + route)
    return ua.request("INVITE", callee_uri, hdrs, from_user="alice",
                      to="<sip:bob@%s>" % DOMAIN, to_tag=to_tag)


def main(scscf_only):
    alice = UA("127.0.0.30")
    bob = Callee("127.0.0.31")
    r = alice.register("alice")
    check("alice registers from 127.0.0.30", r is not None and r.status == 200, repr(r))
    r = bob.register("bob")
    check("bob registers from 127.0.0.31", r is not None and r.status == 200, repr(r))
    bob_contact = "sip:bob@127.0.0.31:%d" % bob.port
    orig = "<sip:orig@scscf.%s:6060;lr>" % DOMAIN
    evil = UA("127.0.0.32")
    try:
        if scscf_only:
            scscf_register_cases()
        else:
            pcscf_cases(alice, bob, evil, orig, bob_contact)
            scscf_cases(evil, bob, orig)
    finally:
        for ua, user in ((alice, "alice"), (bob, "bob")):
            r = ua.register(user, expires=0)
            check("%s de-registers" % user, r is not None and r.status == 200, repr(r))
    return 1 if failed else 0


def pcscf_cases(alice, bob, evil, orig, bob_contact):
    # --- through the P-CSCF ---
    attack("INVITE from an unregistered UE", evil, bob,
           invite(evil, "sip:bob@" + DOMAIN, pai=None), PCSCF, [403])
    attack("INVITE from an unregistered UE with Route <pcscf>,<orig@scscf> and "
           "P-Asserted-Identity alice", evil, bob,
           invite(evil, "sip:bob@" + DOMAIN,
                  route="<sip:pcscf.%s:4060;lr>, %s" % (DOMAIN, orig)), PCSCF, [403])
    attack("INVITE to bob's contact through the P-CSCF's terminating side "
           "(Route <sip:term@pcscf>) asserting alice", evil, bob,
           invite(evil, bob_contact, route="<sip:term@pcscf.%s:4060;lr>" % DOMAIN),
           PCSCF, [403])
    attack("in-dialog-looking INVITE (To tag) from an unregistered UE asserting alice",
           evil, bob,
           invite(evil, bob_contact, route="<sip:pcscf.%s:4060;lr>" % DOMAIN,
                  to_tag="forged"), PCSCF, [403])
    # --- straight to the I-CSCF ---
    attack("INVITE straight to the I-CSCF with Route <orig@scscf> asserting alice",
           evil, bob, invite(evil, "sip:bob@" + DOMAIN, route=orig), ICSCF,
           [403, 404, 480, 486], bob_may_ring=True)
    # --- a registered UE asserting someone else ---
    carol = "<sip:carol@%s>" % DOMAIN
    for label, hdr in (("P-Asserted-Identity", "P-Asserted-Identity: " + carol),
                       ("P-Preferred-Identity", "P-Preferred-Identity: " + carol)):
        before = len(bob.invites)
        alice.send(alice.request("INVITE", "sip:bob@" + DOMAIN, [hdr], from_user="alice",
                                 to="<sip:bob@%s>" % DOMAIN))
        r = None
        end = time.time() + 8
        while time.time() < end and r is None:
            bob.serve(0.2)
            r = alice.final(alice.last_call_id, 0.05)
        seen = bob.invites[before:]
        check("alice's INVITE with %s carol reaches bob (486)" % label,
              r is not None and r.status == 486, repr(r))
        check("... asserting alice, not carol", len(seen) == 1 and
              any("alice" in p for p in seen[0]) and not any("carol" in p for p in seen[0]),
              repr(seen))
    # --- a hostile answer: a response sofia-sip could not forward ---
    bob.extra = "Max-Forwards: 70\r\nMax-Forwards: 1\r\n"
    alice.send(alice.request("INVITE", "sip:bob@" + DOMAIN, [], from_user="alice",
                             to="<sip:bob@%s>" % DOMAIN))
    r = None
    end = time.time() + 10
    while time.time() < end and r is None:
        bob.serve(0.2)
        r = alice.final(alice.last_call_id, 0.05)
    bob.extra = ""
    check("bob answers with two Max-Forwards: alice gets 502 (the response is dropped, "
          "not forwarded: sofia-sip aborted serialising it)", r is not None and r.status == 502,
          repr(r))
    r = alice.ask(alice.request("OPTIONS", "sip:pcscf.%s:4060" % DOMAIN, [], from_user="alice"))
    check("... and the P-CSCF still answers", r is not None and r.status == 200, repr(r))
    # --- registration ---
    mallory = UA("127.0.0.33")
    r = mallory.register("bob", auth_user="alice")
    check("alice's credentials with bob's To: 403", r is not None and r.status == 403, repr(r))
    r = mallory.register("bob", password="not-bobs")
    check("bob's identity with a wrong password: 403", r is not None and r.status == 403,
          repr(r))
    for impu in ("alice'--", "x' OR '1'='1"):
        r = mallory.register(impu, auth_user="alice")
        check("REGISTER for %r (SQL in the identity): 403" % impu,
              r is not None and r.status in (400, 403), repr(r))
    r = mallory.register("alice", extra=["Path: <sip:evil@127.0.0.99:5060;lr>"])
    check("alice registers from 127.0.0.33 with a forged Path", r is not None and r.status == 200,
          repr(r))
    paths = r.all("path") if r else []
    check("... the forged Path is not kept", r is not None and
          not any("127.0.0.99" in p for p in paths), repr(paths))
    r = mallory.register("alice", expires=0)
    check("... and de-registers", r is not None and r.status == 200, repr(r))
    # --- a de-registered UE cannot call ---
    gone = UA("127.0.0.34")
    r = gone.register("alice")
    check("alice registers from 127.0.0.34", r is not None and r.status == 200, repr(r))
    r = gone.register("alice", expires=0)
    check("... de-registers", r is not None and r.status == 200, repr(r))
    attack("INVITE from the de-registered UE", gone, bob,
           gone.request("INVITE", "sip:bob@" + DOMAIN, [], from_user="alice",
                        to="<sip:bob@%s>" % DOMAIN), PCSCF, [403])


def scscf_cases(evil, bob, orig):
    attack("INVITE straight to the S-CSCF with Route <orig@scscf> asserting alice",
           evil, bob, invite(evil, "sip:bob@" + DOMAIN, route=orig), SCSCF, [403])
    attack("INVITE straight to the S-CSCF (terminating) asserting alice", evil, bob,
           invite(evil, "sip:bob@" + DOMAIN), SCSCF, [403], bob_may_ring=True)


def scscf_register_cases():
    direct = UA("127.0.0.35", dest=SCSCF)
    r = direct.register("bob", auth_user="alice")
    check("REGISTER straight to the S-CSCF, alice's credentials with bob's To: 403",
          r is not None and r.status == 403, repr(r))
    r = direct.register("bob")
    check("REGISTER straight to the S-CSCF (no P-CSCF, no Path): 403",
          r is not None and r.status == 403, repr(r))
    if r is not None and r.status == 200:
        direct.register("bob", expires=0)


if __name__ == "__main__":
    sys.exit(main("--scscf-register" in sys.argv[1:]))
