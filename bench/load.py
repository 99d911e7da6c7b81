#!/usr/bin/env python3
"""Load benchmark of `dfmt serve` (driven by bench/load; see there for how to run it).

    load.py run --dfmt BIN --peers BIN --data DIR --out DIR [--duration S] [--mixed-duration S] [--only a,b,c,d]
    load.py big-client URL OUT.json UNTIL FILE...     POSTs the files in turn (keep-alive) until the time UNTIL
    load.py slow-client URL OUT.json UNTIL CONNS BODY  CONNS connections that trickle BODY a byte per 100 ms
    load.py alloc-table [OUT]   (a) and (b) of OUT/load-{system,jemalloc,mimalloc}.json side by side

Runs, all on loopback, server and clients sharing the machine's cores:
  a. 1 KB JSON bodies POSTed to /v1/format by wrk (-t2 -c64), and the same wrk against an axum hello-world
     (bench/peers `hello-server`): req/s, p50, p99, and dfmt's req/s as a share of hello-world's;
  b. (a) again while 2 clients keep POSTing a ~50 MB JSON file: small-request p50/p99, big conversions done;
  c. a mixed run: 90% well-formed, 5% malformed (422), 5% over --max-body-bytes (413), plus slow clients that
     trickle their body (408 after --request-timeout-ms, connection closed); statuses and dfmt's RSS per second;
  d. the inline threshold: (a)'s p99 with 256 KB-1 MB bodies alongside for --inline-below-bytes 0, 65536 and
     1 GiB, and 1 KB req/s alone for 0 and 65536.
Prints Markdown and writes it to OUT/load.md (and OUT/load-LABEL.md, OUT/load-LABEL.json).
"""

import argparse
import atexit
import http.client
import json
import os
import random
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
LUA = HERE / "wrk"
CHILDREN: list[subprocess.Popen] = []


def fail(message):
    print(f"bench/load: error: {message}", file=sys.stderr)
    sys.exit(1)


