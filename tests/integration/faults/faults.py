"""faults.py -- failing peers under load (issue 8, item 4).

With a SIPp load of MD5 registrations and re-registrations running (users
fault11..fault50, 10/s), each part of the lab is killed with SIGKILL, left
down for DOWN_S seconds and started again with scripts/lab (scripts/db for
MariaDB): HSS, S-CSCF, I-CSCF, P-CSCF, MariaDB, named.  Meanwhile a prober
starts a full registration (REGISTER / 401 / REGISTER / 200, sipua.py,
RFC 3261 retransmissions) every PROBE_S seconds and times every request's
final response.  For each fault the test checks and prints:

  - no request goes unanswered: every probe request sent while the part is
    down gets a final response within BOUND_S seconds (5xx or 408 while the
    part is down), except while the P-CSCF itself is down (nobody listens
    at 4060; that is the UE's problem, RFC 3261 retransmissions);
  - worst response time of any probe request during the fault;
  - recovery: seconds from the restart (the moment scripts/lab is called)
    to the first probe registration that succeeds, within RECOVER_S;
  - the lab is whole afterwards (scripts/lab status: Diameter peers
    reconnected, every daemon answering);
  - no registration made before the faults is lost: the 10 sentinel
    registrations (fault1..fault10, expires 3600) are still in
    ims_scscf.contact and a fetch REGISTER (no Contact) of each lists its
    binding after every fault.

Prints TAP lines (ok / not ok) and a summary table; exit 1 on a failed
check.  The test leaves the lab as it found it: sentinels and load users
de-registered, the subscribers deleted."""
import csv
import os
import re
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "hostile"))
import sipua  # noqa: E402

SRC = os.environ["IMS_SOURCE"]
STATE = os.environ["IMS_STATE"]
LAB = os.path.join(SRC, "scripts", "lab")
DB = os.path.join(SRC, "scripts", "db")
IMSCTL = os.path.join(SRC, "scripts", "imsctl")
WORK = os.environ.get("FAULTS_WORK") or os.path.join(os.getcwd(), "faults-work")
PASSWORD = "faultpw"
SENTINELS = ["fault%d" % i for i in range(1, 11)]
LOAD_USERS = ["fault%d" % i for i in range(11, 51)]
PROBE_USER = "fault51"
N_USERS = 51
LOAD_RATE = 10
DOWN_S = float(os.environ.get("FAULTS_DOWN_S", "5"))
PROBE_S = 0.5
BOUND_S = 40.0  # a final response must come within this (Timer F is 32 s)
RECOVER_S = 60.0
SENTINEL_URI = {}  # user -> its Contact URI, sip:faultN@127.0.0.1:PORT
PARTS = os.environ.get("FAULTS_PARTS", "hss scscf icscf pcscf db named").split()

for u in SENTINELS + LOAD_USERS + [PROBE_USER]:
    sipua.PASSWORDS[u] = PASSWORD

n_checks = 0
n_failed = 0


def check(what, good, detail=""):
    global n_checks, n_failed
    n_checks += 1
    if good:
        print("ok %d - %s" % (n_checks, what), flush=True)
    else:
        n_failed += 1
        print("not ok %d - %s%s" % (n_checks, what, ": " + detail if detail else ""),
              flush=True)


def log(msg):
    print("# %s %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def run(*cmd, check_rc=True):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=120)
    if check_rc and p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stdout[-2000:]))
    return p


def sql(db, query):
    return run(DB, "sql", db, "-N", "-B", "-e", query).stdout


# ---- one registration, timed per request ----

def fetch_register(ua, user):
    """REGISTER without Contact (a fetch) with MD5; returns the 200's
    Contact values or None."""
    impi = "%s@%s" % (user, sipua.DOMAIN)
    call_id = "fetch-%s@127.0.0.1" % sipua.rnd()

    def req(auth):
        data = ua.request("REGISTER", "sip:" + sipua.DOMAIN,
                          ["Supported: path", auth] if auth else ["Supported: path"],
                          call_id=call_id, from_user=user)
        return re.sub(rb"(?im)^Contact:[^\r\n]*\r\n", b"", data)

    r = ua.ask(req(None), 35)
    if r is None or r.status != 401:
        return None
    ch = r.get("www-authenticate")
    nonce = re.search(r'nonce="([^"]*)"', ch).group(1)
    realm = re.search(r'realm="([^"]*)"', ch).group(1)
    cnonce = sipua.rnd(8)
    ha1 = sipua.md5("%s:%s:%s" % (impi, realm, PASSWORD))
    ha2 = sipua.md5("REGISTER:sip:%s" % sipua.DOMAIN)
    resp = sipua.md5("%s:%s:00000001:%s:auth:%s" % (ha1, nonce, cnonce, ha2))
    auth = ('Authorization: Digest username="%s", realm="%s", nonce="%s", uri="sip:%s", '
            'response="%s", algorithm=MD5, cnonce="%s", qop=auth, nc=00000001'
            % (impi, realm, nonce, sipua.DOMAIN, resp, cnonce))
    r = ua.ask(req(auth), 35)
    if r is None or r.status != 200:
        return None
    return r.all("contact")


