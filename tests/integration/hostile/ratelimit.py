#!/usr/bin/env python3
"""hostile.ratelimit — the P-CSCF runs with [pcscf] rate_limit = RATE
(test-ratelimit.sh).  A flood of new requests from 127.0.0.20 is limited:
about RATE a second pass, the others get 503 with Retry-After (none gets
another status); meanwhile a UE at 127.0.0.21 registers (MD5) and
a third address is answered at once; after a quiet second the flooding
address is served again."""
import multiprocessing
import os
import socket
import sys
import time

from sipua import DOMAIN, PCSCF, UA, check, failed, rnd

RATE = int(os.environ.get("RATE", "20"))
FLOOD_SECONDS = 3.0
FLOOD_RATE = 1000  # requests/s from the flooding address: 50 x a limit of 20


def options(ua, branch):
    return ua.request("OPTIONS", "sip:pcscf.%s:4060" % DOMAIN, [], from_user="flood",
                      branch=branch)


def flood(queue):
    """A separate process (no GIL shared with the registering UE)."""
    from sipua import Response
    ua = UA("127.0.0.20")
    ua.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    ua.sock.setblocking(False)
    sent = 0
    start = time.time()
    answers = {}
    while time.time() - start < FLOOD_SECONDS:
        for _ in range(20):
            try:
                ua.send(options(ua, rnd(12)))
                sent += 1
            except BlockingIOError:
                pass
        while sent > (time.time() - start) * FLOOD_RATE:
            time.sleep(0.001)
        try:
            while True:
                data, _ = ua.sock.recvfrom(65535)
                r = Response(data)
                answers.setdefault(r.status, []).append(r.get("retry-after"))
        except BlockingIOError:
            pass
    elapsed = time.time() - start
    ua.sock.settimeout(2)
    try:
        while True:
            data, _ = ua.sock.recvfrom(65535)
            r = Response(data)
            answers.setdefault(r.status, []).append(r.get("retry-after"))
    except OSError:
        pass
    queue.put(dict(sent=sent, answers=answers, elapsed=elapsed))
    ua.close()


def main():
    queue = multiprocessing.Queue()
    t = multiprocessing.Process(target=flood, args=(queue,))
    t.start()
    time.sleep(0.5)
    # another UE registers while the flood goes on
    ue = UA("127.0.0.21")
    t0 = time.time()
    r = ue.register("bob")  # retransmits over UDP, as a UE does
    check("bob registers from 127.0.0.21 during the flood", r is not None and r.status == 200,
          "%r in %.2fs" % (r, time.time() - t0))
    other = UA("127.0.0.22")
    r = other.ask(options(other, rnd(12)), 2)
    check("a third address is answered during the flood", r is not None and r.status == 200,
          repr(r))
    stats = queue.get(timeout=30)
    t.join()
    sent, answers, elapsed = stats["sent"], stats["answers"], stats["elapsed"]
    ok200 = len(answers.get(200, []))
    r503 = answers.get(503, [])
    others = {k: len(v) for k, v in answers.items() if k not in (200, 503)}
    print("flood: %d requests in %.1fs; 200: %d, 503: %d, other: %s, unanswered: %d" % (
        sent, elapsed, ok200, len(r503), others, sent - ok200 - len(r503) - sum(others.values())))
    budget = RATE * (elapsed + 1) + 5  # the burst, then the rate
    check("flood: requests passed stay within the rate (%d <= %.0f)" % (ok200, budget),
          RATE <= ok200 <= budget, "sent %d" % sent)
    # UDP under a flood loses some datagrams in socket buffers (either
    # way); what arrives over the limit is answered 503, nothing else
    check("flood: the others got 503 (at least 90%: UDP loses some in buffers), "
          "no other status", len(r503) >= 0.9 * (sent - ok200) and not others,
          "503: %d of %d" % (len(r503), sent - ok200))
    check("flood: every 503 has Retry-After",
          all(r503) and len(r503) > 0)
    time.sleep(1.5)
    flooder = UA("127.0.0.20")
    r = flooder.ask(options(flooder, rnd(12)), 2)
    check("the flooding address is served again after a quiet second",
          r is not None and r.status == 200, repr(r))
    r = ue.register("bob", expires=0)
    check("bob de-registers", r is not None and r.status == 200, repr(r))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
