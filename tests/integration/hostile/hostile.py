#!/usr/bin/env python3
"""hostile.malformed — malformed, truncated, oversized and contradictory
SIP at the P-CSCF (UDP and TCP, from 127.0.0.5.., never the core's
127.0.0.1): each gets the answer RFC 3261 asks for (400, 413, 483, 505,
401 ...) or is dropped (a response, garbage, a request without a usable
Via), and the P-CSCF answers OPTIONS after every case.  The caller then
registers a UE with SIPp (test-malformed.sh)."""
import re
import socket
import sys
import time

from sipua import DOMAIN, PCSCF, UA, rnd

FAILED = []
CASES = 0


def check(name, ok, detail=""):
    global CASES
    CASES += 1
    print("%s: %s%s" % ("ok" if ok else "FAIL", name, (" (%s)" % detail) if detail else ""))
    if not ok:
        FAILED.append(name)


def alive(name):
    """The P-CSCF still answers an OPTIONS to itself."""
    ua = UA("127.0.0.5")
    r = ua.ask(ua.request("OPTIONS", "sip:pcscf.%s:4060" % DOMAIN, [], from_user="probe"), 3)
    ua.close()
    if r is None or r.status != 200:
        check("P-CSCF alive after %s" % name, False, repr(r))
        print("P-CSCF is gone: stopping", file=sys.stderr)
        sys.exit(1)


def expect(name, data, statuses, tcp=False, ip="127.0.0.6", timeout=3.0):
    """Send data; the final answer must be one of statuses (None in the
    list: no answer is right too)."""
    ua = UA(ip, tcp=tcp)
    try:
        ua.send(data)
        r = ua.final(None, timeout)
    except (ConnectionError, OSError) as e:  # TCP closed on us: no answer
        r = None
        print("   (%s)" % e)
    finally:
        ua.close()
    got = r.status if r else None
    check(name, got in statuses, "got %s, want %s" % (got, " or ".join(map(str, statuses))))
    alive(name)
    return r


def msg(method="REGISTER", ruri="sip:" + DOMAIN, via=None, extra=(), body=b"",
        length=None, drop=(), user="hostile"):
    """A request with every mandatory header, minus drop, plus extra."""
    cid = "%s@127.0.0.6" % rnd()
    hdrs = [
        ("Via", via or "SIP/2.0/UDP 127.0.0.6:5999;branch=z9hG4bK%s;rport" % rnd()),
        ("Max-Forwards", "70"),
        ("From", "<sip:%s@%s>;tag=%s" % (user, DOMAIN, rnd(6))),
        ("To", "<sip:%s@%s>" % (user, DOMAIN)),
        ("Call-ID", cid),
        ("CSeq", "1 %s" % method),
        ("Contact", "<sip:%s@127.0.0.6:5999>" % user),
    ]
    lines = ["%s %s SIP/2.0" % (method, ruri)]
    lines += ["%s: %s" % (k, v) for k, v in hdrs if k not in drop]
    lines += list(extra)
    lines.append("Content-Length: %d" % (len(body) if length is None else length))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def fix_via(data, ua_ip, tcp):
    return data


