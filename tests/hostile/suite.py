#!/usr/bin/env python3
"""The hostile-input suite: inputs and clients built to exhaust dfmt, each with the clean outcome it must get.

    python3 tests/hostile/suite.py DFMT [--table] [--only NAME,...] [--keep] [--compat]

Runs every case against the `dfmt` binary DFMT — the command line, and `dfmt serve` on a free loopback port — and
checks its outcome (exit code or HTTP status, and the error code), and its bounds in counts: bytes written, peak
memory (the child's maximum resident set from wait4, through a small C launcher, for the command line; the server's VmHWM, reset before each
case, for the service), and for the service that it still answers `/healthz` afterwards. Wall time is only a
generous guard against a hang. Exits 1 if any case fails. With `--table`, prints a Markdown table of the cases
(input, outcome, time, peak RSS), which is how the closing notes compare builds.

`--compat` runs an older dfmt that lacks this suite's flags (`--message-format`, the newer limits): the cases run
with the flags it has, the outcome is the first line of its error, and the table is a record, not a verdict.

Inputs are generated into a temporary folder (nothing is read from ../shared); the largest is ~17 MB.
"""
import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

MIB = 1 << 20


# ---- inputs ----

def billion_laughs():
    """YAML: 9 levels of 10 aliases each (10^9 nodes expanded), 545 bytes."""
    lines = ['l0: &l0 "lol"']
    for i in range(1, 10):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return ("\n".join(lines) + "\n").encode()


def alias_long_strings():
    """YAML: a 40 KB string aliased 10,000 times: few nodes, 400 MB of text expanded."""
    text = "s: &s " + "x" * 40_000 + "\nlist: [" + ", ".join(["*s"] * 10_000) + "]\n"
    return text.encode()


def deep_anchors():
    """YAML: 30 anchors, each nesting the previous one 1,000 levels deeper (depth 30,000 expanded)."""
    lines = ["a0: &a0 " + "[" * 1000 + "1" + "]" * 1000]
    for i in range(1, 30):
        lines.append(f"a{i}: &a{i} " + "[" * 1000 + f"*a{i - 1}" + "]" * 1000)
    return ("\n".join(lines) + "\n").encode()


def deep_arrays(count=2000, depth=1000):
    """JSON: `count` arrays each `depth` deep: small compact, enormous pretty (indentation grows with depth)."""
    one = "[" * depth + "]" * depth
    return ("[" + ",".join([one] * count) + "]").encode()


def records(n):
    """JSON: an array of `n` small objects (~60 bytes each)."""
    return ("[" + ",".join(f'{{"id":{i},"name":"item {i}","tags":["a","b"]}}' for i in range(n)) + "]").encode()


def nested(open_, close, depth=100_000):
    return (open_ * depth + close * depth).encode()


def toml_keys(n):
    return "".join(f"k{i} = {i}\n" for i in range(n)).encode()


# ---- running ----

# A launcher in C: a process forked from this Python would count Python's memory in its own peak (the maximum
# resident set survives exec), so a small fresh process forks dfmt and reports dfmt's own peak from wait4.
LAUNCHER_C = r"""
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
    pid_t pid = fork();
    if (pid == 0) { execv(argv[1], argv + 1); _exit(127); }
    int status; struct rusage usage;
    if (wait4(pid, &status, 0, &usage) < 0) return 125;
    fprintf(stderr, "\nlauncher: maxrss_kib=%ld\n", usage.ru_maxrss);
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}
"""


def launcher(tmp):
    source, binary = os.path.join(tmp, "launcher.c"), os.path.join(tmp, "launcher")
    with open(source, "w") as f:
        f.write(LAUNCHER_C)
    subprocess.run(["cc", "-O2", "-o", binary, source], check=True)
    return binary


def peak_rss_and_time(env, argv, stdout_path, stderr_path, timeout):
    """Runs argv through the launcher; returns (exit code, seconds, peak RSS in bytes). The launcher's report is
    the last line of the standard error, which it removes."""
    started = time.monotonic()
    with open(stdout_path, "wb") as o, open(stderr_path, "wb") as e:
        proc = subprocess.Popen([env.launcher] + argv, stdin=subprocess.DEVNULL, stdout=o, stderr=e)
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            code = "timeout"
    seconds = time.monotonic() - started
    with open(stderr_path, "rb") as f:
        text = f.read()
    head, _, report = text.rpartition(b"\nlauncher: maxrss_kib=")
    with open(stderr_path, "wb") as f:
        f.write(head)
    rss = int(report.strip() or 0) * 1024 if report else 0
    return code, seconds, rss


class Case:
    def __init__(self, name, what, expect, check):
        self.name, self.what, self.expect, self.check = name, what, expect, check


