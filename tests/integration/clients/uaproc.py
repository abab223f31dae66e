"""uaproc — a real SIP client (pjsua, baresip) as a child process on a
pseudo-terminal, as a user at a terminal runs it (so its output is not
held in a pipe's buffer, and baresip's stdio UI reads its keys), for the
clients tests: every line it prints is kept (and copied to a log file),
expect() waits for a line matching a regular expression, send() types a
command.  Bounded: every wait has a timeout, and stop() ends what is left
(SIGTERM, then SIGKILL)."""
import errno
import os
import pty
import re
import signal
import subprocess
import sys
import termios
import threading
import time


class Failure(Exception):
    pass


class UAProc:
    def __init__(self, name, argv, log_path, cwd=None, env=None):
        self.name = name
        self.argv = argv
        self.lines = []
        self.cursor = 0
        self.cond = threading.Condition()
        self.log = open(log_path, "w", encoding="utf-8", errors="replace")
        self.log.write("# " + " ".join(argv) + "\n")
        self.log.flush()
        master, slave = pty.openpty()
        attrs = termios.tcgetattr(slave)
        attrs[3] &= ~termios.ECHO  # what is typed is logged by send()
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        self.master = master
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env,
            start_new_session=True)
        os.close(slave)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        buf = b""
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError as e:  # EIO: the child side is closed
                if e.errno != errno.EIO:
                    raise
                data = b""
            if not data:
                break
            buf += data
            *done, buf = re.split(rb"\r*\n", buf)
            self._add(done)
        self._add([buf] if buf else [])
        with self.cond:
            self.cond.notify_all()

    def _add(self, raws):
        with self.cond:
            for raw in raws:
                # colours and cursor movements of the clients' consoles
                line = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "",
                              raw.decode("utf-8", "replace"))
                self.lines.append(line)
                self.log.write(line + "\n")
            self.log.flush()
            self.cond.notify_all()

    def send(self, text):
        """Type text and Enter."""
        self.log.write(">>> typed: %s\n" % text)
        self.log.flush()
        try:
            os.write(self.master, (text + "\n").encode())
        except OSError as e:
            raise Failure("%s: cannot type '%s': %s" % (self.name, text, e))

    def expect(self, pattern, timeout, what=None):
        """Wait for a line (after the last one matched) matching pattern;
        return its match.  Failure after timeout seconds or when the
        process has ended."""
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                while self.cursor < len(self.lines):
                    m = rx.search(self.lines[self.cursor])
                    self.cursor += 1
                    if m:
                        return m
                left = end - time.monotonic()
                if left <= 0:
                    break
                if self.proc.poll() is not None and not self.reader.is_alive():
                    raise Failure("%s ended (exit %s) before: %s"
                                  % (self.name, self.proc.returncode, what or pattern))
                self.cond.wait(min(left, 0.5))
        raise Failure("%s: no '%s' within %d s" % (self.name, what or pattern, timeout))

    def seen(self, pattern):
        """Whether any line so far matches pattern."""
        rx = re.compile(pattern)
        with self.cond:
            return any(rx.search(line) for line in self.lines)

    def wait(self, timeout):
        """The exit code, or None if still running after timeout seconds."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc.poll() is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                if self.wait(3) is not None:
                    break
        self.reader.join(2)
        try:
            os.close(self.master)
        except OSError:
            pass
        self.log.close()

    def tail(self, n=40):
        with self.cond:
            return "\n".join(self.lines[-n:])


class Tap:
    """ok / not ok lines as the shell tests print them (tap.sh)."""

    def __init__(self):
        self.n = 0
        self.failures = 0

    def ok(self, what):
        self.n += 1
        print("ok %d - %s" % (self.n, what), flush=True)

    def fail(self, what):
        self.n += 1
        self.failures += 1
        print("not ok %d - %s" % (self.n, what), flush=True)

    def check(self, what, cond, detail=""):
        if cond:
            self.ok(what)
        else:
            self.fail(what + (": " + detail if detail else ""))
        return cond

    def done(self, note=""):
        print("1..%d" % self.n)
        if self.failures:
            print("# %d of %d checks failed%s" % (self.failures, self.n,
                                                 "; " + note if note else ""))
            return 1
        print("# all %d checks passed" % self.n)
        return 0


CALL_LINE = re.compile(r"^(\S+ \S+) +(\S+ \S+|-) +(\S+ \S+|-) +(\d+|-) +(\S+) +(\S+) +(\S+)$")


def call_log(source, caller, callee, domain="open-ims.test"):
    """The S-CSCF's call log (imsctl calls): {Call-ID: (started, answered,
    ended, status)} of the recent calls from caller to callee."""
    out = subprocess.run([os.path.join(source, "scripts/imsctl"), "calls", "--last", "20"],
                         capture_output=True, text=True, timeout=30)
    calls = {}
    for line in out.stdout.splitlines():
        m = CALL_LINE.match(line.strip())
        if (m and m.group(5) == "sip:%s@%s" % (caller, domain)
                and m.group(6) == "sip:%s@%s" % (callee, domain)):
            calls[m.group(7)] = m.group(1, 2, 3, 4)
    return calls


def logged(tap, source, caller, callee, before):
    """One call more than before (a set of Call-IDs) is in the call log,
    answered (200) and ended (the writer thread is asynchronous: up to
    5 s)."""
    new = []
    for _ in range(25):
        new = [c for cid, c in call_log(source, caller, callee).items() if cid not in before]
        if len(new) == 1 and new[0][1] != "-" and new[0][2] != "-" and new[0][3] == "200":
            break
        time.sleep(0.2)
    tap.check("%s -> %s in the S-CSCF's call log (imsctl calls): 200, answered, ended"
              % (caller, callee),
              len(new) == 1 and new[0][1] != "-" and new[0][2] != "-" and new[0][3] == "200",
              "new entries: %s" % new)


def log_mark(state, part="scscf"):
    """Where the daemon's log ($IMS_STATE/log/PART.log) ends now."""
    try:
        return os.path.getsize(os.path.join(state, "log", part + ".log"))
    except OSError:
        return 0


def log_since(state, mark, pattern, timeout=5, part="scscf"):
    """Whether a line written to the daemon's log after mark matches
    pattern, within timeout seconds."""
    rx = re.compile(pattern)
    end = time.monotonic() + timeout
    while True:
        try:
            with open(os.path.join(state, "log", part + ".log"), "rb") as f:
                f.seek(mark)
                text = f.read().decode("utf-8", "replace")
        except OSError:
            text = ""
        if any(rx.search(line) for line in text.splitlines()):
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(0.2)


def skip(why):
    print("# SKIP: " + why, flush=True)
    sys.exit(77)