class TimedUA(sipua.UA):
    """A UA that records (sent_at, seconds to the final response or None,
    status) for every request it asks.  Every probe registers the same
    Contact (one binding, refreshed; max_contacts is 10)."""

    def __init__(self, record):
        super().__init__()
        self.record = record

    def request(self, *args, **kw):
        data = super().request(*args, **kw)
        return re.sub(rb"(?m)^Contact: <sip:([^@]+)@[^>]*>",
                      rb"Contact: <sip:\1-probe@127.0.0.1:9>", data)

    def ask(self, data, timeout=5.0):
        t0 = time.time()
        r = super().ask(data, BOUND_S)
        self.record.append((t0, (time.time() - t0) if r else None, r.status if r else 0))
        return r


class Prober:
    """Starts a probe registration every PROBE_S seconds, each in its own
    thread and UA (so a slow one does not delay the next)."""

    def __init__(self):
        self.requests = []   # (sent_at, latency or None, status)
        self.regs = []       # (started_at, ended_at, ok)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = []

    def one(self):
        rec = []
        t0 = time.time()
        ua = TimedUA(rec)
        try:
            r = ua.register(PROBE_USER, expires=60)
        finally:
            ua.close()
        with self.lock:
            self.requests.extend(rec)
            self.regs.append((t0, time.time(), r is not None and r.status == 200))

    def loop(self, max_seconds):
        end = time.time() + max_seconds
        while not self.stop.is_set() and time.time() < end:
            t = threading.Thread(target=self.one, daemon=True)
            t.start()
            self.threads.append(t)
            self.stop.wait(PROBE_S)

    def start(self, max_seconds):
        self.main = threading.Thread(target=self.loop, args=(max_seconds,), daemon=True)
        self.main.start()

    def finish(self):
        self.stop.set()
        self.main.join()
        for t in self.threads:
            t.join(2 * BOUND_S + 5)


# ---- the load ----

