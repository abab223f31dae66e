#!/usr/bin/env python3
"""S-CSCF registration tests: SIPp as the UE, talking straight to the S-CSCF
the way the I-CSCF forwards a REGISTER (with the P-CSCF's Path), against the
real HSS and MariaDB.

    scscf_register_test.py [TEST ...]      (default: every test)

Environment (set by ctest, see CMakeLists.txt here):
    IMS_SOURCE   top of the tree (scripts/lab)
    IMS_STATE    the lab's state folder (logs, pids)
    IMS_BUILD    build folder with the daemons
    SCSCF_ADDR   S-CSCF address, default 127.0.0.1:6060
    SCSCF_MANAGE "no": do not start/stop/restart daemons (a lab run by hand;
                 the restart and HSS tests are then skipped)
    SCSCF_TRANSPORT udp (default) or tcp, for the SIPp UEs
    HSS_CTL      the HSS's control socket, default IMS_STATE/run/hss.ctl

The HSS and S-CSCF are started with 'scripts/lab up hss scscf' when they do
not run yet, and stopped again at the end only if this script started them.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback

SRC = os.environ.get("IMS_SOURCE", os.path.abspath(os.path.join(os.path.dirname(__file__), "../../..")))
LAB = os.path.join(SRC, "scripts", "lab")
ADDR = os.environ.get("SCSCF_ADDR", "127.0.0.1:6060")
MANAGE = os.environ.get("SCSCF_MANAGE", "yes") != "no"
TRANSPORT = "t1" if os.environ.get("SCSCF_TRANSPORT", "udp") == "tcp" else "u1"
DOMAIN = "open-ims.test"
PATH_HDR = "<sip:term@pcscf.open-ims.test:4060;lr>"
WORK = tempfile.mkdtemp(prefix="scscf-reg-")

USERS = {
    "alice": {"password": "alice", "k": "alice-aka-secret", "tel": "tel:+15550001"},
    "bob": {"password": "bob", "k": "bob-aka-secret-k", "tel": "tel:+15550002"},
    "carol": {"password": "carol", "k": "carol-aka-secret", "tel": "tel:+15550003"},
    "dave": {"password": "dave", "k": "dave-aka-secret1", "tel": "tel:+15550004"},
}
OP = "open-ims-test-op"
AMF = "IM"


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def port():
    """A loopback port free for both UDP and TCP, for one SIPp UE (with TCP
    SIPp binds the number too; a UDP-only check let it collide now and then
    with a connection still in TIME_WAIT, and SIPp sent nothing)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            p = u.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                try:
                    t.bind(("127.0.0.1", p))
                except OSError:
                    continue
                return p
    raise RuntimeError("no port free for both UDP and TCP")


# ------------------------------------------------------------------ SIPp

REGISTER = """
      REGISTER sip:{domain} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: <sip:{user}@{domain}>;tag=[pid]SIPpTag[call_number]
      To: <sip:{user}@{domain}>
      Call-ID: [call_id]
      CSeq: {cseq} REGISTER
{contact}{expires}      Path: {path}
      Supported: path
{auth}      Content-Length: 0
"""


def register_msg(user, cseq, contact, expires, auth, call_id):
    return REGISTER.format(domain=DOMAIN, user=user, cseq=cseq, call_id=call_id,
                           contact=contact, expires=expires, auth=auth, path=PATH_HDR)


def send(msg):
    return '  <send retrans="500">\n    <![CDATA[\n%s\n    ]]>\n  </send>\n' % msg


def scenario(steps):
    return ('<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="scscf">\n'
            + "".join(steps) + "</scenario>\n")


def run_sipp(xml, local_port, timeout=10):
    """Run one SIPp call; returns (ok, received messages as text, seconds)."""
    name = "s%d" % local_port
    sf = os.path.join(WORK, name + ".xml")
    log = os.path.join(WORK, name + ".msg")
    with open(sf, "w") as f:
        f.write(xml)
    host, rport = ADDR.rsplit(":", 1)
    cmd = ["sipp", "%s:%s" % (host, rport), "-sf", sf, "-m", "1", "-i", "127.0.0.1",
           "-p", str(local_port), "-trace_msg", "-message_file", log, "-nostdin",
           "-timeout", "%ds" % timeout, "-timeout_error", "-default_behaviors", "none",
           "-t", TRANSPORT]
    t0 = time.monotonic()
    r = subprocess.run(cmd, cwd=WORK, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       timeout=timeout + 10)
    dt = time.monotonic() - t0
    text = open(log).read() if os.path.exists(log) else ""
    return r.returncode == 0, received(text), dt, text


