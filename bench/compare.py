"""Runs dfmt and its peers on the same inputs and prints MB/s, ratios and peak RSS (see bench/compare).

Every command reads a file and writes to /dev/null. Runs are interleaved (one run of each command in a shuffled
order, then the next round) so that a noisy neighbour slows all of them alike; the table gives the median wall time of each. Peak RSS
comes from GNU time wrapped around the measured process.
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time


def run_once(argv, stdin_path=None):
    """Runs argv with stdout to /dev/null; returns (seconds, peak RSS in KiB, exit status).

    Peak RSS is measured by GNU time, a small process: the maximum RSS that wait4 reports for a child of this
    Python process would include the Python image it was forked from.
    """
    with tempfile.NamedTemporaryFile("r") as report:
        seconds, status = run_timed(["/usr/bin/time", "-f", "%M", "-o", report.name, *argv], stdin_path)
        lines = report.read().split()
        peak = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return seconds, peak, status


def run_timed(argv, stdin_path):
    devnull = os.open(os.devnull, os.O_WRONLY)
    feeder = None
    try:
        if stdin_path is None:
            stdin = subprocess.DEVNULL
        else:
            # A real pipe, fed by cat, so the measured process cannot seek or map the input.
            feeder = subprocess.Popen(["cat", stdin_path], stdout=subprocess.PIPE)
            stdin = feeder.stdout
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=stdin, stdout=devnull)
        if feeder is not None:
            feeder.stdout.close()
        status = proc.wait()
        elapsed = time.perf_counter() - start
        if feeder is not None:
            feeder.wait()
        return elapsed, status
    finally:
        os.close(devnull)


def make_inputs(data_dir, out_dir):
    """A ~300 MB array of the bench-data JSON files, and a ~1.2 GB one for the streaming memory test."""
    big = os.path.join(out_dir, "big-300mb.json")
    huge = os.path.join(out_dir, "huge-1200mb.json")
    if not os.path.exists(big):
        parts = [open(os.path.join(data_dir, f), "rb").read().strip()
                 for f in sorted(os.listdir(data_dir)) if f.endswith(".json")]
        with open(big + ".tmp", "wb") as out:
            out.write(b"[\n")
            written, first = 0, True
            while written < 300_000_000:
                for p in parts:
                    if not first:
                        out.write(b",\n")
                    out.write(p)
                    written += len(p) + 2
                    first = False
            out.write(b"\n]\n")
        os.replace(big + ".tmp", big)
    if not os.path.exists(huge):
        body = open(big, "rb").read().strip()[1:-1].strip()
        with open(huge + ".tmp", "wb") as out:
            out.write(b"[\n")
            for i in range(4):
                if i:
                    out.write(b",\n")
                out.write(body)
            out.write(b"\n]\n")
        os.replace(huge + ".tmp", huge)
    return big, huge


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dfmt", required=True)
    ap.add_argument("--peers", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="only dfmt and the streaming serde_json peers")
    args = ap.parse_args()

    big, huge = make_inputs(args.data, args.out)
    size = os.path.getsize(big)
    dfmt, peers = args.dfmt, args.peers
    jaq = shutil.which("jaq")
    commands = {
        "dfmt fmt": [dfmt, "fmt", big],
        "dfmt fmt --compact": [dfmt, "fmt", "--compact", big],
        "dfmt validate": [dfmt, "validate", big],
        "jq .": ["jq", ".", big],
        "jq -c .": ["jq", "-c", ".", big],
        "serde_json Value pretty": [peers, "value-pretty", big],
        "serde_transcode pretty": [peers, "transcode-pretty", big],
        "serde_transcode compact": [peers, "transcode-compact", big],
        "serde_json IgnoredAny": [peers, "ignored", big],
    }
    if args.quick:
        for slow in ("jq .", "jq -c .", "serde_json Value pretty"):
            del commands[slow]
    if jaq and not args.quick:
        commands["jaq ."] = [jaq, ".", big]
        commands["jaq -c ."] = [jaq, "-c", ".", big]

    times = {name: [] for name in commands}
    rss = {name: 0 for name in commands}
    for round_ in range(args.runs):
        # A fresh order each round (seeded, so runs are repeatable): a command that follows one that used
        # gigabytes of memory pays for the kernel's clean-up, and no command should always be that one.
        order = list(commands.items())
        random.Random(round_).shuffle(order)
        for name, argv in order:
            seconds, peak, status = run_once(argv)
            if status != 0:
                raise SystemExit(f"{name} failed with status {status}")
            times[name].append(seconds)
            rss[name] = max(rss[name], peak)
        print(f"round {round_ + 1}/{args.runs} done", flush=True)

    median = {name: statistics.median(t) for name, t in times.items()}
    mbps = {name: size / 1e6 / median[name] for name in commands}

    lines = []
    lines.append(f"Input: {size / 1e6:.0f} MB JSON array of ../shared/bench-data/json, file in, /dev/null out; "
                 f"median of {args.runs} interleaved runs.")
    lines.append("")
    lines.append("| command | median s | MB/s | peak RSS MiB |")
    lines.append("| --- | ---: | ---: | ---: |")
    for name in commands:
        lines.append(f"| `{name}` | {median[name]:.3f} | {mbps[name]:.0f} | {rss[name] / 1024:.0f} |")
    lines.append("")
    lines.append("| ratio (dfmt ÷ peer, higher is better) | target | measured |")
    lines.append("| --- | ---: | ---: |")
    ratios = [
        ("dfmt fmt", "jq .", 30),
        ("dfmt fmt", "serde_transcode pretty", 3),
        ("dfmt fmt", "serde_json Value pretty", None),
        ("dfmt fmt", "jaq .", None),
        ("dfmt fmt --compact", "serde_transcode compact", 2),
        ("dfmt fmt --compact", "jq -c .", None),
        ("dfmt fmt --compact", "jaq -c .", None),
        ("dfmt validate", "serde_json IgnoredAny", 1),
    ]
    for ours, peer, target in ratios:
        if peer not in median:
            continue
        ratio = median[peer] / median[ours]
        goal = f"≥ {target}×" if target else ""
        lines.append(f"| `{ours}` vs `{peer}` | {goal} | {ratio:.2f}× |")

    huge_size = os.path.getsize(huge)
    lines.append("")
    lines.append(f"Streaming: {huge_size / 1e9:.2f} GB piped through standard input (`cat FILE | dfmt ...`).")
    lines.append("")
    lines.append("| command | s | MB/s | peak RSS MiB |")
    lines.append("| --- | ---: | ---: | ---: |")
    for argv in (["fmt"], ["fmt", "--compact"], ["validate"]):
        seconds, peak, status = run_once([dfmt, *argv], stdin_path=huge)
        if status != 0:
            raise SystemExit(f"dfmt {' '.join(argv)} on stdin failed with status {status}")
        lines.append(f"| `dfmt {' '.join(argv)}` | {seconds:.2f} | {huge_size / 1e6 / seconds:.0f} | "
                     f"{peak / 1024:.1f} |")

    table = "\n".join(lines)
    print(table)
    with open(os.path.join(args.out, "compare.md"), "w") as f:
        f.write(table + "\n")


if __name__ == "__main__":
    main()