LOAD_XML = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="fault-load">
  <send retrans="500"><![CDATA[
      REGISTER sip:open-ims.test SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      Max-Forwards: 70
      From: <sip:[field0]@open-ims.test>;tag=[pid]l[call_number]
      To: <sip:[field0]@open-ims.test>
      Call-ID: [call_id]
      CSeq: 1 REGISTER
      Contact: <sip:[field0]-load@[local_ip]:[local_port]>;expires=120
      Expires: 120
      Supported: path
      Content-Length: 0

  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="401" auth="true"/>
  <send retrans="500"><![CDATA[
      REGISTER sip:open-ims.test SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      Max-Forwards: 70
      From: <sip:[field0]@open-ims.test>;tag=[pid]l[call_number]
      To: <sip:[field0]@open-ims.test>
      Call-ID: [call_id]
      CSeq: 2 REGISTER
      Contact: <sip:[field0]-load@[local_ip]:[local_port]>;expires=120
      Expires: 120
      Supported: path
      [field1]
      Content-Length: 0

  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="200"/>
</scenario>
"""


def free_port():
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def start_load(seconds):
    with open(os.path.join(WORK, "load.xml"), "w") as f:
        f.write(LOAD_XML)
    with open(os.path.join(WORK, "load.csv"), "w") as f:
        f.write("SEQUENTIAL\n")
        for u in LOAD_USERS:
            f.write("%s;[authentication username=%s@open-ims.test password=%s]\n"
                    % (u, u, PASSWORD))
    n = int(LOAD_RATE * seconds)
    for f in ("load-stat.csv", "load.err", "load.log"):
        if os.path.exists(os.path.join(WORK, f)):
            os.unlink(os.path.join(WORK, f))
    # SIPp itself (no timeout(1) in between: SIGUSR1 must reach it); bounded
    # by -m, and stop_load() ends it
    cmd = ["sipp", "127.0.0.1:4060",
           "-sf", os.path.join(WORK, "load.xml"), "-inf", os.path.join(WORK, "load.csv"),
           "-i", "127.0.0.1", "-p", str(free_port()), "-t", "u1",
           "-r", str(LOAD_RATE), "-m", str(n), "-l", "200",
           "-recv_timeout", str(int(BOUND_S * 1000)), "-nostdin",
           "-trace_stat", "-fd", "5", "-stf", os.path.join(WORK, "load-stat.csv"),
           "-trace_err", "-error_file", os.path.join(WORK, "load.err")]
    out = open(os.path.join(WORK, "load.log"), "w")
    return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=WORK)


def stop_load(p):
    if p.poll() is None:
        p.send_signal(signal.SIGUSR1)  # SIPp: stop and write the statistics
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    succ = fail = 0
    try:
        with open(os.path.join(WORK, "load-stat.csv")) as f:
            rows = list(csv.reader(f, delimiter=";"))
        head, last = rows[0], rows[-1]
        succ = int(last[head.index("SuccessfulCall(C)")])
        fail = int(last[head.index("FailedCall(C)")])
    except (OSError, ValueError, IndexError):
        pass
    return succ, fail


# ---- faults ----

def pidfile(part):
    return os.path.join(STATE, "run", "mariadb.pid" if part == "db" else part + ".pid")


def kill9(part):
    with open(pidfile(part)) as f:
        pid = int(re.sub(r"\D", "", f.read()))
    os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        time.sleep(0.05)
    return pid


def restart(part):
    if part == "db":
        run(DB, "up")
    else:
        run(LAB, "up", part)


def sentinel_contacts():
    rows = sql("ims_scscf", "SELECT impu, uri FROM contact WHERE impu REGEXP "
               "'^sip:fault([1-9]|10)@' AND expires > UNIX_TIMESTAMP()")
    return set(tuple(r.split("\t")) for r in rows.splitlines() if r)


def fault(part, sentinels_before, table):
    log("fault: %s" % part)
    pr = Prober()
    pr.start(DOWN_S + RECOVER_S + 30)
    time.sleep(2)
    t_kill = time.time()
    pid = kill9(part)
    log("killed %s (pid %d)" % (part, pid))
    time.sleep(DOWN_S)
    t_restart = time.time()
    try:
        restart(part)
        up_ok = True
    except RuntimeError as e:
        up_ok = False
        log(str(e))
    t_up = time.time()
    check("%s: started again" % part, up_ok)
    # recovery: the first probe registration that began after the restart
    # and succeeded
    recovered = None
    end = t_restart + RECOVER_S
    while time.time() < end and recovered is None:
        time.sleep(0.2)
        with pr.lock:
            ok = [r for r in pr.regs if r[2] and r[0] >= t_restart]
        if ok:
            recovered = min(r[1] for r in ok)
    time.sleep(2)
    pr.finish()
    # requests sent from the kill until recovery (or the end)
    until = recovered or time.time()
    during = [r for r in pr.requests if t_kill <= r[0] <= until]
    answered = [r for r in during if r[1] is not None]
    unanswered = [r for r in during if r[1] is None]
    worst = max((r[1] for r in answered), default=0.0)
    statuses = sorted(set(r[2] for r in answered))
    if part == "pcscf":
        # nobody listens at 4060 while it is down: only requests sent after
        # the restart must be answered
        unanswered = [r for r in unanswered if r[0] >= t_up]
    check("%s: every probe request answered within %.0f s (%d requests)"
          % (part, BOUND_S, len(during)), not unanswered,
          "%d without a final response" % len(unanswered))
    rec_s = (recovered - t_restart) if recovered else None
    regs = [r for r in pr.regs if t_kill <= r[0] <= until]
    failed_regs = sum(1 for r in regs if not r[2])
    check("%s: a registration succeeds within %.0f s of the restart" % (part, RECOVER_S),
          recovered is not None)
    whole = run(LAB, "status", "hss", "scscf", "icscf", "pcscf", "named", "db",
                check_rc=False)
    check("%s: the whole lab answers again (Diameter peers reconnected)" % part,
          whole.returncode == 0, whole.stdout[-600:] if whole.returncode else "")
    after = sentinel_contacts()
    lost = sentinels_before - after
    check("%s: no sentinel binding lost in ims_scscf" % part, not lost,
          "lost %s" % sorted(lost))
    fetched = 0
    for u in SENTINELS:
        ua = sipua.UA()
        try:
            c = fetch_register(ua, u)
        finally:
            ua.close()
        if c and any(SENTINEL_URI[u] in x for x in c):
            fetched += 1
    check("%s: a fetch REGISTER lists each sentinel's binding" % part,
          fetched == len(SENTINELS), "%d of %d" % (fetched, len(SENTINELS)))
    table.append((part, pid, len(during), ",".join(str(s) for s in statuses),
                  worst, len(unanswered), rec_s, t_up - t_restart, len(lost),
                  "%d/%d" % (failed_regs, len(regs))))
    log("%s: worst %.3f s, statuses %s, recovery %s s after restart (lab up took %.1f s)"
        % (part, worst, statuses, "%.1f" % rec_s if rec_s is not None else "none",
           t_up - t_restart))


def main():
    os.makedirs(WORK, exist_ok=True)
    # left over by an interrupted run?
    run(IMSCTL, "bulk-delete", "fault", str(N_USERS), "--force", check_rc=False)
    run(IMSCTL, "bulk-add", "fault", str(N_USERS), "--password", PASSWORD)
    sentinel_uas = []
    load = None
    table = []
    try:
        for u in SENTINELS:
            ua = sipua.UA()
            r = ua.register(u, expires=3600)
            sentinel_uas.append(ua)
            SENTINEL_URI[u] = "sip:%s@127.0.0.1:%d" % (u, ua.port)
            check("sentinel %s registered before the faults" % u,
                  r is not None and r.status == 200, repr(r))
        for _ in range(50):  # the S-CSCF writes through to MySQL
            before = sentinel_contacts()
            if len(before) == len(SENTINELS):
                break
            time.sleep(0.1)
        check("10 sentinel bindings in ims_scscf.contact", len(before) == len(SENTINELS),
              "%d" % len(before))
        total = len(PARTS) * (DOWN_S + 30) + 120
        load = start_load(total)
        time.sleep(5)
        for part in PARTS:
            fault(part, before, table)
        succ, failed = stop_load(load)
        load = None
        log("load: %d registrations succeeded, %d failed (failures expected while a part "
            "is down)" % (succ, failed))
        check("the load kept registering (%d succeeded, %d failed)" % (succ, failed),
              succ > 0)
        print("# %-6s %6s %5s %-16s %8s %6s %10s %8s %5s %8s" % (
            "part", "pid", "reqs", "statuses", "worst_s", "unans", "recover_s", "up_s",
            "lost", "regfail"))
        for row in table:
            print("# %-6s %6d %5d %-16s %8.3f %6d %10s %8.1f %5d %8s" % (
                row[0], row[1], row[2], row[3], row[4], row[5],
                "%.1f" % row[6] if row[6] is not None else "-", row[7], row[8], row[9]))
        with open(os.path.join(WORK, "faults.csv"), "w") as f:
            f.write("part,killed_pid,probe_requests,statuses,worst_response_s,unanswered,"
                    "recovery_s,restart_s,sentinels_lost,probe_regs_failed\n")
            for row in table:
                f.write("%s,%d,%d,%s,%.3f,%d,%s,%.1f,%d,%s\n" % (
                    row[0], row[1], row[2], row[3].replace(",", " "), row[4], row[5],
                    "%.1f" % row[6] if row[6] is not None else "", row[7], row[8],
                    row[9]))
    finally:
        if load is not None:
            stop_load(load)
        # make sure everything runs again, then leave no trace
        for part in PARTS:
            if part == "db":
                run(DB, "up", check_rc=False)
            else:
                run(LAB, "up", part, check_rc=False)
        for u, ua in zip(SENTINELS, sentinel_uas):
            ua.register(u, expires=0)
            ua.close()
        for u in LOAD_USERS + [PROBE_USER]:
            ua = sipua.UA()
            try:
                ua.register(u, expires=0)
            finally:
                ua.close()
        sql("ims_scscf", "DELETE FROM contact WHERE impu REGEXP '^sip:fault[0-9]+@'")
        sql("ims_scscf", "DELETE FROM registration WHERE impu REGEXP '^sip:fault[0-9]+@'")
        p = run(IMSCTL, "bulk-delete", "fault", str(N_USERS), "--force", check_rc=False)
        if p.returncode:
            log("bulk-delete: " + p.stdout.strip())
    print("1..%d" % n_checks)
    if n_failed:
        print("# %d of %d checks failed" % (n_failed, n_checks))
        return 1
    print("# all %d checks passed" % n_checks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
