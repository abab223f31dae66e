#!/usr/bin/env python3
"""clients.pjsua: the two PJSUA command lines of docs/walkthrough.md
section 3, exactly as written there (read from the file, so the document
and the test cannot part), run with the pjsua binary IMS_PJSUA points at
(pjproject 2.16 or newer built with PJSIP_HAS_DIGEST_AKA_AUTH; Debian has
no package), against the test lab:

  alice (Digest MD5) and carol (Digest AKAv1-MD5) register: 200;
  alice calls carol (m, the URI), carol answers (a, 200), both CONFIRMED;
  alice hangs up (h), both DISCONNECTED; the S-CSCF's call log has the
  call answered and ended; carol calls alice back in the same way;
  both quit (q): each de-registers (unregistration success) and exits.

Without IMS_PJSUA the test is skipped (exit 77) and says so.  The clients'
consoles are kept in $IMS_BUILD/testlab/clients/pjsua-*.log."""
import os
import re
import shlex
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uaproc import (Failure, Tap, UAProc, call_log, log_mark, log_since, logged,  # noqa: E402
                    skip)

SOURCE = os.environ.get("IMS_SOURCE",
                        os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))
STATE = os.environ.get("IMS_STATE", os.path.join(SOURCE, ".lab"))
DOMAIN = "open-ims.test"
REG_WAIT = 20  # s: 401, then 200 through P, I, S and the HSS
CALL_WAIT = 15


def walkthrough_commands():
    """{user: argv} of the pjsua command lines in section 3 of the
    walk-through."""
    text = open(os.path.join(SOURCE, "docs/walkthrough.md"), encoding="utf-8").read()
    m = re.search(r"^## 3\..*?(?=^## 4\.)", text, re.S | re.M)
    if not m:
        raise Failure("docs/walkthrough.md has no section 3")
    cmds = {}
    for block in re.findall(r"^```sh\n(.*?)^```", m.group(0), re.S | re.M):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            argv = shlex.split(line, comments=True)
            if argv and argv[0] == "pjsua":
                ids = [a for a in argv if a.startswith("--id=")]
                user = re.search(r"sip:([^@]+)@", ids[0]).group(1) if ids else "?"
                cmds[user] = argv
    if set(cmds) != {"alice", "carol"}:
        raise Failure("docs/walkthrough.md section 3: expected the pjsua command lines "
                      "of alice and carol, found %s" % sorted(cmds))
    return cmds


def call(tap, caller, callee, ua, hangup_by):
    """caller's pjsua calls callee's; callee answers 200; hangup_by hangs up."""
    a, b = ua[caller], ua[callee]
    a.send("m")
    time.sleep(0.5)
    a.send("sip:%s@%s" % (callee, DOMAIN))
    b.expect(r"Incoming call for account", CALL_WAIT, "incoming call from " + caller)
    tap.ok("%s -> %s: %s's pjsua rings" % (caller, callee, callee))
    b.send("a")
    time.sleep(0.5)
    b.send("200")
    a.expect(r"Call \d+ state changed to CONFIRMED", CALL_WAIT, "call CONFIRMED")
    b.expect(r"Call \d+ state changed to CONFIRMED", CALL_WAIT, "call CONFIRMED")
    tap.ok("%s -> %s: answered 200, CONFIRMED at both ends" % (caller, callee))
    time.sleep(1)
    ua[hangup_by].send("h")
    a.expect(r"Call \d+ is DISCONNECTED|state changed to DISCONNECTED", CALL_WAIT,
             "call DISCONNECTED")
    b.expect(r"Call \d+ is DISCONNECTED|state changed to DISCONNECTED", CALL_WAIT,
             "call DISCONNECTED")
    tap.ok("%s -> %s: %s hung up, DISCONNECTED at both ends" % (caller, callee, hangup_by))


def main():
    pjsua = os.environ.get("IMS_PJSUA")
    if not pjsua:
        skip("IMS_PJSUA is not set: it must name a pjsua binary (pjproject 2.16 or newer, "
             "built with PJSIP_HAS_DIGEST_AKA_AUTH; docs/walkthrough.md section 3). "
             "PJSUA is not in Debian, so this test runs only where one was built.")
    tap = Tap()
    if not os.access(pjsua, os.X_OK):
        tap.fail("IMS_PJSUA=%s is not an executable file" % pjsua)
        return tap.done()
    logdir = os.path.join(STATE, "clients")
    os.makedirs(logdir, exist_ok=True)
    ua = {}
    try:
        cmds = walkthrough_commands()
        for user in ("alice", "carol"):
            argv = [pjsua] + cmds[user][1:]
            ua[user] = UAProc(user, argv, os.path.join(logdir, "pjsua-%s.log" % user))
            m = ua[user].expect(r"registration success, status=(\d+)|registration failed.*",
                                REG_WAIT, "registration")
            if not tap.check("%s registers with the walk-through's command line: status=200"
                             % user, m.group(1) == "200", m.group(0)):
                raise Failure("%s did not register" % user)

        for caller, callee in (("alice", "carol"), ("carol", "alice")):
            before = set(call_log(SOURCE, caller, callee))
            call(tap, caller, callee, ua, caller)
            logged(tap, SOURCE, caller, callee, before)

        for user in ("alice", "carol"):
            mark = log_mark(STATE)
            ua[user].send("q")
            ua[user].expect(r"unregistration success", REG_WAIT, "de-registration")
            rc = ua[user].wait(15)
            tap.check("%s quits (q): unregistration success, pjsua exits 0" % user, rc == 0,
                      "exit %s" % rc)
            tap.check("... the S-CSCF's log says 200, 0 bindings",
                      log_since(STATE, mark, r"200 for sip:%s@%s, 0 binding" % (user, DOMAIN)))
    except Failure as e:
        tap.fail(str(e))
        for user, u in ua.items():
            print("# --- last lines of %s's pjsua:" % user)
            for line in u.tail(40).splitlines():
                print("#   " + line)
    finally:
        for u in ua.values():
            u.stop()
    return tap.done("consoles in " + logdir)


if __name__ == "__main__":
    sys.exit(main())
