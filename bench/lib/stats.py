#!/usr/bin/env python3
"""bench/lib/stats.py — result processing for bench/run (standard library only).

  stats.py rtt FILE...            "count p50 p99" (ms) of SIPp -trace_rtt files
  stats.py sippstat FILE          "successful failed retrans outgoing" of the
                                  last line of a SIPp -trace_stat file
  stats.py mar PCAP [SERIES]      "count p50 p99 mid_count mid_p50 mid_p99"
                                  (ms) MAR -> MAA at the HSS (tshark's
                                  diameter.resp_time, code 303): the whole
                                  capture, then without its first and last
                                  2 s; SERIES: the same per second
  stats.py report KV CSV MACHINE  print the table of results file KV (lines
                                  "key value...") and write it as CSV
"""
import csv
import math
import subprocess
import sys


STEADY_EDGE = 2.0  # s at each end of a step left out of its "middle"


def percentile(values, p):
    """Nearest-rank percentile of a sorted list."""
    if not values:
        return float("nan")
    k = max(0, min(len(values) - 1, math.ceil(p / 100.0 * len(values)) - 1))
    return values[k]


def cmd_rtt(files):
    vals = []
    for name in files:
        with open(name, encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.strip().split(";")
                # Date_ms;response_time_ms;rtd_no
                if len(parts) < 2:
                    continue
                try:
                    vals.append(float(parts[1]))
                except ValueError:
                    continue
    vals.sort()
    print(f"{len(vals)} {percentile(vals, 50):.2f} {percentile(vals, 99):.2f}")


def cmd_sippstat(name):
    with open(name, encoding="utf-8", errors="replace") as f:
        rows = [r for r in csv.reader(f, delimiter=";") if r]
    head, last = rows[0], rows[-1]
    col = {h: i for i, h in enumerate(head)}

    def get(key):
        i = col.get(key)
        try:
            return int(last[i]) if i is not None else 0
        except ValueError:
            return 0

    print(get("SuccessfulCall(C)"), get("FailedCall(C)"), get("Retransmissions(C)"),
          get("OutgoingCall(C)"))


def mar_times(pcap):
    """[(seconds into the capture, ms)] of every MAR answered in PCAP.

    Each Diameter message is matched with its answer by connection and
    hop-by-hop identifier.  tshark's diameter.resp_time is not used: with
    several messages in one segment (Nagle, under load) a display filter
    selects frames, and the frame's other answers (UAA, SAA) came along."""
    run = subprocess.run(
        ["tshark", "-n", "-r", pcap, "-d", "tcp.port==3868,diameter", "-Y", "diameter",
         "-T", "fields", "-E", "separator=/t", "-e", "frame.time_relative",
         "-e", "tcp.stream", "-e", "diameter.cmd.code", "-e", "diameter.flags.request",
         "-e", "diameter.hopbyhopid"],
        capture_output=True, text=True, check=False)
    out = run.stdout
    sent = {}  # (stream, hop-by-hop) -> time of the MAR
    times = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) != 5:
            continue
        try:
            at = float(parts[0])
        except ValueError:
            continue
        codes, flags, hbhs = (p.split(",") for p in parts[2:])
        for code, req, hbh in zip(codes, flags, hbhs):
            if code != "303":
                continue
            key = (parts[1], hbh)
            if req in ("1", "True"):
                sent[key] = at
            elif key in sent:
                asked = sent.pop(key)
                times.append((asked, (at - asked) * 1000.0))
    if not times:  # say why, for bench/run's log
        print(f"stats.py mar: no MAR answered in {pcap}: tshark exit {run.returncode}, "
              f"{len(out.splitlines())} Diameter frames; {run.stderr.strip()[:300]}",
              file=sys.stderr)
    return times


def cmd_mar(pcap, series=None):
    """MAR -> MAA times: the whole capture, and its middle (without the
    first and last STEADY_EDGE seconds, when the step's load starts and
    stops); with SERIES, one line per second: "second count p50 p99"."""
    times = mar_times(pcap)  # (seconds into the capture, ms)
    vals = sorted(ms for _, ms in times)
    first = min((at for at, _ in times), default=0.0)
    last = max((at for at, _ in times), default=0.0)
    mid = sorted(ms for at, ms in times
                 if first + STEADY_EDGE <= at <= last - STEADY_EDGE)
    print(f"{len(vals)} {percentile(vals, 50):.3f} {percentile(vals, 99):.3f} "
          f"{len(mid)} {percentile(mid, 50):.3f} {percentile(mid, 99):.3f}")
    if series:
        by_second = {}
        for at, ms in times:
            by_second.setdefault(int(at - first), []).append(ms)
        with open(series, "w", encoding="utf-8") as f:
            f.write("# second count p50_ms p99_ms\n")
            for sec in sorted(by_second):
                v = sorted(by_second[sec])
                f.write(f"{sec} {len(v)} {percentile(v, 50):.3f} {percentile(v, 99):.3f}\n")


DAEMONS = [("pcscf", "P-CSCF"), ("icscf", "I-CSCF"), ("scscf", "S-CSCF"),
           ("hss", "HSS"), ("mariadb", "MariaDB")]