def write_input(path, make):
    """Writes `make()` to `path` from a child process, so that this process never holds the input: a child it
    spawns would count this process's memory as its own peak (wait4's maximum resident set survives exec)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            with open(path, "wb") as f:
                f.write(make())
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"making the input {path} failed")


def without_new_flags(args):
    """`args` without the flags an older dfmt does not know (and their values)."""
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("--max-held-bytes", "--max-alias-bytes"):
            skip = True
        else:
            out.append(arg)
    return out


def cli_case(name, what, make, args, expect_code, error_code=None, max_stdout=None, max_rss=None, timeout=60,
             max_rss_added=None):
    """A command-line case: `dfmt ARGS FILE`, FILE holding what `make()` returns. `max_rss_added` bounds the peak
    resident set above that of the same command on a 2-byte file (the binary's own pages, which grow with the
    code linked in, are not what the case is about)."""

    def check(env):
        path = os.path.join(env.tmp, name)
        write_input(path, make)
        out, err = path + ".out", path + ".err"
        argv = [env.dfmt] + args + [path, "--message-format", "json"]
        if env.compat:
            argv = [env.dfmt] + without_new_flags(args) + [path]
        code, seconds, rss = peak_rss_and_time(env, argv, out, err, timeout)
        written = os.path.getsize(out)
        problems = []
        if code != expect_code:
            problems.append(f"exit {code}, expected {expect_code}")
        got = ""
        if error_code:
            with open(err, "rb") as f:
                first = f.readline()
            try:
                got = json.loads(first).get("code", "")
            except ValueError:
                got = first.decode(errors="replace").split("error: ", 1)[-1].strip()[:90]
            if got != error_code:
                problems.append(f"error {got!r}, expected {error_code}")
        if max_stdout is not None and written > max_stdout:
            problems.append(f"wrote {written} bytes, bound {max_stdout}")
        if max_rss is not None and rss > max_rss:
            problems.append(f"peak RSS {rss / MIB:.1f} MiB, bound {max_rss / MIB:.0f} MiB")
        if max_rss_added is not None:
            tiny = os.path.join(env.tmp, name + ".tiny")
            write_input(tiny, lambda: b"[]" if not name.endswith(".toml") else b"a = 1\n")
            base_argv = argv[:-3] + [tiny, "--message-format", "json"] if not env.compat else argv[:-1] + [tiny]
            _, _, base = peak_rss_and_time(env, base_argv, out + ".tiny", err + ".tiny", timeout)
            if rss - base > max_rss_added:
                problems.append(
                    f"peak RSS {rss / MIB:.1f} MiB, {(rss - base) / MIB:.1f} MiB above the same command on a tiny "
                    f"file, bound {max_rss_added / MIB:.0f} MiB"
                )
        outcome = f"exit {code}" + (f", {got}" if got else "") + f", {written} bytes out"
        return problems, outcome, seconds, rss

    expect = f"exit {expect_code}" + (f", {error_code}" if error_code else "")
    return Case(name, what, expect, check)


class Server:
    """`dfmt serve` on a free port, with extra flags."""

    def __init__(self, dfmt, flags):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        argv = [dfmt, "serve", "--listen", f"127.0.0.1:{self.port}"] + flags
        env = dict(os.environ, RUST_LOG="warn")
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dfmt serve did not start")

    def request(self, method, path, body=None, timeout=60):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def reset_peak(self):
        # Writing 5 to clear_refs resets the peak resident set (VmHWM) to the current one.
        with open(f"/proc/{self.proc.pid}/clear_refs", "w") as f:
            f.write("5")

    def status(self, field):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
        return 0

    def peak(self):
        return self.status("VmHWM")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def server_case(name, what, expect_status, error_kind, send, max_rss=None):
    """A service case: `send(server)` returns (status, body bytes); the kind is checked in the JSON error, and
    `max_rss` bounds how much the server's peak resident set rises above what it held before the case."""

    def check(env):
        if env.server.proc.poll() is not None:
            env.server = Server(env.dfmt, env.server_flags)
        server = env.server
        server.reset_peak()
        # Memory the service keeps between requests (buffers of earlier large conversions, the allocator's free
        # pages) is there before the case: the bound is on what the case adds.
        before = server.status("VmRSS")
        started = time.monotonic()
        try:
            status, body = send(server)
        except OSError as error:
            status, body = 0, json.dumps({"error": {"kind": f"no answer: {error}"}}).encode()
        seconds = time.monotonic() - started
        if server.proc.poll() is not None:
            return [f"the service died (exit {server.proc.returncode})"], f"died, exit {server.proc.returncode}", \
                seconds, 0
        rss = server.peak()
        problems = []
        if status != expect_status:
            problems.append(f"status {status}, expected {expect_status}")
        kind = ""
        if error_kind:
            try:
                kind = json.loads(body)["error"]["kind"]
            except (ValueError, KeyError, TypeError):
                kind = body[:60].decode(errors="replace")
            if kind not in error_kind.split("|"):
                problems.append(f"kind {kind!r}, expected {error_kind}")
        if max_rss is not None and rss - before > max_rss:
            problems.append(f"server peak RSS {rss / MIB:.1f} MiB, {(rss - before) / MIB:.1f} MiB more than before "
                            f"the case, bound {max_rss / MIB:.0f} MiB")
        try:
            alive = server.request("GET", "/healthz", timeout=10)[0] == 200
        except OSError:
            alive = False
        if not alive:
            problems.append("the service no longer answers /healthz")
        outcome = f"{status}" + (f" {kind}" if kind else "") + f", {len(body)} bytes"
        return problems, outcome, seconds, rss

    expect = f"{expect_status}" + (f" {error_kind.replace('|', ' or ')}" if error_kind else "")
    return Case(name, what, expect, check)