def cleanup():
    for p in CHILDREN:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.time() + 5
    for p in CHILDREN:
        if p.poll() is None:
            try:
                p.wait(max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait()


def on_signal(signum, _frame):
    cleanup()
    sys.exit(128 + signum)


# Each child gets a process group of its own (for the cleanup), in this script's session unless SESSIONS=1. With
# the kernel's autogroup scheduling (on by default on desktop and many server kernels), every session is a
# scheduling group and CPU time is split between groups before threads: wrk and the server, each in a session of
# its own, then get about half of the machine each whenever both can run. That caps a server needing more than
# half the machine (dfmt: ~1.3 of the 2 cores for 1 KB requests) and no hello-world, and measures the split more
# than the server. In one session, as when both are started from one shell, their threads share the cores.
NEW_SESSIONS = os.environ.get("SESSIONS") == "1"


def spawn(cmd, **kw):
    """Starts a child in its own process group, killed (group and all) when this script ends."""
    if NEW_SESSIONS:
        p = subprocess.Popen(cmd, start_new_session=True, **kw)
    else:
        p = subprocess.Popen(cmd, process_group=0, **kw)
    CHILDREN.append(p)
    return p


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, proc, what, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            fail(f"{what} exited with status {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    fail(f"{what} did not answer {url} within {timeout} s")


def stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def q(cmd):
    return " ".join(shlex.quote(str(c)) for c in cmd)


def rel(path):
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- bodies


def prepare(data: Path, out: Path):
    """The request bodies, made from ../shared/bench-data/json (regenerated only when missing)."""
    bodies = out / "load-bodies"
    bodies.mkdir(parents=True, exist_ok=True)
    twitter = json.loads((data / "twitter.json").read_bytes())
    # (a): a real 1,027-byte object, twitter.json's statuses[12].entities, compact.
    small = json.dumps(twitter["statuses"][12]["entities"], ensure_ascii=False, separators=(",", ":")).encode()
    f = {"small": bodies / "small-1k.json"}
    f["small"].write_bytes(small)
    # Malformed: the first ':' dropped (a syntax error at byte 11).
    f["malformed"] = bodies / "malformed-1k.json"
    f["malformed"].write_bytes(small.replace(b":", b"", 1))
    statuses = [json.dumps(s, ensure_ascii=False, separators=(",", ":")).encode() for s in twitter["statuses"]]

    def array_of(size):
        parts, n, i = [], 2, 0
        while n < size:
            s = statuses[i % len(statuses)]
            parts.append(s)
            n += len(s) + 1
            i += 1
        return b"[" + b",".join(parts) + b"]"

    # (c): 300 KB, valid, over a 256 KiB limit.
    f["oversized"] = bodies / "oversized-300k.json"
    f["oversized"].write_bytes(array_of(300 << 10))
    # (d): 256 KB to 1 MB bodies.
    f["mid"] = []
    for kb in (256, 512, 1024):
        p = bodies / f"mid-{kb}k.json"
        p.write_bytes(array_of(kb << 10))
        f["mid"].append(p)
    # (b): ~50 MB, an array of whole bench-data/json files as they are.
    big = out / "big-50mb.json"
    if not big.exists() or big.stat().st_size < 50 << 20:
        texts = [p.read_bytes().strip() for p in sorted(data.glob("*.json"))]
        tmp = big.with_suffix(".tmp")
        with open(tmp, "wb") as w:
            w.write(b"[\n")
            n, first = 0, True
            while n < 50 << 20:
                for t in texts:
                    if not first:
                        w.write(b",\n")
                    first = False
                    w.write(t)
                    n += len(t) + 2
                    if n >= 50 << 20:
                        break
            w.write(b"\n]\n")
        tmp.rename(big)
    f["big"] = big
    return f


# ---------------------------------------------------------------- processes


class Dfmt:
    def __init__(self, binary, out, name, extra=(), env=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.cmd = [binary, "serve", "--listen", f"127.0.0.1:{self.port}", *map(str, extra)]
        self.log = out / "logs" / f"dfmt-{name}.log"
        self.log.parent.mkdir(exist_ok=True)
        self.env = {**os.environ, **(env or {})}
        self.env_shown = " ".join(f"{k}={v}" for k, v in (env or {}).items())
        self.proc = spawn(self.cmd, stdout=subprocess.DEVNULL, stderr=open(self.log, "wb"), env=self.env)
        wait_http(self.base + "/healthz", self.proc, "dfmt serve")

    def shown(self):
        cmd = ["dfmt", *self.cmd[1:]]
        cmd[cmd.index("--listen") + 1] = "127.0.0.1:PORT"
        return (self.env_shown + " " if self.env_shown else "") + q(cmd) + " 2>log"

    def rss_kib(self):
        try:
            for line in open(f"/proc/{self.proc.pid}/status"):
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            return None

    def check_alive(self):
        if self.proc.poll() is not None:
            fail(f"dfmt serve exited with status {self.proc.returncode} during the run (log: {self.log})")

    def stop(self):
        stop(self.proc)


def wrk(url, duration, script, env=None, conns=64, threads=2, log=None):
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--latency", "-s", rel(script), url]
    full_env = {**os.environ, **{k: str(v) for k, v in (env or {}).items()}}
    p = spawn(cmd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = p.communicate()
    r = subprocess.CompletedProcess(cmd, p.returncode, stdout, stderr)
    if log:
        with open(log, "a") as w:
            w.write(f"$ {q(cmd)}\n{r.stdout}{r.stderr}\n")
    if r.returncode != 0:
        fail(f"wrk failed ({r.returncode}): {r.stderr.strip() or r.stdout.strip()}")
    line = next((l for l in r.stdout.splitlines() if l.startswith("LOAD-JSON ")), None)
    if line is None:
        fail(f"wrk printed no summary: {r.stdout} {r.stderr}")
    result = json.loads(line[len("LOAD-JSON "):])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    shown_env = " ".join(f"{k}={rel(v) if '/' in str(v) else v}" for k, v in (env or {}).items())
    shown_url = url.split("//", 1)[1].split("/", 1)
    result["cmd"] = (shown_env + " " if shown_env else "") + q(cmd[:-1] + [f"http://127.0.0.1:PORT/{shown_url[1]}"])
    return result


class Clients:
    """A helper client process of this script (big-client or slow-client), reporting into a JSON file."""

    def __init__(self, out, name, args, seconds):
        self.file = out / "logs" / f"{name}.json"
        self.file.unlink(missing_ok=True)
        self.cmd = [sys.executable, __file__, *map(str, args[:1]), "URL", str(self.file), "UNTIL", *map(str, args[1:])]
        self.until = time.time() + seconds
        real = [sys.executable, __file__, args[0], args[1], self.file, f"{self.until:.3f}", *map(str, args[2:])]
        self.shown = q(["python3", "bench/load.py", args[0], "URL", rel(self.file), f"+{seconds}s",
                        *[rel(a) if isinstance(a, Path) else a for a in args[2:]]])
        self.proc = spawn([str(c) for c in real], stdout=subprocess.DEVNULL)

    def result(self, grace=120):
        try:
            self.proc.wait(max(1, self.until - time.time() + grace))
        except subprocess.TimeoutExpired:
            stop(self.proc)
        if not self.file.exists():
            fail(f"client {self.shown} wrote no results (status {self.proc.returncode})")
        return json.loads(self.file.read_text())


# ---------------------------------------------------------------- client modes


def big_client(url, out, until, files):
    """POSTs each file in turn on one keep-alive connection until `until`; records status and seconds."""
    bodies = [Path(f).read_bytes() for f in files]
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    results = []
    i = random.randrange(len(bodies))
    while time.time() < until:
        body = bodies[i % len(bodies)]
        i += 1
        t0 = time.perf_counter()
        try:
            conn.request("POST", u.path + "?" + u.query, body=body, headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            results.append({"status": r.status, "s": time.perf_counter() - t0, "in": len(body), "out": len(data)})
            if r.will_close:
                conn.close()
        except OSError as e:
            results.append({"status": 0, "s": time.perf_counter() - t0, "error": str(e)})
            conn.close()
    Path(out).write_text(json.dumps(results))


def slow_client(url, out, until, conns, body_file):
    """CONNS threads, each: a request whose body trickles a byte per 100 ms until the server answers; records
    the status, the seconds to the answer and whether the server then closed the connection."""
    body = Path(body_file).read_bytes()
    u = urllib.parse.urlsplit(url)
    results, lock = [], threading.Lock()

    def one():
        s = socket.create_connection((u.hostname, u.port))
        t0 = time.perf_counter()
        head = (f"POST {u.path}?{u.query} HTTP/1.1\r\nHost: {u.hostname}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        s.sendall(head)
        s.settimeout(0.1)
        got, sent = b"", 0
        record = {"status": 0, "closed": False}
        while b"\r\n" not in got and time.perf_counter() - t0 < 60:
            try:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
                continue
            except socket.timeout:
                pass
            except OSError as e:
                record["error"] = str(e)
                break
            if sent < len(body):
                try:
                    s.sendall(body[sent:sent + 1])
                    sent += 1
                except OSError as e:
                    record["error"] = str(e)
        record["s"] = time.perf_counter() - t0
        record["sent"] = sent
        if got.startswith(b"HTTP/1.1 "):
            record["status"] = int(got[9:12])
        # After the answer, the server should close: read to EOF within 2 s.
        s.settimeout(2)
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    record["closed"] = True
                    break
        except socket.timeout:
            record["closed"] = False
        except OSError:
            record["closed"] = True  # reset also ends the connection
        s.close()
        with lock:
            results.append(record)

    def loop():
        while time.time() < until:
            try:
                one()
            except OSError as e:
                with lock:
                    results.append({"status": 0, "error": str(e), "closed": False})
                time.sleep(0.1)

    threads = [threading.Thread(target=loop) for _ in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    Path(out).write_text(json.dumps(results))


# ---------------------------------------------------------------- runs


def ms(us):
    return f"{us / 1000:.2f}"


def warm(url, env, log):
    wrk(url, 2, LUA / "requests.lua", env=env, log=log)


def run_a(o, f, R):
    log = o.out / "logs" / "a.log"
    log.unlink(missing_ok=True)
    dfmt = Dfmt(o.dfmt, o.out, "a")
    # The same server logging only warnings: what the per-request log line (info, the default) costs.
    quiet = Dfmt(o.dfmt, o.out, "a-warn", env={"RUST_LOG": "warn"})
    hello_port = free_port()
    hello = spawn([o.peers, "hello-server", f"127.0.0.1:{hello_port}"], stdout=subprocess.DEVNULL,
                  stderr=subprocess.DEVNULL)
    hello_url = f"http://127.0.0.1:{hello_port}/"
    wait_http(hello_url, hello, "hello-server")
    targets = {"dfmt": dfmt.base + "/v1/format?format=json", "quiet": quiet.base + "/v1/format?format=json",
               "hello": hello_url}
    env = {"BODY": f["small"]}
    # Interleaved, twice: dfmt, dfmt (warn), hello; the better run of each is kept (noise on a shared VM only
    # ever slows a run down); all runs are reported.
    runs = {k: [] for k in targets}
    for k, url in targets.items():
        warm(url, env if k != "hello" else {}, log)
    half = max(2, o.duration // 2)
    for _ in range(2):
        for k, url in targets.items():
            runs[k].append(wrk(url, half, LUA / "requests.lua", env=env if k != "hello" else {}, log=log))
            dfmt.check_alive()
            quiet.check_alive()
    dfmt.stop()
    quiet.stop()
    stop(hello)
    best = {k: max(v, key=lambda r: r["rps"]) for k, v in runs.items()}
    R["a"] = {**best, "runs": runs, "server": dfmt.shown(), "quiet_server": quiet.shown(),
              "hello_cmd": f"{rel(o.peers)} hello-server 127.0.0.1:PORT",
              "ratio": best["dfmt"]["rps"] / best["hello"]["rps"],
              "quiet_ratio": best["quiet"]["rps"] / best["hello"]["rps"]}


def summarize_big(results):
    done = [r for r in results if r.get("status") == 200]
    other = {}
    for r in results:
        if r.get("status") != 200:
            other[str(r.get("status"))] = other.get(str(r.get("status")), 0) + 1
    secs = [r["s"] for r in done]
    return {"completed": len(done), "other": other,
            "median_s": statistics.median(secs) if secs else None, "max_s": max(secs) if secs else None,
            "mb_in": sum(r["in"] for r in done) / 1e6}


def run_b(o, f, R):
    log = o.out / "logs" / "b.log"
    log.unlink(missing_ok=True)
    dfmt = Dfmt(o.dfmt, o.out, "b", ["--max-body-bytes", 64 << 20])
    small = dfmt.base + "/v1/format?format=json"
    env = {"BODY": f["small"]}
    warm(small, env, log)
    seconds = o.duration + 2
    clients = [Clients(o.out, f"b-big-{i}", ["big-client", small, f["big"]], seconds) for i in range(2)]
    time.sleep(1)
    res = wrk(small, o.duration, LUA / "requests.lua", env=env, log=log)
    dfmt.check_alive()
    big = [r for c in clients for r in c.result()]
    dfmt.stop()
    R["b"] = {"small": res, "big": summarize_big(big), "server": dfmt.shown(), "clients": clients[0].shown,
              "big_mb": f["big"].stat().st_size / 1e6}


def run_c(o, f, R):
    log = o.out / "logs" / "c.log"
    log.unlink(missing_ok=True)
    dfmt = Dfmt(o.dfmt, o.out, "c", ["--max-body-bytes", 262144, "--request-timeout-ms", 2000])
    url = dfmt.base + "/v1/format?format=json"
    env = {"GOOD": f["small"], "MALFORMED": f["malformed"], "OVERSIZED": f["oversized"]}
    rss, stop_sampling = [], threading.Event()

    def sample():
        t0 = time.time()
        while not stop_sampling.wait(1.0):
            v = dfmt.rss_kib()
            if v is not None:
                rss.append((time.time() - t0, v))

    sampler = threading.Thread(target=sample)
    sampler.start()
    slow = Clients(o.out, "c-slow", ["slow-client", url, o.slow_clients, f["small"]], o.mixed_duration)
    res = wrk(url, o.mixed_duration, LUA / "mixed.lua", env=env, log=log)
    dfmt.check_alive()
    slow_results = slow.result(grace=10)
    stop_sampling.set()
    sampler.join()
    dfmt.stop()
    warmup = o.warmup
    after = [v for t, v in rss if t >= warmup]
    med = statistics.median(after) if after else 0
    within = bool(after) and all(abs(v - med) <= 0.10 * med for v in after)
    statuses = {}
    for r in slow_results:
        statuses[str(r.get("status"))] = statuses.get(str(r.get("status")), 0) + 1
    slow_408 = [r for r in slow_results if r.get("status") == 408]
    R["c"] = {
        "wrk": res, "server": dfmt.shown(), "slow_cmd": slow.shown,
        "slow": {"requests": len(slow_results), "statuses": statuses,
                 "closed_after_408": sum(1 for r in slow_408 if r["closed"]),
                 "median_s_to_408": statistics.median([r["s"] for r in slow_408]) if slow_408 else None},
        "rss": {"samples_kib": rss, "warmup_s": warmup, "min": min(after) if after else None,
                "max": max(after) if after else None, "median": med, "within_10pct": within,
                "all_min": min(v for _, v in rss) if rss else None, "all_max": max(v for _, v in rss) if rss else None},
    }


def run_d(o, f, R):
    log = o.out / "logs" / "d.log"
    log.unlink(missing_ok=True)
    rows = []
    env = {"BODY": f["small"]}
    for inline in (0, 65536, 1 << 30):
        dfmt = Dfmt(o.dfmt, o.out, f"d-{inline}", ["--inline-below-bytes", inline])
        small = dfmt.base + "/v1/format?format=json"
        warm(small, env, log)
        row = {"inline": inline, "server": dfmt.shown()}
        if inline in (0, 65536):
            row["alone"] = wrk(small, o.duration, LUA / "requests.lua", env=env, log=log)
        seconds = o.duration + 2
        clients = [Clients(o.out, f"d-mid-{inline}-{i}", ["big-client", small, *f["mid"]], seconds)
                   for i in range(2)]
        time.sleep(1)
        row["with_big"] = wrk(small, o.duration, LUA / "requests.lua", env=env, log=log)
        dfmt.check_alive()
        row["big"] = summarize_big([r for c in clients for r in c.result()])
        row["clients"] = clients[0].shown
        dfmt.stop()
        rows.append(row)
    R["d"] = rows


# ---------------------------------------------------------------- report


def report(o, R):
    L = []
    w = L.append
    w(f"# dfmt serve under load ({o.label})\n")
    w(f"Binary: `{rel(o.dfmt)}` ({o.label}); {os.cpu_count()} cores shared by the server and every client "
      f"(loopback), {'each process in a session of its own (SESSIONS=1: the scheduler splits the cores between sessions first)' if NEW_SESSIONS else 'all in one session (their threads share the cores)'}; "
      f"runs of {o.duration} s, mixed run {o.mixed_duration} s; "
      f"small body: {f_size(o.files['small'])} bytes (twitter.json statuses[12].entities, compact); "
      f"`dfmt serve` logs every request to a file at the default level (info).\n")
    w("Load average (1 min) around each run, a sign of other work on the machine (this benchmark alone brings it "
      "to about 2-3): " + "; ".join(o.loads) + ".\n")
    if "a" in R:
        a = R["a"]
        w("## (a) 1 KB format requests vs an axum hello-world\n")
        w("| server | req/s | of hello-world | p50 ms | p99 ms | non-2xx | socket errors |")
        w("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        rows = (("dfmt `POST /v1/format?format=json`", a["dfmt"]),
                ("the same, `RUST_LOG=warn` (no per-request log line)", a["quiet"]),
                ("axum hello-world `GET /`", a["hello"]))
        for name, r in rows:
            e = r["errors"]
            share = f"{r['rps'] / a['hello']['rps'] * 100:.0f}%"
            w(f"| {name} | {r['rps']:.0f} | {share} | {ms(r['latency_us']['p50'])} | {ms(r['latency_us']['p99'])} | "
              f"{e['status']} | {e['connect'] + e['read'] + e['write'] + e['timeout']} |")
        verdict = "meets" if a["ratio"] >= 0.60 else "misses"
        w(f"\ndfmt / hello-world: **{a['ratio'] * 100:.0f}%** of the hello-world's req/s (target ≥ 60%: {verdict}); "
          f"{a['quiet_ratio'] * 100:.0f}% with `RUST_LOG=warn`. Better of two interleaved {max(2, o.duration // 2)} s "
          "runs each (all runs, req/s: " + "; ".join(
              f"{k} " + ", ".join(f"{r['rps']:.0f}" for r in v) for k, v in a["runs"].items()) + ").\n")
        w(f"- `{a['server']}`\n- `{a['quiet_server']}`\n- `{a['hello_cmd']}`\n- `{a['dfmt']['cmd']}`\n"
          f"- `{a['hello']['cmd']}`\n")
    if "b" in R:
        b = R["b"]
        r = b["small"]
        big = b["big"]
        w(f"## (b) 1 KB requests while 2 clients POST a {b['big_mb']:.0f} MB JSON file\n")
        w("| small req/s | p50 ms | p99 ms | p99.9 ms | non-2xx | 50 MB conversions done | median s each | other statuses |")
        w("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        verdict = "meets" if r["latency_us"]["p99"] < 10000 else "misses"
        w(f"| {r['rps']:.0f} | {ms(r['latency_us']['p50'])} | {ms(r['latency_us']['p99'])} | "
          f"{ms(r['latency_us']['p99.9'])} | {r['errors']['status']} | {big['completed']} | "
          f"{big['median_s']:.2f} | {big['other'] or '-'} |" if big["median_s"] is not None else
          f"| {r['rps']:.0f} | {ms(r['latency_us']['p50'])} | {ms(r['latency_us']['p99'])} | "
          f"{ms(r['latency_us']['p99.9'])} | {r['errors']['status']} | 0 | - | {big['other'] or '-'} |")
        w(f"\nSmall-request p99 target < 10 ms: {verdict}.\n")
        w(f"- `{b['server']}`\n- 2 × `{b['clients']}`\n- `{r['cmd']}`\n")
    if "c" in R:
        c = R["c"]
        r = c["wrk"]
        st = r["status"]
        five = sum(v for k, v in st.items() if k.startswith("5"))
        w(f"## (c) Mixed run, {o.mixed_duration} s\n")
        w("| class | sent | expected | answered |")
        w("| --- | ---: | --- | --- |")
        w(f"| well-formed 1 KB | {r['sent']['good']} | 200 | 200: {st.get('200', 0)} |")
        w(f"| malformed 1 KB | {r['sent']['malformed']} | 422 | 422: {st.get('422', 0)} |")
        w(f"| 300 KB over a 256 KiB limit | {r['sent']['oversized']} | 413 | 413: {st.get('413', 0)} |")
        s = c["slow"]
        w(f"| slow body (1 byte / 100 ms), {o.slow_clients} connections | {s['requests']} | 408, closed | "
          f"{', '.join(f'{k}: {v}' for k, v in sorted(s['statuses'].items()))}; closed after 408: "
          f"{s['closed_after_408']}; median {s['median_s_to_408'] or 0:.2f} s to the 408 |")
        other = {k: v for k, v in st.items() if k not in ("200", "422", "413")}
        e = r["errors"]
        w(f"\n\"sent\" counts wrk's request() calls. dfmt answers 413 with `Connection: close` and closes the "
          f"connection without reading the body; wrk then opens a new one (write/read errors: "
          f"{e['write'] + e['read']}, against {st.get('413', 0)} answers 413).")
        w(f"\nwrk: {r['rps']:.0f} req/s overall, p50 {ms(r['latency_us']['p50'])} ms, p99 "
          f"{ms(r['latency_us']['p99'])} ms; other statuses: {other or 'none'}; socket errors: connect "
          f"{e['connect']}, read {e['read']}, write {e['write']}, timeout {e['timeout']}. "
          f"**5xx: {five}** ({'PASS' if five == 0 else 'FAIL'}: zero 5xx expected; wrk cannot tell which request a "
          f"response answers, so any 5xx fails the run).\n")
        rs = c["rss"]
        if rs["min"] is not None:
            w(f"RSS of dfmt, sampled every second: after a {rs['warmup_s']} s warm-up min {rs['min'] / 1024:.1f} MiB, "
              f"median {rs['median'] / 1024:.1f} MiB, max {rs['max'] / 1024:.1f} MiB — "
              f"{'within' if rs['within_10pct'] else 'NOT within'} ±10% of the median (whole run: "
              f"{rs['all_min'] / 1024:.1f}–{rs['all_max'] / 1024:.1f} MiB).\n")
        w(f"- `{c['server']}`\n- `{r['cmd']}`\n- `{c['slow_cmd']}`\n")
    if "d" in R:
        w("## (d) Inline threshold (`--inline-below-bytes`)\n")
        w("| --inline-below-bytes | 1 KB alone: req/s | p99 ms | with 256 KB–1 MB alongside: req/s | p50 ms | p99 ms | big done |")
        w("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for row in R["d"]:
            al = row.get("alone")
            wb = row["with_big"]
            name = {0: "0 (all on the blocking pool)", 65536: "65536 (default)"}.get(row["inline"],
                                                                                   f"{row['inline']} (all inline)")
            al_rps = f"{al['rps']:.0f}" if al else "-"
            al_p99 = ms(al["latency_us"]["p99"]) if al else "-"
            w(f"| {name} | {al_rps} | {al_p99} | "
              f"{wb['rps']:.0f} | {ms(wb['latency_us']['p50'])} | {ms(wb['latency_us']['p99'])} | "
              f"{row['big']['completed']} |")
        w("")
        for row in R["d"]:
            w(f"- `{row['server']}`")
        w(f"- 2 × `{R['d'][0]['clients']}`\n- `{R['d'][0]['with_big']['cmd']}`\n")
    return "\n".join(L) + "\n"


def f_size(p):
    return p.stat().st_size


def alloc_table(out):
    """The server side of the allocator comparison: (a) and (b) from OUT/load-{system,jemalloc,mimalloc}.json."""
    L = ["| allocator | (a) req/s | (a) p50 ms | (a) p99 ms | (b) small req/s | (b) p50 ms | (b) p99 ms | "
         "(b) 50 MB done | (b) median s each |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name in ("system", "jemalloc", "mimalloc"):
        p = Path(out) / f"load-{name}.json"
        if not p.exists():
            continue
        R = json.loads(p.read_text())
        a, b = R.get("a", {}).get("dfmt"), R.get("b")
        cells = [name]
        cells += [f"{a['rps']:.0f}", ms(a["latency_us"]["p50"]), ms(a["latency_us"]["p99"])] if a else ["-"] * 3
        if b:
            s = b["small"]
            med = b["big"]["median_s"]
            cells += [f"{s['rps']:.0f}", ms(s["latency_us"]["p50"]), ms(s["latency_us"]["p99"]),
                      str(b["big"]["completed"]), f"{med:.2f}" if med is not None else "-"]
        else:
            cells += ["-"] * 5
        L.append("| " + " | ".join(cells) + " |")
    print("\n".join(L))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "alloc-table":
        return alloc_table(sys.argv[2] if len(sys.argv) > 2 else HERE / "out")
    if len(sys.argv) > 1 and sys.argv[1] == "big-client":
        return big_client(sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5:])
    if len(sys.argv) > 1 and sys.argv[1] == "slow-client":
        return slow_client(sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["run"])
    ap.add_argument("--dfmt", required=True, type=Path)
    ap.add_argument("--peers", required=True, type=Path)
    ap.add_argument("--data", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--mixed-duration", type=int, default=60)
    ap.add_argument("--slow-clients", type=int, default=4)
    ap.add_argument("--only", default="a,b,c,d")
    ap.add_argument("--label", default="default")
    o = ap.parse_args()
    o.warmup = max(3, o.mixed_duration // 6)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    atexit.register(cleanup)
    (o.out / "logs").mkdir(parents=True, exist_ok=True)
    o.files = prepare(o.data, o.out)
    o.loads = []
    R = {}
    for part in o.only.split(","):
        t0 = time.time()
        print(f"bench/load: run ({part}) ...", file=sys.stderr, flush=True)
        load_before = os.getloadavg()[0]
        {"a": run_a, "b": run_b, "c": run_c, "d": run_d}[part](o, o.files, R)
        o.loads.append(f"({part}) {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
        print(f"bench/load: run ({part}) done in {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
    md = report(o, R)
    (o.out / "load.md").write_text(md)
    (o.out / f"load-{o.label}.md").write_text(md)
    (o.out / f"load-{o.label}.json").write_text(json.dumps(R, indent=1, default=str))
    print(md)
    if "c" in R and any(k.startswith("5") for k in R["c"]["wrk"]["status"]):
        fail("5xx answers in the mixed run (see above)")


if __name__ == "__main__":
    main()