def main():
    alive("start")
    # --- framing: Content-Length ---
    expect("Content-Length larger than the UDP datagram: 400 (RFC 3261 18.3)",
           msg("OPTIONS", body=b"abc", length=500), [400, None])
    expect("Content-Length smaller than the body: the rest is ignored",
           msg("OPTIONS", ruri="sip:pcscf.%s:4060" % DOMAIN, body=b"abcdef", length=2,
               extra=["Content-Type: text/plain"]), [200])
    expect("Content-Length not a number: 400",
           msg("OPTIONS", extra=[]).replace(b"Content-Length: 0", b"Content-Length: x1"),
           [400, None])
    expect("negative Content-Length: 400",
           msg("OPTIONS").replace(b"Content-Length: 0", b"Content-Length: -5"), [400, None])
    # --- contradictory and duplicated headers ---
    expect("two Call-IDs: 400", msg(extra=["Call-ID: second@x"]), [400])
    expect("two From headers: 400",
           msg(extra=["From: <sip:other@%s>;tag=2" % DOMAIN]), [400])
    expect("two Max-Forwards (sofia-sip used to abort forwarding it): 400",
           msg(extra=["Max-Forwards: 10"]), [400])
    expect("two Expires: 400", msg(extra=["Expires: 60", "Expires: 0"]), [400])
    expect("two CSeq: 400", msg(extra=["CSeq: 2 REGISTER"]), [400])
    expect("CSeq method differs from the request line: 400",
           msg("INVITE").replace(b"CSeq: 1 INVITE", b"CSeq: 1 BYE"), [400])
    expect("two Content-Length headers: 400",
           msg("OPTIONS").replace(b"Content-Length: 0", b"Content-Length: 0\r\nContent-Length: 7"),
           [400])
    # --- missing mandatory headers ---
    for h in ("Call-ID", "CSeq", "From", "To"):
        expect("no %s: 400" % h, msg(drop=[h]), [400])
    expect("no Via: dropped (nowhere to answer)", msg(drop=["Via"]), [None])
    # --- Via ---
    expect("Via without a host: dropped or 400",
           msg(via="SIP/2.0/UDP ;branch=z9hG4bKx"), [400, None])
    expect("Via of another protocol version: dropped or 400",
           msg(via="SIP/3.0/UDP 127.0.0.6:5999;branch=z9hG4bKy"), [400, None])
    expect("Via garbage: dropped or 400", msg(via="@@@ ;;; ==="), [400, None])
    expect("Via rport=garbage, received=garbage: 400 or answered",
           msg("OPTIONS", ruri="sip:pcscf.%s:4060" % DOMAIN,
               via="SIP/2.0/UDP 127.0.0.6:5999;branch=z9hG4bKz;rport=abc;received=x"),
           [200, 400, None])
    # --- request line and URIs ---
    # sofia-sip's parser takes only SIP/2.0 in a start line; what it cannot
    # parse has no transaction to answer in: dropped
    expect("SIP/3.0 request: 505 or dropped",
           msg().replace(b" SIP/2.0\r\n", b" SIP/3.0\r\n", 1), [505, None])
    expect("Request-URI without a host: 400 or dropped", msg(ruri="sip:"), [400, None])
    expect("REGISTER to a Request-URI that is no SIP URI: 416 (RFC 3261 16.3)",
           msg(ruri="::::@@@"), [416])
    expect("REGISTER to a tel: URI: 416", msg(ruri="tel:+123"), [416])
    expect("INVITE to an unknown scheme from a non-registered UE: 403 or 416",
           msg("INVITE", ruri="foo:bar"), [400, 403, 416])
    expect("To URI garbage: 400, or 403 (no such user)",
           msg().replace(b"To: <sip:hostile@", b"To: <sip:@@@@"), [400, 403])
    expect("REGISTER of an unknown user: 403", msg(), [403])
    expect("Contact URI garbage on REGISTER: 400 or refused",
           msg().replace(b"Contact: <sip:hostile@127.0.0.6:5999>", b"Contact: <<<>>>"),
           [400, 401, 403])
    expect("Max-Forwards: 0 -> 483", msg("OPTIONS", extra=[]).replace(
        b"Max-Forwards: 70", b"Max-Forwards: 0"), [483])
    # --- truncated and garbage ---
    full = msg("INVITE", body=b"v=0\r\n", extra=["Content-Type: application/sdp"])
    expect("truncated in the headers (UDP): dropped or 400", full[:len(full) // 3], [400, None])
    expect("truncated in the start line: dropped", full[:10], [None])
    expect("binary garbage: dropped", bytes(range(256)) * 4, [None])
    expect("a response nobody asked for: dropped",
           b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:4060;branch=z9hG4bKnone\r\n"
           b"From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n"
           b"Content-Length: 0\r\n\r\n", [None])
    expect("NUL bytes in a header value: 400 or dropped",
           msg(extra=["Subject: a\x00b"]), [400, None, 401])
    # --- huge messages ---
    many = ["X-Junk-%d: %s" % (i, "y" * 10) for i in range(3000)]
    expect("3000 headers over UDP: 400/413 or dropped, never a crash",
           msg("OPTIONS", ruri="sip:pcscf.%s:4060" % DOMAIN, extra=many[:3000])[:65000],
           [200, 400, 413, None])
    expect("10000 headers over TCP: answered or refused, never a crash",
           msg("OPTIONS", ruri="sip:pcscf.%s:4060" % DOMAIN,
               via="SIP/2.0/TCP 127.0.0.6:5999;branch=z9hG4bK%s" % rnd(),
               extra=["X-Junk-%d: y" % i for i in range(10000)]),
           [200, 400, 413, None], tcp=True)
    big = b"x" * (3 * 1024 * 1024)
    expect("3 MB body over TCP (nta's limit is 2 MB): 413 or closed",
           msg("MESSAGE", ruri="sip:bob@%s" % DOMAIN,
               via="SIP/2.0/TCP 127.0.0.6:5999;branch=z9hG4bK%s" % rnd(),
               extra=["Content-Type: text/plain"], body=big), [413, 400, None], tcp=True,
           timeout=8)
    expect("60 KB header value over UDP: answered, refused or dropped",
           msg("OPTIONS", ruri="sip:pcscf.%s:4060" % DOMAIN, extra=["Subject: " + "s" * 60000]),
           [200, 400, 413, None])
    expect("a URI of 8 KB in To: refused",
           msg().replace(b"To: <sip:hostile@", b"To: <sip:" + b"u" * 8192 + b"@"),
           [400, 403, 401, 413, 500])
    # a TCP connection that sends half a message and stalls must not block others
    stall = socket.create_connection(PCSCF)
    stall.sendall(msg("OPTIONS")[:40])
    alive("a stalled TCP connection")
    stall.close()

    # --- Authorization ---
    def reg(auth, user="alice"):
        return msg(extra=["Expires: 60", auth], user=user)
    expect("Authorization garbage: 400 or a new challenge",
           reg('Authorization: Digest ,,,=,="'), [400, 401])
    expect("Authorization of another scheme (Basic): challenged",
           reg("Authorization: Basic YWxpY2U6YWxpY2U="), [401])
    expect("Authorization without nonce: challenged",
           reg('Authorization: Digest username="alice@%s", realm="%s", uri="sip:%s", '
               'response="00"' % (DOMAIN, DOMAIN, DOMAIN), user="alice"), [401])
    expect("Authorization without response: challenged",
           reg('Authorization: Digest username="alice@%s", realm="%s", nonce="abc", '
               'uri="sip:%s"' % (DOMAIN, DOMAIN, DOMAIN), user="alice"), [401])
    expect("Authorization with a 10 KB username: refused",
           reg('Authorization: Digest username="%s", realm="%s", nonce="", uri="sip:%s", '
               'response=""' % ("u" * 10000, DOMAIN, DOMAIN)), [400, 401, 403])
    expect("AKA nonce never issued (not base64 of RAND||AUTN): challenged again",
           reg('Authorization: Digest username="carol@%s", realm="%s", nonce="!!notbase64", '
               'uri="sip:%s", response="00000000000000000000000000000000", '
               'algorithm=AKAv1-MD5, qop=auth, nc=00000001, cnonce="c"' % (DOMAIN, DOMAIN,
                                                                          DOMAIN), user="carol"),
           [401, 403])
    expect("AKA nonce of the right form never issued, with auts: challenged again or 403",
           reg('Authorization: Digest username="carol@%s", realm="%s", '
               'nonce="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", uri="sip:%s", '
               'response="", algorithm=AKAv1-MD5, qop=auth, nc=00000001, cnonce="c", '
               'auts="AAAAAAAAAAAAAAAAAAA="' % (DOMAIN, DOMAIN, DOMAIN), user="carol"),
           [401, 403])

    # --- replayed nonce / nc: a real registration, then its REGISTER replayed ---
    ua = UA("127.0.0.7")
    r = ua.register("alice")
    check("alice registers (MD5) from 127.0.0.7", r is not None and r.status == 200, repr(r))
    if r is not None and r.status == 200:
        replay = re.sub(rb"branch=z9hG4bK\w+", b"branch=z9hG4bKreplay" + rnd().encode(),
                        ua.last_register)
        r2 = ua.ask(replay)
        check("the same REGISTER replayed (same nonce, same nc, new branch): not accepted",
              r2 is not None and r2.status in (401, 403), repr(r2))
        replay = re.sub(rb"CSeq: (\d+)", lambda m: b"CSeq: %d" % (int(m.group(1)) + 7), replay)
        replay = re.sub(rb"branch=z9hG4bK\w+", b"branch=z9hG4bKreplay" + rnd().encode(), replay)
        r3 = ua.ask(replay)
        check("replayed with a new CSeq: not accepted", r3 is not None and r3.status in (401, 403),
              repr(r3))
        other = UA("127.0.0.8")
        replay = replay.replace(b"127.0.0.7", b"127.0.0.8")
        r4 = other.ask(replay)
        check("replayed from another address: not accepted",
              r4 is not None and r4.status in (401, 403), repr(r4))
        other.close()
        r5 = ua.register("alice", expires=0)
        check("alice de-registers", r5 is not None and r5.status == 200, repr(r5))
    ua.close()
    alive("the end")
    print("%d cases, %d failed" % (CASES, len(FAILED)))
    for f in FAILED:
        print("  FAILED: " + f)
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