def slowloris(server, seconds=3.0):
    """A connection that sends a header line every 200 ms and never ends its headers: closed by the server?"""
    s = socket.create_connection(("127.0.0.1", server.port))
    s.sendall(b"POST /v1/format?format=json HTTP/1.1\r\nHost: x\r\n")
    started = time.monotonic()
    s.settimeout(0.2)
    try:
        while time.monotonic() - started < seconds:
            try:
                s.sendall(b"X-A: b\r\n")
                if s.recv(1) == b"":
                    return 408, b'{"error":{"kind":"closed"}}'
            except socket.timeout:
                continue
            except OSError:
                return 408, b'{"error":{"kind":"closed"}}'
        return 200, b'{"error":{"kind":"still open"}}'
    finally:
        s.close()


def stalled_uploads(server, count=40, size=15 * MIB):
    """`count` connections that declare `size` bytes, send half, and stall; then a small request."""
    socks = []
    chunk = b"[" + b"1," * (size // 4)
    statuses = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(f"POST /v1/format?format=json HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\n\r\n".encode())
        try:
            s.sendall(chunk)
        except OSError:
            pass
        socks.append(s)
    time.sleep(1)
    status, body = server.request("POST", "/v1/format?format=json", body=b"[1]")
    for s in socks:
        s.settimeout(0.5)
        try:
            statuses.append(s.recv(12)[9:12])
        except OSError:
            pass
        s.close()
    refused = sum(1 for st in statuses if st == b"503")
    # The budget of bodies in flight (64 MiB here) must have turned some of the 40 × 7.5 MB away.
    kind = "uploads refused" if refused else "none refused"
    return status, json.dumps({"error": {"kind": kind, "message": f"{refused} of {count} refused"}}).encode()


def cases():
    return [
        cli_case("billion-laughs.yaml", "YAML, 9 levels × 10 aliases (545 B)", billion_laughs,
                 ["convert", "--to", "json"], 1, "alias_limit", max_stdout=64 * MIB, max_rss=48 * MIB),
        cli_case("alias-long-strings.yaml", "YAML, a 40 KB string aliased 10,000 times (70 KB)", alias_long_strings,
                 ["convert", "--to", "json"], 1, "alias_bytes_limit", max_stdout=96 * MIB, max_rss=96 * MIB),
        cli_case("deep-anchors.yaml", "YAML, 30 anchors nesting 1,000 levels each (88 KB)", deep_anchors,
                 ["convert", "--to", "json"], 1, "depth_limit", max_stdout=8 * MIB, max_rss=96 * MIB),
        cli_case("bomb-sort-keys.yaml", "YAML bomb with --sort-keys (545 B)", billion_laughs,
                 ["convert", "--to", "json", "--sort-keys"], 1, "alias_limit", max_stdout=8 * MIB, max_rss=160 * MIB),
        cli_case("held-sort-keys.json", "6 MB of records, --sort-keys --max-held-bytes 1000000", lambda: records(100_000),
                 ["fmt", "--sort-keys", "--max-held-bytes", "1000000"], 1, "held_bytes_limit",
                 max_stdout=0, max_rss=64 * MIB),
        cli_case("duplicate-keys.json", "JSON with a key twice, into YAML", lambda: b'{"a": 1, "\\u0061": 2}',
                 ["convert", "--to", "yaml"], 1, "duplicate_key", max_stdout=0),
        cli_case("deep.json", "JSON, 100,000 nested arrays", lambda: nested("[", "]"), ["validate"], 1, "depth_limit",
                 max_rss_added=4 * MIB),
        cli_case("deep.yaml", "YAML, 100,000 nested flow sequences", lambda: nested("[", "]"),
                 ["validate", "--from", "yaml"], 1, "depth_limit", max_rss_added=4 * MIB),
        cli_case("deep.toml", "TOML, an array 100,000 deep", lambda: b"a = " + nested("[", "]"), ["validate"], 1,
                 "depth_limit", max_rss_added=4 * MIB),
        cli_case("keys.toml", "TOML, 150,000 keys in one table (2 MB)", lambda: toml_keys(150_000),
                 ["convert", "--to", "json"], 0, None, max_rss=160 * MIB, timeout=30),
        server_case("serve: deep arrays", "2 MB of arrays 1,000 deep, formatted (output ~2 GB)", 422, "output_limit",
                    lambda s: s.request("POST", "/v1/format?format=json", body=deep_arrays()), max_rss=160 * MIB),
        server_case("serve: billion laughs", "the 545 B bomb, into JSON", 422, "alias_limit",
                    lambda s: s.request("POST", "/v1/convert?from=yaml&to=json", body=billion_laughs()),
                    max_rss=96 * MIB),
        server_case("serve: alias long strings", "70 KB, 400 MB expanded", 422, "alias_limit|output_limit",
                    lambda s: s.request("POST", "/v1/convert?from=yaml&to=json", body=alias_long_strings()),
                    max_rss=160 * MIB),
        server_case("serve: sort_keys held", "6 MB of records, sort_keys (held limit 4 MB)", 422, "memory_limit",
                    lambda s: s.request("POST", "/v1/format?format=json&sort_keys=true", body=records(100_000)),
                    max_rss=96 * MIB),
        server_case("serve: long parameter name", "an unknown query parameter of 60 KB", 400, "bad_request",
                    lambda s: s.request("POST", "/v1/format?format=json&" + "x" * 60_000 + "=1", body=b"[1]")),
        server_case("serve: slowloris", "a header line every 200 ms, never finished", 408, "closed", slowloris),
        server_case("serve: stalled uploads", "40 uploads of 15 MiB that stall half-way", 200,
                    "uploads refused", stalled_uploads, max_rss=400 * MIB),
    ]


class Env:
    pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dfmt")
    parser.add_argument("--table", action="store_true")
    parser.add_argument("--only", default="")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--compat", action="store_true")
    args = parser.parse_args()
    env = Env()
    env.dfmt = os.path.abspath(args.dfmt)
    env.compat = args.compat
    env.tmp = tempfile.mkdtemp(prefix="dfmt-hostile-")
    env.launcher = launcher(env.tmp)
    only = [o for o in args.only.split(",") if o]
    selected = [c for c in cases() if not only or any(o in c.name for o in only)]
    env.server = None
    if any(c.name.startswith("serve:") for c in selected):
        flags = [
            "--max-output-bytes", str(64 * MIB), "--max-held-bytes", str(4 * MIB),
            "--header-read-timeout-ms", "1000", "--max-bodies-in-flight", str(64 * MIB),
            "--request-timeout-ms", "5000",
        ]
        env.server_flags = ["--request-timeout-ms", "5000"] if env.compat else flags
        env.server = Server(env.dfmt, env.server_flags)
    rows, failures = [], 0
    try:
        for case in selected:
            try:
                problems, outcome, seconds, rss = case.check(env)
            except Exception as error:  # a case that crashes the harness is a failure, reported as such
                problems, outcome, seconds, rss = [f"harness: {error!r}"], "-", 0.0, 0
            failures += bool(problems)
            verdict = "ok" if not problems else "FAIL: " + "; ".join(problems)
            rows.append((case.name, case.what, case.expect, outcome, seconds, rss, verdict))
            print(f"{'ok  ' if not problems else 'FAIL'} {case.name}: {outcome}, {seconds:.2f} s, "
                  f"{rss / MIB:.1f} MiB{'' if not problems else ' — ' + '; '.join(problems)}", file=sys.stderr)
    finally:
        if env.server:
            env.server.stop()
        if not args.keep:
            subprocess.run(["rm", "-rf", env.tmp])
    if args.table:
        print("| case | input | expected | outcome | time | peak RSS | verdict |")
        print("| --- | --- | --- | --- | ---: | ---: | --- |")
        for name, what, expect, outcome, seconds, rss, verdict in rows:
            print(f"| {name} | {what} | {expect} | {outcome} | {seconds:.2f} s | {rss / MIB:.1f} MiB | {verdict} |")
    print(f"hostile suite: {len(rows) - failures} of {len(rows)} cases ok", file=sys.stderr)
    sys.exit(1 if failures and not env.compat else 0)


if __name__ == "__main__":
    main()
