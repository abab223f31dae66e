"""sipua — a small SIP user agent over raw UDP/TCP sockets (Python 3
standard library) for the hostile-input and P-CSCF-bypass tests: build any
message byte by byte, send it from a chosen loopback address, read what
comes back, and register with Digest MD5 (RFC 2617, qop=auth) as the lab's
subscribers do."""
import hashlib
import os
import random
import re
import socket
import time

DOMAIN = "open-ims.test"
PCSCF = ("127.0.0.1", 4060)
ICSCF = ("127.0.0.1", 5060)
SCSCF = ("127.0.0.1", 6060)
PASSWORDS = {"alice": "alice", "bob": "bob", "carol": "carol", "dave": "dave"}


failed = []  # names of the checks that failed, for the test's exit status


def check(name, ok, detail=""):
    """Print "ok: name" or "FAIL: name (detail)"; remember a failure."""
    print("%s: %s%s" % ("ok" if ok else "FAIL", name, " (%s)" % detail if detail else ""))
    if not ok:
        failed.append(name)


def rnd(n=10):
    return "%0*x" % (n, random.getrandbits(4 * n))


def md5(s):
    return hashlib.md5(s.encode() if isinstance(s, str) else s).hexdigest()


def reply(raw, status, reason, extra="", also=(), body=""):
    """A response to the request raw (bytes), as a UAS makes it: the
    request's Via, From, Call-ID and CSeq (and the headers named in also,
    e.g. "record-route"), its To with a tag (a new one unless it has one),
    then the header lines of extra (each ending in CRLF) and body."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")
    names = ("via", "v", "from", "f", "call-id", "i", "cseq") + tuple(also)
    keep = []
    for line in head[1:]:
        name = line.split(":", 1)[0].strip().lower()
        if name in names:
            keep.append(line)
        elif name in ("to", "t"):
            keep.append(line if ";tag=" in line else line + ";tag=" + rnd(6))
    return ("SIP/2.0 %d %s\r\n%s\r\n%sContent-Length: %d\r\n\r\n%s" % (
        status, reason, "\r\n".join(keep), extra, len(body.encode()), body)).encode()


class Response:
    def __init__(self, raw):
        self.raw = raw
        text = raw.decode("utf-8", "replace")
        head = text.split("\r\n\r\n", 1)[0]
        lines = head.split("\r\n")
        m = re.match(r"SIP/2\.0 (\d{3}) ?(.*)", lines[0])
        self.status = int(m.group(1)) if m else 0
        self.reason = m.group(2) if m else ""
        self.headers = []
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                self.headers.append((k.strip().lower(), v.strip()))

    def get(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k == name.lower()]

    def __repr__(self):
        return "<%d %s>" % (self.status, self.reason)


class UA:
    """One UE at ip:port (UDP; tcp=True: one TCP connection to dest)."""

    def __init__(self, ip="127.0.0.1", dest=PCSCF, tcp=False, port=0):
        self.ip, self.dest, self.tcp = ip, dest, tcp
        if tcp:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.bind((ip, port))
            self.sock.settimeout(5)
            self.sock.connect(dest)
            self.buf = b""
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.bind((ip, port))
        self.port = self.sock.getsockname()[1]
        self.cseq = 1
        self.creds = None

    def close(self):
        self.sock.close()

    def send(self, data, dest=None):
        if isinstance(data, str):
            data = data.encode()
        if self.tcp:
            self.sock.sendall(data)
        else:
            self.sock.sendto(data, dest or self.dest)

    def recv(self, timeout=3.0):
        """The next message, or None after timeout (TCP: None also when the
        peer closed the connection)."""
        end = time.time() + timeout
        while True:
            left = end - time.time()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                if not self.tcp:
                    data, _ = self.sock.recvfrom(65535)
                    return Response(data)
                msg = self._tcp_message()
                if msg is not None:
                    return Response(msg)
                chunk = self.sock.recv(65535)
                if not chunk:
                    return None
                self.buf += chunk
            except (socket.timeout, BlockingIOError):
                return None
            except ConnectionError:
                return None

    def _tcp_message(self):
        i = self.buf.find(b"\r\n\r\n")
        if i < 0:
            return None
        m = re.search(rb"(?im)^(?:content-length|l)\s*:\s*(\d+)", self.buf[:i])
        n = int(m.group(1)) if m else 0
        if len(self.buf) < i + 4 + n:
            return None
        msg, self.buf = self.buf[: i + 4 + n], self.buf[i + 4 + n:]
        return msg

    def final(self, call_id=None, timeout=5.0):
        """The first final response (of call_id when given), or None."""
        end = time.time() + timeout
        while time.time() < end:
            r = self.recv(end - time.time())
            if r is None:
                return None
            if call_id and r.get("call-id") != call_id:
                continue
            if r.status >= 200:
                return r
        return None

    # ---- messages ----

    def via(self, branch=None):
        return "Via: SIP/2.0/%s %s:%d;branch=z9hG4bK%s;rport" % (
            "TCP" if self.tcp else "UDP", self.ip, self.port, branch or rnd())

    def request(self, method, ruri, headers, body="", call_id=None, cseq=None,
                from_user="alice", to=None, max_forwards=70, branch=None, to_tag=None):
        """A request as text: the usual headers, then headers (a list of lines)."""
        if cseq is None:
            cseq = self.cseq
            self.cseq += 1
        self.last_call_id = call_id or "%s@%s" % (rnd(), self.ip)
        lines = [
            "%s %s SIP/2.0" % (method, ruri),
            self.via(branch),
            "Max-Forwards: %d" % max_forwards,
            "From: <sip:%s@%s>;tag=%s" % (from_user, DOMAIN, rnd(6)),
            "To: %s%s" % (to or "<sip:%s@%s>" % (from_user, DOMAIN),
                          ";tag=" + to_tag if to_tag else ""),
            "Call-ID: %s" % self.last_call_id,
            "CSeq: %d %s" % (cseq, method),
            "Contact: <sip:%s@%s:%d%s>" % (from_user, self.ip, self.port,
                                           ";transport=tcp" if self.tcp else ""),
        ] + list(headers)
        body = body.encode() if isinstance(body, str) else body
        lines.append("Content-Length: %d" % len(body))
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    def ask(self, data, timeout=5.0):
        """Send data (a request) and return its final response or None.
        Over UDP the request is retransmitted as RFC 3261 17.1.2.2 says
        (after 0.5 s, 1 s, 2 s ... until a response or timeout)."""
        self.send(data)
        cid = re.search(rb"(?im)^call-id\s*:\s*(\S+)", data)
        cid = cid.group(1).decode() if cid else None
        end = time.time() + timeout
        interval, provisional = 0.5, False
        while True:
            left = end - time.time()
            if left <= 0:
                return None
            wait = left if self.tcp or provisional else min(left, interval)
            t0 = time.time()
            while time.time() - t0 < wait:
                r = self.recv(wait - (time.time() - t0))
                if r is None:
                    break
                if cid and r.get("call-id") != cid:
                    continue
                if r.status >= 200:
                    return r
                provisional = True  # 1xx: stop retransmitting (Timer E -> T2)
            if not self.tcp and not provisional:
                self.send(data)
                interval = min(interval * 2, 4.0)

    # ---- registration (Digest MD5) ----

    def register(self, user, expires=600, impu=None, password=None, auth_user=None,
                 extra=()):
        """REGISTER through the P-CSCF, answering one MD5 challenge as
        auth_user (default user) with password; impu: the To identity.
        Returns the last final response (200, 403 ...) or None."""
        auth_user = auth_user or user
        impu = impu or user
        password = PASSWORDS[auth_user] if password is None else password
        call_id = "reg-%s@%s" % (rnd(), self.ip)
        impi = "%s@%s" % (auth_user, DOMAIN)
        empty = ('Authorization: Digest username="%s", realm="%s", nonce="", '
                 'uri="sip:%s", response="", algorithm=MD5' % (impi, DOMAIN, DOMAIN))
        hdrs = ["Expires: %d" % expires, "Supported: path", empty] + list(extra)
        r = self.ask(self.request("REGISTER", "sip:" + DOMAIN, hdrs, call_id=call_id,
                                  from_user=impu))
        if r is None or r.status != 401:
            return r
        ch = r.get("www-authenticate")
        nonce = re.search(r'nonce="([^"]*)"', ch).group(1)
        realm = re.search(r'realm="([^"]*)"', ch).group(1)
        cnonce, nc = rnd(8), "00000001"
        ha1 = md5("%s:%s:%s" % (impi, realm, password))
        ha2 = md5("REGISTER:sip:%s" % DOMAIN)
        resp = md5("%s:%s:%s:%s:auth:%s" % (ha1, nonce, nc, cnonce, ha2))
        self.creds = dict(impi=impi, realm=realm, nonce=nonce, cnonce=cnonce, ha1=ha1)
        auth = ('Authorization: Digest username="%s", realm="%s", nonce="%s", '
                'uri="sip:%s", response="%s", algorithm=MD5, cnonce="%s", qop=auth, '
                'nc=%s' % (impi, realm, nonce, DOMAIN, resp, cnonce, nc))
        self.last_auth = auth
        hdrs = ["Expires: %d" % expires, "Supported: path", auth] + list(extra)
        self.last_register = self.request("REGISTER", "sip:" + DOMAIN, hdrs,
                                          call_id=call_id, from_user=impu)
        return self.ask(self.last_register)

    def invite(self, callee="bob", headers=(), route=None, dest=None):
        """An INVITE (with a small SDP) and its final response (None: no
        answer).  A 2xx is ACKed and hung up at once."""
        sdp = ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
               "m=audio 4000 RTP/AVP 0\r\n" % (self.ip, self.ip))
        hdrs = list(headers) + ["Content-Type: application/sdp"]
        if route:
            hdrs.append("Route: " + route)
        data = self.request("INVITE", "sip:%s@%s" % (callee, DOMAIN), hdrs, body=sdp)
        if dest:
            self.send(data, dest)
            r = self.final(self.last_call_id, 8)
        else:
            r = self.ask(data, 8)
        return r