def load_kv(name):
    kv = {}
    with open(name, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            key, _, val = line.partition(" ")
            kv[key] = val
    return kv


def fnum(s, default=float("nan")):
    try:
        return float(s)
    except (TypeError, ValueError):
        return default


def fmt(v, digits=0):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return f"{v:,.{digits}f}"


def cmd_report(kvfile, csvfile, machine):
    kv = load_kv(kvfile)
    rows = []  # section, item, daemon, value, unit, load, note

    def add(section, item, daemon, value, unit, load="", note=""):
        rows.append([section, item, daemon, value, unit, load, note])

    lines = []
    n = kv.get("subscribers", "?")
    lines.append(f"IMS core benchmark {kv.get('date', '')}  {machine}")
    lines.append(f"subscribers provisioned: {n}; steps of {kv.get('step_seconds', '?')} s; "
                 f"load before the run: {kv.get('load_start', '?')}; malloc: {kv.get('malloc', 'glibc')}"
                 + (f"; real-time priority: {kv['realtime']}" if "realtime" in kv else ""))
    if "realtime" in kv:
        add("machine", "realtime_priority", kv["realtime"], "SCHED_RR 10", "")
    if "handoff_us_cpu" in kv:
        lines.append(f"one thread hand-off (bench/handoff.c): {kv.get('handoff_us_wall')} us wall, "
                     f"{kv.get('handoff_us_cpu')} us CPU")
        add("machine", "thread_handoff_wall", "", kv.get("handoff_us_wall"), "us")
        add("machine", "thread_handoff_cpu", "", kv.get("handoff_us_cpu"), "us")
    if "handoff_one_cpu_us_cpu" in kv:
        poll = kv.get("guest_halt_poll_ns")
        lines.append(f"  the same on one CPU: {kv.get('handoff_one_cpu_us_wall')} us wall, "
                     f"{kv.get('handoff_one_cpu_us_cpu')} us CPU"
                     + (f"; guest halt polling {poll} ns" if poll is not None else ""))
        add("machine", "thread_handoff_one_cpu_wall", "", kv.get("handoff_one_cpu_us_wall"), "us")
        add("machine", "thread_handoff_one_cpu_cpu", "", kv.get("handoff_one_cpu_us_cpu"), "us")
        if poll is not None:
            add("machine", "guest_halt_poll_ns", "", poll, "ns")
    lines.append("")
    lines.append(f"{'measure':<30} {'max rate (0 failed)':>20} {'p50 ms':>8} {'p99 ms':>8}  load")
    for key, label in (("reg_md5", "registration MD5 (REG/401/REG/200)"),
                       ("reg_aka", "registration AKA"),
                       ("calls", "calls (INVITE..BYE), setup")):
        if f"{key}_rate" not in kv:
            continue
        rate = fnum(kv.get(f"{key}_rate"))
        p50, p99 = fnum(kv.get(f"{key}_p50")), fnum(kv.get(f"{key}_p99"))
        first_fail = kv.get(f"{key}_first_fail", "none")
        load = kv.get(f"{key}_load", "")
        unit = "calls/s" if key == "calls" else "reg/s"
        lines.append(f"{label:<30} {fmt(rate) + ' ' + unit:>20} {fmt(p50, 1):>8} {fmt(p99, 1):>8}  {load}")
        add(key, "max_rate", "", kv.get(f"{key}_rate"), unit, load,
            f"first failing step: {first_fail}")
        add(key, "latency_p50", "", kv.get(f"{key}_p50"), "ms", load)
        add(key, "latency_p99", "", kv.get(f"{key}_p99"), "ms", load)
    if "mar_p99" in kv:
        at = f"at {kv['mar_rate']} reg/s" if "mar_rate" in kv else "at MD5 max rate"
        lines.append(f"{'HSS MAR->MAA (' + at + ')':<30} {kv.get('mar_count', '?') + ' MARs':>20} "
                     f"{fmt(fnum(kv.get('mar_p50')), 2):>8} {fmt(fnum(kv.get('mar_p99')), 2):>8}  "
                     f"{kv.get('mar_load', '')}")
        if "mar_failed" in kv:
            lines.append(f"  (that step failed: {kv['mar_failed']} registrations)")
            add("hss_mar", "step_failed", "hss", kv["mar_failed"].split()[0], "registrations",
                kv.get("mar_load", ""), "the MAR step overloaded the lab")
        add("hss_mar", "step_rate", "hss", kv.get("mar_rate"), "reg/s", kv.get("mar_load", ""))
        add("hss_mar", "latency_p50", "hss", kv.get("mar_p50"), "ms", kv.get("mar_load", ""))
        add("hss_mar", "latency_p99", "hss", kv.get("mar_p99"), "ms", kv.get("mar_load", ""))
        if "mar_mid_p99" in kv:
            lines.append(f"{'  without first/last 2 s':<30} {kv.get('mar_mid_count', '?') + ' MARs':>20} "
                         f"{fmt(fnum(kv.get('mar_mid_p50')), 2):>8} {fmt(fnum(kv.get('mar_mid_p99')), 2):>8}")
            add("hss_mar", "middle_latency_p50", "hss", kv.get("mar_mid_p50"), "ms",
                kv.get("mar_load", ""), "without the step's first and last 2 s")
            add("hss_mar", "middle_latency_p99", "hss", kv.get("mar_mid_p99"), "ms",
                kv.get("mar_load", ""), "without the step's first and last 2 s")
    lines.append("")
    lines.append(f"{'cost per daemon':<30}" + "".join(f"{d[1]:>10}" for d in DAEMONS))

    def row(label, key, digits, section, item, unit, scale=1.0):
        vals = [fnum(kv.get(f"{key}_{d[0]}")) * scale for d in DAEMONS]
        if all(math.isnan(v) for v in vals):
            return
        lines.append(f"{label:<30}" + "".join(f"{fmt(v, digits):>10}" for v in vals))
        for d, v in zip(DAEMONS, vals):
            if not math.isnan(v):
                add(section, item, d[0], f"{v:.{max(digits, 1)}f}", unit)

    row("live RSS, 0 registered (MiB)", "rss0", 1, "memory", "rss_0", "MiB", 1 / 1024)
    row(f"live RSS, {kv.get('fill_count', n)} registered (MiB)", "rss1", 1, "memory", "rss_n",
        "MiB", 1 / 1024)
    row("peak RSS during the fill (MiB)", "hwm", 1, "memory", "rss_peak", "MiB", 1 / 1024)
    row("RSS bytes per registered subscriber", "bytes_per_sub", 0, "memory", "bytes_per_subscriber",
        "B")
    row("heap bytes in use per subscriber", "heap_per_sub", 0, "memory", "heap_bytes_per_subscriber",
        "B")
    row("CPU us per registration (fill)", "cpu_reg_fill", 0, "cpu", "us_per_registration_fill",
        "us")
    row("CPU us per registration (MD5 max)", "cpu_reg_md5", 0, "cpu", "us_per_registration_md5",
        "us")
    row("CPU us per registration (AKA max)", "cpu_reg_aka", 0, "cpu", "us_per_registration_aka",
        "us")
    row("CPU us per call (max rate)", "cpu_calls", 0, "cpu", "us_per_call", "us")
    row("ctx switches per reg (fill)", "ctx_reg_fill", 1, "ctxsw", "per_registration_fill",
        "switches")
    row("ctx switches per reg (MD5 max)", "ctx_reg_md5", 1, "ctxsw", "per_registration_md5",
        "switches")
    row("ctx switches per reg (AKA max)", "ctx_reg_aka", 1, "ctxsw", "per_registration_aka",
        "switches")
    row("ctx switches per call (max)", "ctx_calls", 1, "ctxsw", "per_call", "switches")
    counters = [("Com_stmt_execute", "prepared statements"), ("Questions", "statements, all"),
                ("Innodb_data_fsyncs", "fsyncs"), ("Hss_cache_hits", "HSS pair cache hits"),
                ("Hss_cache_misses", "HSS pair cache misses"),
                ("Hss_sqn_blocks", "HSS SQN blocks reserved")]
    ops = [("cpu_reg_fill", "reg (fill)"), ("cpu_reg_md5", "reg MD5"), ("cpu_reg_aka", "reg AKA"),
           ("cpu_calls", "call")]
    if any(f"db{o[0]}_Questions" in kv for o in ops):
        lines.append("")
        lines.append(f"{'MariaDB per operation':<30}" + "".join(f"{o[1]:>12}" for o in ops))
        for key, label in counters:
            vals = [fnum(kv.get(f"db{o[0]}_{key}")) for o in ops]
            lines.append(f"{label:<30}" + "".join(f"{fmt(v, 2):>12}" for v in vals))
            for o, v in zip(ops, vals):
                if not math.isnan(v):
                    add("mariadb", f"{key}_per_op", o[0], f"{v:.2f}", "per operation")
    if "fill_rate" in kv:
        lines.append(f"(memory: {kv.get('fill_count')} subscribers registered at "
                     f"{kv.get('fill_rate')}/s, {kv.get('fill_failed', '?')} failed, "
                     f"load {kv.get('fill_load', '')})")
        add("memory", "fill_registrations", "", kv.get("fill_count"), "registrations",
            kv.get("fill_load", ""), f"failed {kv.get('fill_failed', '?')}")
    print("\n".join(lines))
    with open(csvfile, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["# " + machine])
        w.writerow(["# date " + kv.get("date", "") + ", subscribers " + str(n) +
                    ", step seconds " + kv.get("step_seconds", "") + ", commit " +
                    kv.get("commit", "")])
        w.writerow(["section", "item", "daemon", "value", "unit", "load", "note"])
        w.writerows(rows)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[1]
    if cmd == "rtt":
        cmd_rtt(argv[2:])
    elif cmd == "sippstat":
        cmd_sippstat(argv[2])
    elif cmd == "mar":
        cmd_mar(argv[2], argv[3] if len(argv) > 3 else None)
    elif cmd == "report":
        cmd_report(argv[2], argv[3], argv[4])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