def received(text):
    """The SIP messages SIPp received, each as (first line, {header: [values]})."""
    out = []
    for block in re.split(r"\n-{10,}[^\n]*\n", text):
        m = re.search(r"message received \[\d+\] bytes :\n(.*)", block, re.S)
        if not m:
            continue
        lines = m.group(1).strip("\n").split("\n")
        hdrs = {}
        for line in lines[1:]:
            if not line.strip():
                break
            if ":" in line:
                k, v = line.split(":", 1)
                hdrs.setdefault(k.strip().lower(), []).append(v.strip())
        out.append((lines[0].strip(), hdrs))
    return out


def status_of(msg):
    return int(msg[0].split()[1])


def aka_auth(user, impi):
    u = USERS[user]
    return "[authentication username=%s aka_K=%s aka_OP=%s aka_AMF=%s]" % (impi, u["k"], OP, AMF)


def md5_auth(user, impi, password=None):
    return "[authentication username=%s password=%s]" % (impi, password or USERS[user]["password"])


def register(user, *, expires=600, aka=False, algorithm=None, empty_auth=False, password=None,
             final=200, contact=True, contact_params="", star=False, local_port=None,
             contact_uri=None, auth_user=None):
    """One challenged registration (REGISTER, 401, REGISTER with credentials).
    Returns (final response, seconds, SIPp ok)."""
    impi = "%s@%s" % (user, DOMAIN)
    lp = local_port or port()
    call_id = "scscf-%d-%d@127.0.0.1" % (lp, int(time.time() * 1000) % 1000000)
    if star:
        c = "      Contact: *\n"
    elif contact:
        uri = contact_uri or "sip:%s@127.0.0.1:%d" % (user, lp)
        c = "      Contact: <%s>%s\n" % (uri, contact_params)
    else:
        c = ""
    e = "      Expires: %d\n" % expires if expires is not None else ""
    a0 = ""
    if empty_auth or algorithm:
        a0 = ('      Authorization: Digest username="%s", realm="%s", nonce="", uri="sip:%s", '
              'response=""%s\n' % (impi, DOMAIN, DOMAIN, ", algorithm=" + algorithm if algorithm else ""))
    cred = aka_auth(user, impi) if aka else md5_auth(user, auth_user or impi, password)
    steps = [send(register_msg(user, 1, c, e, a0, call_id)),
             '  <recv response="401" auth="true"/>\n',
             send(register_msg(user, 2, c, e, "      %s\n" % cred, call_id)),
             '  <recv response="%d"/>\n' % final]
    ok, msgs, dt, raw = run_sipp(scenario(steps), lp)
    finals = [m for m in msgs if status_of(m) >= 200]
    if not ok or not finals:
        raise Fail("SIPp (%s): expected 401 then %d; got %s\n%s" %
                   (user, final, [m[0] for m in msgs], raw[-3000:]))
    check(status_of(finals[-1]) == final, "final %s, expected %d" % (finals[-1][0], final))
    return finals[-1], dt, finals[0]


def one_shot(user, *, expect, timeout=5, contact=True):
    """A REGISTER without credentials: the first answer (a 401, or an error)."""
    lp = port()
    call_id = "scscf-once-%d@127.0.0.1" % lp
    c = "      Contact: <sip:%s@127.0.0.1:%d>\n" % (user, lp) if contact else ""
    steps = [send(register_msg(user, 1, c, "      Expires: 600\n", "", call_id)),
             '  <recv response="%d" timeout="%d"/>\n' % (expect, timeout * 1000)]
    ok, msgs, dt, raw = run_sipp(scenario(steps), lp, timeout=timeout + 2)
    check(ok and msgs and status_of(msgs[-1]) == expect,
          "expected %d; got %s\n%s" % (expect, [m[0] for m in msgs], raw[-2000:]))
    return msgs[-1], dt


def contacts_of(resp):
    """Contact header values of a response, split on commas outside <>."""
    out = []
    for v in resp[1].get("contact", []) + resp[1].get("m", []):
        out += [x.strip() for x in re.split(r",(?![^<]*>)", v) if x.strip()]
    return out


