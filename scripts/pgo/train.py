"""Runs an instrumented dfmt (built with -Cprofile-generate) over the training inputs: the workload whose branch
counts the release build is then optimised for (scripts/release).

    python3 scripts/pgo/train.py DFMT PROFILE_DIR

Every command path users run, in rough proportion: formatting, minifying, validating and converting each kind
of file (from files, standard input and a folder, in place), the error paths once, and `dfmt serve` answering
small and large requests of each endpoint. A path left out of the training would be laid out and optimised as
cold code, so the workload covers them all; it is not weighted towards one benchmark. Fails if any command
does not behave as expected, so a broken instrumented build cannot produce a profile.
"""

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def run(dfmt, env, args, expect=0, stdin=None):
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as source:
        proc = subprocess.run([dfmt, *args], stdin=source, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              env=env)
    if proc.returncode != expect:
        sys.exit(f"pgo training: `dfmt {' '.join(args)}` exited {proc.returncode}, expected {expect}:\n"
                 f"{proc.stderr.decode(errors='replace')}")


def command_line(dfmt, env, corpus):
    files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus))
    examples = os.path.join(REPO, "examples")
    for f in files:
        run(dfmt, env, ["fmt", f])
        run(dfmt, env, ["validate", f])
        run(dfmt, env, ["convert", "--to", "json", f])
        run(dfmt, env, ["convert", "--to", "ndjson", f])
        if not f.endswith((".json", ".ndjson")) or f.endswith("records-pretty.json"):
            run(dfmt, env, ["convert", "--to", "yaml", f])
        if f.endswith((".json", ".ndjson", ".jsonc")):
            run(dfmt, env, ["fmt", "--compact", f])
            run(dfmt, env, ["fmt", "--indent", "4", f])
    # The conversions users run most, again: YAML → JSON and JSON formatting dominate real use.
    for _ in range(4):
        for f in files:
            if f.endswith((".yaml", ".yml")):
                run(dfmt, env, ["convert", "--to", "json", f])
            elif f.endswith(".json"):
                run(dfmt, env, ["fmt", f])
    run(dfmt, env, ["convert", "--to", "toml", os.path.join(corpus, "catalogue.yml")])
    run(dfmt, env, ["convert", "--to", "toml", os.path.join(corpus, "records-pretty.json")], expect=1)
    run(dfmt, env, ["fmt", "--sort-keys", os.path.join(corpus, "records.json")])
    run(dfmt, env, ["fmt", "-"], stdin=os.path.join(corpus, "records.json"))
    run(dfmt, env, ["convert", "--from", "yaml", "--to", "json", "-"], stdin=os.path.join(corpus, "catalogue.yml"))
    run(dfmt, env, ["validate", corpus, examples], expect=1)  # examples/broken.json is invalid
    run(dfmt, env, ["fmt", "--check", examples], expect=1)
    with tempfile.TemporaryDirectory() as work:
        for f in files:
            shutil.copy(f, work)
        run(dfmt, env, ["fmt", "--write", work])
        run(dfmt, env, ["fmt", "--check", work])


def serve(dfmt, env, corpus):
    server = subprocess.Popen([dfmt, "serve", "--listen", "127.0.0.1:0"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, env={**env, "RUST_LOG": "info"}, text=True)
    try:
        line = server.stderr.readline()
        found = re.search(r"address=(\S+)", line)
        if not found:
            sys.exit(f"pgo training: dfmt serve did not start: {line}")
        host, port = found.group(1).rsplit(":", 1)
        # The log goes on being written; drain it so the server never blocks on a full pipe.
        drain = subprocess.Popen(["cat"], stdin=server.stderr, stdout=subprocess.DEVNULL)

        def body(name, size=None):
            with open(os.path.join(corpus, name), "rb") as f:
                data = f.read()
            return data if size is None else data[:size]

        item = b'{"id": 7, "name": "checkout", "tags": ["a", "b"], "ratio": 0.25, "nested": {"ok": true}}'
        small = b"[" + b", ".join([item] * 11) + b"]"  # about 1 KB
        requests = [
            ("/v1/format?format=json", small, 200),
            ("/v1/format?format=json&compact=true", small, 200),
            ("/v1/validate?format=json", small, 200),
            ("/v1/format?format=json", small[:-5], 422),
            ("/v1/convert?from=yaml&to=json", body("ci.yml"), 200),
            ("/v1/convert?from=json&to=yaml", small, 200),
            ("/v1/format?format=toml", body("project.toml"), 200),
        ]
        large = [
            ("/v1/convert?from=yaml&to=json", body("manifests.yaml"), 200),
            ("/v1/format?format=json", body("records.json"), 200),
        ]
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        for i in range(3000):
            for path, data, status in requests[:1] * 4 + requests[1:] + (large if i % 300 == 0 else []):
                connection.request("POST", path, body=data, headers={"content-type": "application/octet-stream"})
                response = connection.getresponse()
                response.read()
                if response.status != status:
                    sys.exit(f"pgo training: POST {path} answered {response.status}, expected {status}")
        connection.close()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            code = "killed"
    drain.wait()
    if code != 0:
        sys.exit(f"pgo training: dfmt serve exited {code} after SIGTERM")


def main():
    dfmt, profiles = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    os.makedirs(profiles, exist_ok=True)
    # One raw profile for all the runs (%m: runs of the same binary merge into it as they exit).
    env = {**os.environ, "LLVM_PROFILE_FILE": os.path.join(profiles, "dfmt-%m.profraw")}
    env.pop("RUST_LOG", None)
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as corpus:
        subprocess.run([sys.executable, os.path.join(HERE, "corpus.py"), corpus], check=True)
        command_line(dfmt, env, corpus)
        serve(dfmt, env, corpus)
    print(f"pgo training: done in {time.monotonic() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
