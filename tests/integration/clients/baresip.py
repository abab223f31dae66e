#!/usr/bin/env python3
"""clients.baresip: a real softphone, Debian's baresip (package
baresip-core), headless against the test lab.

Two baresips, each with a configuration folder of its own (written here:
`config` with no audio driver at all -- baresip then runs the call without
sound -- and only the modules needed: the stdio console, the menu, G.711,
the account loader; `accounts` with one account), on 127.0.0.1, with the
P-CSCF as outbound proxy, as a softphone is set up (README, "Connecting
clients"): user alice (bob), authentication user alice@open-ims.test,
Digest MD5.  No DNS server of the lab is configured: like a softphone
given only the P-CSCF's address, baresip must reach everything without
resolving a name of open-ims.test (the P-CSCF's Record-Route is its
address).

  alice and bob register: 200 OK;
  alice dials sip:bob@open-ims.test; bob answers on his own
  (;answermode=auto); the call is established at both ends and the
  S-CSCF's call log (imsctl calls) lists it answered;
  alice hangs up; bob's side closes; the call log has its end time;
  both quit (q): each de-registers and exits.

Every wait is bounded, and each baresip also quits on its own after
BARESIP_LIFETIME seconds (-t).  The consoles are kept in
$IMS_STATE/clients/baresip-*.log."""
import os
import shutil
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uaproc import (Failure, Tap, UAProc, call_log, log_mark, log_since, logged,  # noqa: E402
                    skip)

SOURCE = os.environ.get("IMS_SOURCE",
                        os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))
STATE = os.environ.get("IMS_STATE", os.path.join(SOURCE, ".lab"))
DOMAIN = "open-ims.test"
PCSCF = "127.0.0.1:4060"
MODULES = "/usr/lib/baresip/modules"
BARESIP_LIFETIME = 120  # s
REG_WAIT = 20
CALL_WAIT = 15

CONFIG = """\
# written by tests/integration/clients/baresip.py
poll_method		epoll
sip_listen		127.0.0.1:{port}
call_local_timeout	30
call_max_calls		2
# no audio driver module is loaded: the call runs without sound
audio_player		none
audio_source		none
audio_alert		none
rtp_ports		{rtp}-{rtp_end}
module_path		{modules}
module			stdio.so
module			g711.so
module_tmp		account.so
module_app		menu.so
"""

ACCOUNT = ('<sip:{user}@{domain}>;auth_user={user}@{domain};auth_pass={user}'
           ';outbound="sip:{pcscf};lr";regint=600;audio_codecs=pcmu,pcma{extra}\n')


def free_port():
    """A UDP and TCP port free on 127.0.0.1, outside the lab's."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
    raise Failure("no free port")


def setup(home, user, port, rtp, extra=""):
    os.makedirs(home, exist_ok=True)
    with open(os.path.join(home, "config"), "w") as f:
        f.write(CONFIG.format(port=port, rtp=rtp, rtp_end=rtp + 9, modules=MODULES))
    with open(os.path.join(home, "accounts"), "w") as f:
        f.write(ACCOUNT.format(user=user, domain=DOMAIN, pcscf=PCSCF, extra=extra))


def main():
    baresip = shutil.which("baresip")
    if not baresip:
        skip("baresip is not installed (Debian package baresip-core; scripts/deps installs it)")
    tap = Tap()
    work = os.path.join(STATE, "clients")
    os.makedirs(work, exist_ok=True)
    ua = {}
    try:
        for user, extra in (("alice", ""), ("bob", ";answermode=auto")):
            home = os.path.join(work, "baresip-" + user)
            setup(home, user, free_port(), 30000 if user == "alice" else 30010, extra)
            ua[user] = UAProc(user, [baresip, "-f", home, "-t", str(BARESIP_LIFETIME)],
                              os.path.join(work, "baresip-%s.log" % user))
            m = ua[user].expect(r"%s@%s.*\b(\d{3}) " % (user, DOMAIN), REG_WAIT,
                                "registration answer")
            if not tap.check("baresip %s registers: 200 OK" % user, m.group(1) == "200",
                             m.group(0)):
                raise Failure("%s did not register" % user)

        before = set(call_log(SOURCE, "alice", "bob"))
        ua["alice"].send("/dial sip:bob@%s" % DOMAIN)
        ua["bob"].expect(r"answering call .* from sip:alice@%s with 200" % DOMAIN, CALL_WAIT,
                         "answering the call from alice with 200")
        tap.ok("bob's baresip answers alice's call on its own (answermode=auto): 200")
        ua["alice"].expect(r"alice@%s: Call established: sip:bob@%s" % (DOMAIN, DOMAIN),
                           CALL_WAIT, "call established")
        ua["bob"].expect(r"bob@%s: Call established: sip:alice@%s" % (DOMAIN, DOMAIN),
                         CALL_WAIT, "call established")
        tap.ok("the call is established at both ends")

        time.sleep(1)
        ua["alice"].send("/hangup")
        ua["alice"].expect(r"Call with sip:bob@%s terminated" % DOMAIN, CALL_WAIT,
                           "call terminated")
        ua["bob"].expect(r"Call with sip:alice@%s terminated" % DOMAIN, CALL_WAIT,
                         "call terminated by alice's BYE")
        tap.ok("alice hangs up; the call is over at both ends")
        logged(tap, SOURCE, "alice", "bob", before)

        for user in ("alice", "bob"):
            mark = log_mark(STATE)
            ua[user].send("/quit")
            rc = ua[user].wait(15)
            tap.check("baresip %s quits (exit 0)" % user, rc == 0, "exit %s" % rc)
            tap.check("... and de-registers: the S-CSCF's log says 200, 0 bindings",
                      log_since(STATE, mark, r"200 for sip:%s@%s, 0 binding" % (user, DOMAIN)))
    except Failure as e:
        tap.fail(str(e))
        for user, u in ua.items():
            print("# --- last lines of %s's baresip:" % user)
            for line in u.tail(40).splitlines():
                print("#   " + line)
    finally:
        for u in ua.values():
            u.stop()
    return tap.done("consoles in " + work)


if __name__ == "__main__":
    sys.exit(main())