def fetch(user, **kw):
    """The current bindings (a REGISTER without Contact)."""
    resp, _, _ = register(user, contact=False, **kw)
    return contacts_of(resp)


def deregister_all(user):
    register(user, star=True, expires=0)


# ------------------------------------------------------------------ lab

STARTED = []


def lab(*args, check_rc=True):
    r = subprocess.run([LAB] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if check_rc and r.returncode != 0:
        raise Fail("scripts/lab %s failed:\n%s" % (" ".join(args), r.stdout[-3000:]))
    return r


def ensure_up():
    if not MANAGE:
        return
    for part in ("db", "hss", "scscf"):
        if lab("status", part, check_rc=False).returncode != 0:
            lab("up", part)
            STARTED.append(part)


def wait_registered_ok(user, seconds=20):
    """Registration succeeds again (after a restart: Diameter reconnected)."""
    t_end = time.monotonic() + seconds
    while True:
        try:
            return register(user)
        except Fail:
            if time.monotonic() > t_end:
                raise
            time.sleep(1)


# ------------------------------------------------------------------ tests

def test_options():
    lp = port()
    msg = ("      OPTIONS sip:%s SIP/2.0\n      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
           "      Max-Forwards: 70\n      From: <sip:t@%s>;tag=[pid]o\n      To: <sip:%s>\n"
           "      Call-ID: [call_id]\n      CSeq: 1 OPTIONS\n      Content-Length: 0\n" % (ADDR, DOMAIN, ADDR))
    ok, msgs, _, raw = run_sipp(scenario([send(msg), '  <recv response="200"/>\n']), lp)
    check(ok, "OPTIONS not answered with 200\n" + raw[-2000:])


def test_md5_alice():
    """MD5 registration of alice: 200 with Contact, Service-Route,
    P-Associated-URI (tel URI included), Path, Date."""
    lp = port()
    resp, _, challenge = register("alice", local_port=lp)
    h = resp[1]
    check(any("sip:orig@scscf.open-ims.test:6060;lr" in v for v in h.get("service-route", [])),
          "Service-Route missing: %s" % h)
    pau = ",".join(h.get("p-associated-uri", []))
    check("sip:alice@open-ims.test" in pau and "tel:+15550001" in pau,
          "P-Associated-URI lacks the implicit set: %r" % pau)
    check(any("sip:term@pcscf.open-ims.test:4060;lr" in v for v in h.get("path", [])),
          "Path not echoed: %s" % h.get("path"))
    check("date" in h, "no Date header")
    cs = contacts_of(resp)
    check(any("sip:alice@127.0.0.1:%d" % lp in c and "expires=" in c for c in cs),
          "own binding not in Contact: %s" % cs)
    deregister_all("alice")


def test_md5_challenge_format():
    """The 401 for an MD5 user carries realm, nonce, algorithm=MD5, qop="auth"."""
    msg, _ = one_shot("bob", expect=401)
    www = ",".join(msg[1].get("www-authenticate", []))
    for part in ('realm="open-ims.test"', "nonce=", "algorithm=MD5", 'qop="auth"'):
        check(part in www, "%s not in %r" % (part, www))


def test_empty_authorization_md5():
    """PJSUA --use-ims: empty Authorization without algorithm -> default scheme."""
    register("bob", empty_auth=True)
    deregister_all("bob")


def test_aka_carol():
    """AKA registration of an AKA-default subscriber (carol)."""
    resp, _, _ = register("carol", aka=True)
    pau = ",".join(resp[1].get("p-associated-uri", []))
    check("tel:+15550003" in pau, "implicit set: %r" % pau)
    deregister_all_aka("carol")


def deregister_all_aka(user):
    register(user, star=True, expires=0, aka=True)


def test_aka_alice_asks():
    """alice (MD5 default) asking for algorithm=AKAv1-MD5 gets AKA."""
    register("alice", aka=True, algorithm="AKAv1-MD5")
    deregister_all("alice")


def test_aka_challenge_has_no_plain_md5():
    """carol's challenge is AKAv1-MD5 with a base64 RAND||AUTN nonce."""
    msg, _ = one_shot("carol", expect=401)
    www = ",".join(msg[1].get("www-authenticate", []))
    check("algorithm=AKAv1-MD5" in www, www)
    nonce = re.search(r'nonce="([^"]*)"', www).group(1)
    check(len(nonce) == 44, "nonce is not base64 of 32 bytes: %r" % nonce)


def test_wrong_password():
    """Wrong password -> 403, and no binding."""
    lp = port()
    register("bob", password="not-bobs", final=403, local_port=lp)
    check(not [c for c in fetch("bob") if ":%d" % lp in c],
          "bob has a binding after a failed registration")


def test_username_must_be_the_private_identity():
    """A softphone answering with username=alice (not alice@open-ims.test)
    gets 403 with a Warning that says which username is expected."""
    resp, _, _ = register("alice", auth_user="alice", final=403)
    warning = ",".join(resp[1].get("warning", []))
    check("alice@open-ims.test" in warning, "Warning does not name the private identity: %r" % warning)


def test_unknown_user():
    """Unknown user -> 403 at the MAR."""
    msg, _ = one_shot("mallory", expect=403)


def test_reregistration():
    """A second REGISTER of the same contact refreshes it (one binding)."""
    lp = port()
    register("alice", local_port=lp, expires=600)
    resp, _, _ = register("alice", local_port=lp, expires=300)
    cs = [c for c in contacts_of(resp) if "127.0.0.1:%d" % lp in c]
    check(len(cs) == 1, "expected one binding, got %s" % cs)
    m = re.search(r"expires=(\d+)", cs[0])
    check(m and 280 <= int(m.group(1)) <= 300, "refresh did not set expires=300: %s" % cs[0])
    deregister_all("alice")


def state_dir():
    return os.environ.get("IMS_STATE", os.path.join(SRC, ".lab"))


def log_size(part):
    path = os.path.join(state_dir(), "log", part + ".log")
    return os.path.getsize(path) if os.path.exists(path) else 0


def log_since(part, offset):
    path = os.path.join(state_dir(), "log", part + ".log")
    with open(path, errors="replace") as f:
        f.seek(offset)
        return f.read()


def test_reregistration_keeps_profile():
    """A re-registration's SAR says User-Data-Already-Available (TS 29.228
    6.1.2): the HSS sends no profile and the S-CSCF keeps the one it has,
    implicit set (P-Associated-URI) included."""
    lp = port()
    register("alice", local_port=lp)
    mark = log_size("hss")
    resp, _, _ = register("alice", local_port=lp)
    pau = ",".join(resp[1].get("p-associated-uri", []))
    check("sip:alice@open-ims.test" in pau and "tel:+15550001" in pau,
          "P-Associated-URI after the re-registration lacks the implicit set: %r" % pau)
    sars = [line for line in log_since("hss", mark).splitlines()
            if "SAR " in line and "sip:alice@open-ims.test type 2" in line]
    check(sars and all("user data already available" in line for line in sars),
          "the re-registration's SAR did not say User-Data-Already-Available: %s" % sars)
    deregister_all("alice")


def test_deregistration():
    """Expires: 0 removes the binding (SAR USER_DEREGISTRATION)."""
    lp = port()
    register("dave", aka=True, local_port=lp)
    resp, _, _ = register("dave", aka=True, local_port=lp, expires=0)
    check(not [c for c in contacts_of(resp) if "127.0.0.1:%d" % lp in c],
          "binding still there: %s" % contacts_of(resp))
    # only this test's contact: other tests sharing the lab may have theirs
    check(not [c for c in fetch("dave", aka=True) if "127.0.0.1:%d" % lp in c],
          "dave's binding is still there")


def test_two_devices():
    """Two contacts for one identity; both listed; one leaves, one stays."""
    p1, p2 = port(), port()
    register("bob", local_port=p1, contact_params=';+sip.instance="<urn:uuid:00000000-0000-0000-0000-00000000000a>"')
    resp, _, _ = register("bob", local_port=p2)
    cs = contacts_of(resp)
    check(any(":%d" % p1 in c for c in cs) and any(":%d" % p2 in c for c in cs),
          "both devices expected: %s" % cs)
    check(any("+sip.instance" in c for c in cs), "+sip.instance not kept: %s" % cs)
    resp, _, _ = register("bob", local_port=p1, expires=0,
                          contact_params=';+sip.instance="<urn:uuid:00000000-0000-0000-0000-00000000000a>"')
    cs = contacts_of(resp)
    check(not any(":%d" % p1 in c for c in cs) and any(":%d" % p2 in c for c in cs),
          "only the second device expected: %s" % cs)
    deregister_all("bob")


def test_max_contacts():
    """max_contacts (10) bindings, then an 11th contact is refused with 403,
    not answered 200 without it; a refresh of a bound contact still works."""
    ports = [port() for _ in range(10)]
    for p in ports:
        register("bob", local_port=p, expires=120)
    resp, _, _ = register("bob", expires=120, final=403)
    check(len(fetch("bob")) == 10, "10 bindings expected")
    resp, _, _ = register("bob", local_port=ports[0], expires=120)
    check(len(contacts_of(resp)) == 10, "refresh: 10 bindings expected")
    deregister_all("bob")


def test_expiry():
    """A binding with Expires: 5 is gone a few seconds later."""
    lp = port()
    register("alice", local_port=lp, expires=5)
    time.sleep(7.5)
    check(not [c for c in fetch("alice") if ":%d" % lp in c], "binding did not expire")


def test_too_brief():
    """Expires below min_expires -> 423 with Min-Expires."""
    resp, _, _ = register("alice", expires=1, final=423)
    check("min-expires" in resp[1], "no Min-Expires in 423")


def test_restart_keeps_binding():
    """An S-CSCF restart keeps the registration (MySQL write-through)."""
    if not MANAGE:
        print("  skipped (SCSCF_MANAGE=no)")
        return
    lp = port()
    register("carol", aka=True, local_port=lp)
    time.sleep(0.5)  # the writer thread applies it
    lab("down", "scscf")
    lab("up", "scscf")
    cs = []
    t_end = time.monotonic() + 20
    while time.monotonic() < t_end:
        try:
            cs = fetch("carol", aka=True)
            break
        except Fail:
            time.sleep(1)
    check(any(":%d" % lp in c for c in cs), "binding lost over the restart: %s" % cs)
    deregister_all_aka("carol")


def test_hss_down():
    """HSS stopped -> REGISTER answered 5xx within 2 s; HSS back -> 200."""
    if not MANAGE:
        print("  skipped (SCSCF_MANAGE=no)")
        return
    lab("down", "hss")
    try:
        msg, dt = None, 0
        for code in (504, 500):
            try:
                msg, dt = one_shot("alice", expect=code, timeout=3)
                break
            except Fail:
                continue
        check(msg is not None, "no 504/500 while the HSS is down")
        check(dt < 2.0, "5xx took %.2f s" % dt)
    finally:
        lab("up", "hss")
    wait_registered_ok("alice", seconds=30)
    deregister_all("alice")


def db_sql(database, query):
    r = subprocess.run([os.path.join(SRC, "scripts", "db"), "sql", database, "-N", "-B", "-e",
                        query], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    check(r.returncode == 0, "scripts/db sql: %s" % r.stdout[-1000:])
    return r.stdout


def stored_ports(user, ports):
    rows = db_sql("ims_scscf", "SELECT uri FROM contact WHERE impu = 'sip:%s@%s'" % (user, DOMAIN))
    return [p for p in ports if ":%d" % p in rows]


def test_writes_queued_while_db_away_survive():
    """Bindings saved while the S-CSCF cannot write (its table locked, then
    MariaDB killed and started again) are queued and written afterwards, the
    backlog in one transaction: all of them are in ims_scscf.contact and
    survive an S-CSCF restart."""
    if not MANAGE:
        print("  skipped (SCSCF_MANAGE=no)")
        return
    deregister_all("bob")
    ports = [port() for _ in range(6)]
    locker = subprocess.Popen([os.path.join(SRC, "scripts", "db"), "sql", "ims_scscf"],
                              stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, text=True)
    locker.stdin.write("LOCK TABLES contact WRITE;\nSELECT SLEEP(120);\n")
    locker.stdin.flush()
    time.sleep(1)
    mark = log_size("scscf")
    try:
        for p in ports:
            register("bob", local_port=p, expires=600)
        with open(os.path.join(state_dir(), "run", "mariadb.pid")) as f:
            pid = int(re.sub(r"\D", "", f.read()))
        os.kill(pid, 9)
        time.sleep(1)
    finally:
        locker.kill()
        locker.wait()
        subprocess.run([os.path.join(SRC, "scripts", "db"), "up"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.STDOUT, check=True)
    t_end = time.monotonic() + 30
    while len(stored_ports("bob", ports)) < len(ports) and time.monotonic() < t_end:
        time.sleep(0.5)
    check(stored_ports("bob", ports) == ports,
          "bindings lost over the database restart: stored %s of %s" %
          (stored_ports("bob", ports), ports))
    check("in one transaction" in log_since("scscf", mark),
          "the backlog was not written in one transaction (scscf.log)")
    lab("down", "scscf")
    lab("up", "scscf")
    cs = []
    t_end = time.monotonic() + 20
    while time.monotonic() < t_end:
        try:
            cs = fetch("bob")
            break
        except Fail:
            time.sleep(1)
    check(all(any(":%d" % p in c for c in cs) for p in ports),
          "bindings lost over the S-CSCF restart: %s" % cs)
    deregister_all("bob")


def hss_ctl(line):
    """One command on the HSS's control socket; its answer line."""
    state = os.environ.get("IMS_STATE", os.path.join(SRC, ".lab"))
    path = os.environ.get("HSS_CTL", os.path.join(state, "run", "hss.ctl"))
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(10)
        s.connect(path)
        s.sendall((line + "\n").encode())
        return s.recv(4096).decode().strip()


def test_ppr_keeps_registration():
    """PPR from the HSS: answered 2001, the registration stays."""
    lp = port()
    register("bob", local_port=lp)
    answer = hss_ctl("ppr bob@open-ims.test")
    check(answer.startswith("OK 2001"), "PPR: %r" % answer)
    check([c for c in fetch("bob") if ":%d" % lp in c], "binding lost after a PPR")
    deregister_all("bob")


def test_rtr_removes_bindings():
    """RTR from the HSS removes every binding of the identity."""
    lp = port()
    register("bob", local_port=lp)
    answer = hss_ctl("rtr bob@open-ims.test permanent_termination scscf test")
    check(answer.startswith("OK 2001"), "RTR: %r" % answer)
    time.sleep(0.3)
    check(not fetch("bob"), "bob still has bindings after an RTR")


# ---- AKA resynchronisation: SIP spoken here, the USIM is scscf_aka_ue ----

class RawUE:
    """A minimal UDP UE for what SIPp cannot do (auts)."""

    def __init__(self, user):
        self.user = user
        self.impi = "%s@%s" % (user, DOMAIN)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(3)
        self.lport = self.sock.getsockname()[1]
        self.call_id = "resync-%d@127.0.0.1" % self.lport
        self.cseq = 0
        host, p = ADDR.rsplit(":", 1)
        self.dest = (host, int(p))

    def register(self, auth=None, expires=600):
        self.cseq += 1
        lines = ["REGISTER sip:%s SIP/2.0" % DOMAIN,
                 "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-rs-%d-%d" % (self.lport, self.lport, self.cseq),
                 "Max-Forwards: 70",
                 "From: <sip:%s@%s>;tag=rs%d" % (self.user, DOMAIN, self.lport),
                 "To: <sip:%s@%s>" % (self.user, DOMAIN),
                 "Call-ID: " + self.call_id,
                 "CSeq: %d REGISTER" % self.cseq,
                 "Contact: <sip:%s@127.0.0.1:%d>" % (self.user, self.lport),
                 "Expires: %d" % expires,
                 "Path: " + PATH_HDR]
        if auth:
            lines.append("Authorization: " + auth)
        lines += ["Content-Length: 0", "", ""]
        self.sock.sendto("\r\n".join(lines).encode(), self.dest)
        while True:
            data = self.sock.recv(65535).decode()
            first = data.split("\r\n", 1)[0]
            if " 100 " not in first:
                return int(first.split()[1]), data

    def digest(self, nonce, password, **extra):
        import hashlib
        md5 = lambda b: hashlib.md5(b).hexdigest()  # noqa: E731
        uri, nc, cnonce = "sip:%s" % DOMAIN, "00000001", "0a4f113b%d" % self.cseq
        ha1 = md5(("%s:%s:" % (self.impi, DOMAIN)).encode() + password)
        ha2 = md5(("REGISTER:%s" % uri).encode())
        resp = md5(("%s:%s:%s:%s:auth:%s" % (ha1, nonce, nc, cnonce, ha2)).encode())
        h = ('Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", '
             'algorithm=AKAv1-MD5, cnonce="%s", qop=auth, nc=%s' %
             (self.impi, DOMAIN, nonce, uri, resp, cnonce, nc))
        for k, v in extra.items():
            h += ', %s="%s"' % (k, v)
        return h


def aka_ue(user, *args):
    helper = os.environ.get("SCSCF_AKA_UE")
    check(helper, "SCSCF_AKA_UE (the scscf_aka_ue helper) is not set")
    r = subprocess.run([helper, USERS[user]["k"], OP, AMF] + [str(a) for a in args],
                       stdout=subprocess.PIPE, text=True)
    check(r.returncode == 0, "scscf_aka_ue %s failed (%d)" % (args[0], r.returncode))
    return r.stdout.split()


def nonce_of(data):
    m = re.search(r'WWW-Authenticate:[^\r]*nonce="([^"]*)"', data, re.I)
    check(m, "no nonce in\n" + data)
    return m.group(1)


def test_aka_resync():
    """UE with an SQN ahead of the HSS's: auts -> resync MAR -> new 401 whose
    SQN follows the UE's -> 200."""
    ue = RawUE("dave")
    status, data = ue.register()
    check(status == 401, "first REGISTER: %d" % status)
    n1 = nonce_of(data)
    sqn1, _ = aka_ue("dave", "check", n1)
    sqn_ms = int(sqn1) + 1000
    auts = aka_ue("dave", "auts", n1, sqn_ms)[0]
    status, data = ue.register(ue.digest(n1, b"", auts=auts))
    check(status == 401, "REGISTER with auts: %d, expected a new challenge\n%s" % (status, data))
    n2 = nonce_of(data)
    check(n2 != n1, "the same nonce after resynchronisation")
    sqn2, res = aka_ue("dave", "check", n2)
    check(int(sqn2) > sqn_ms, "HSS did not resynchronise: SQN %s after SQN_MS %d" % (sqn2, sqn_ms))
    status, data = ue.register(ue.digest(n2, bytes.fromhex(res)))
    check(status == 200, "REGISTER after resync: %d\n%s" % (status, data))
    status, _ = ue.register(ue.digest(n2, bytes.fromhex(res)), expires=0)
    # the nc reuse above is a replay: a fresh challenge, not a 200
    check(status == 401, "replayed nc accepted: %d" % status)
    status, data = ue.register(expires=0)
    n3 = nonce_of(data)
    _, res3 = aka_ue("dave", "check", n3)
    status, _ = ue.register(ue.digest(n3, bytes.fromhex(res3)), expires=0)
    check(status == 200, "de-registration: %d" % status)


TESTS = [t for n, t in sorted(globals().items()) if n.startswith("test_")]
ORDER = ["test_options", "test_md5_challenge_format", "test_md5_alice", "test_empty_authorization_md5",
         "test_aka_challenge_has_no_plain_md5", "test_aka_carol", "test_aka_alice_asks",
         "test_wrong_password", "test_username_must_be_the_private_identity", "test_unknown_user", "test_reregistration",
         "test_reregistration_keeps_profile", "test_deregistration",
         "test_two_devices", "test_too_brief", "test_expiry", "test_ppr_keeps_registration",
         "test_rtr_removes_bindings", "test_aka_resync", "test_restart_keeps_binding",
         "test_writes_queued_while_db_away_survive", "test_hss_down"]


def main(argv):
    if not shutil.which("sipp"):
        print("sipp is not installed (Debian package sip-tester)")
        return 1
    names = ["test_" + a if not a.startswith("test_") else a for a in argv[1:]] or ORDER
    failed = []
    try:
        ensure_up()
        for name in names:
            fn = globals().get(name)
            if not fn:
                print("unknown test %s" % name)
                return 2
            print("%s ..." % name, flush=True)
            try:
                fn()
                print("  ok", flush=True)
            except Exception as e:  # noqa: BLE001 - report every failure
                failed.append(name)
                print("  FAILED: %s" % e, flush=True)
                if not isinstance(e, Fail):
                    traceback.print_exc()
    finally:
        for part in reversed(STARTED):
            lab("down", part, check_rc=False)
    if failed:
        print("failed: %s (SIPp files in %s)" % (" ".join(failed), WORK))
        return 1
    shutil.rmtree(WORK, ignore_errors=True)
    print("all %d passed" % len(names))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
