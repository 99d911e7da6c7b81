#!/usr/bin/env python3
"""How much a short process slows down when another process has just kept a CPU busy, or the machine sat idle.

    python3 bench/interference.py [FILE] [--rounds N]

Runs `dfmt convert --to json FILE` and the saphyr-parser events → JSON peer alternately, each timed whole (spawn
to exit, wall and CPU from wait4), with nothing before it, or after a busy loop of 5, 20 or 50 ms in a process of
its own (a C program compiled on the fly; it touches no memory), after 50 ms busy then 100 ms idle, after 200 ms
idle, or after a short Python process that touches 50 MB. Prints the median times and the ratio per condition.

On the 2-core development VM a process started after idle time or after a Python process runs 0.2–0.7 ms slower
(CPU time included) whatever it is, and on some days also after a busy loop of ≥ 20 ms; this is why `bench/compare`'s
full YAML run, which runs the Python peers between the Rust commands, shows lower ratios on the small files than
`RUST_ONLY=1`.
Expects the release binary (`scripts/release`) and the peers (`bench/compare` builds them); FILE defaults to
`linguist-languages.yml` from the YAML bench data ($DFMT_SHARED or ../shared).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BUSY_C = r"""
#include <stdlib.h>
#include <time.h>
int main(int argc, char **argv) {
    double ms = atof(argv[1]);
    struct timespec a, b;
    volatile long x = 0;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do {
        for (int i = 0; i < 10000; i++) x += i;
        clock_gettime(CLOCK_MONOTONIC, &b);
    } while ((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6 < ms);
    return 0;
}
"""


def busy_program(tmp):
    source = os.path.join(tmp, "busy.c")
    binary = os.path.join(tmp, "busy")
    with open(source, "w") as f:
        f.write(BUSY_C)
    subprocess.run(["cc", "-O2", "-o", binary, source], check=True)
    return binary


def timed(argv, devnull):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=devnull)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[0]} failed")
    return wall * 1e3, (usage.ru_utime + usage.ru_stime) * 1e3


def main():
    shared = os.environ.get("DFMT_SHARED", os.path.join(ROOT, "..", "shared"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", default=os.path.join(shared, "bench-data", "yaml", "linguist-languages.yml"))
    ap.add_argument("--rounds", type=int, default=21)
    ap.add_argument("--dfmt", default=os.path.join(ROOT, "target", "x86_64-unknown-linux-musl", "release", "dfmt"))
    ap.add_argument("--peers", default=os.path.join(ROOT, "bench", "peers", "target", "release", "dfmt-bench-peers"))
    args = ap.parse_args()
    for path in (args.file, args.dfmt, args.peers):
        if not os.path.exists(path):
            raise SystemExit(f"not found: {path} (see the docstring)")
    commands = {
        "dfmt": [args.dfmt, "convert", "--to", "json", args.file],
        "saphyr": [args.peers, "saphyr-events", args.file],
    }
    devnull = os.open(os.devnull, os.O_WRONLY)
    with tempfile.TemporaryDirectory() as tmp:
        busy = busy_program(tmp)
        def busy_for(ms):
            return lambda: subprocess.run([busy, str(ms)], check=True)

        def python_allocating():
            # A short Python process that touches 50 MB, as the Python peers of bench/compare do (and more).
            subprocess.run([sys.executable, "-c", "b = bytearray(50 << 20)"], check=True)

        conditions = {
            "nothing before": lambda: None,
            "5 ms busy": busy_for(5),
            "20 ms busy": busy_for(20),
            "50 ms busy": busy_for(50),
            "50 ms busy, 100 ms idle": lambda: (busy_for(50)(), time.sleep(0.1)),
            "200 ms idle": lambda: time.sleep(0.2),
            "a Python process touching 50 MB": python_allocating,
        }
        print(f"{os.path.basename(args.file)}: median of {args.rounds} alternating rounds, ms (wall / CPU)\n")
        print("| before each run | dfmt | saphyr | saphyr ÷ dfmt (wall) |")
        print("| --- | ---: | ---: | ---: |")
        for name, before in conditions.items():
            wall = {k: [] for k in commands}
            cpu = {k: [] for k in commands}
            for _ in range(args.rounds):
                for key, argv in commands.items():
                    before()
                    w, c = timed(argv, devnull)
                    wall[key].append(w)
                    cpu[key].append(c)
            m = {k: (statistics.median(wall[k]), statistics.median(cpu[k])) for k in commands}
            print(f"| {name} | {m['dfmt'][0]:.2f} / {m['dfmt'][1]:.2f} | {m['saphyr'][0]:.2f} / {m['saphyr'][1]:.2f} "
                  f"| {m['saphyr'][0] / m['dfmt'][0]:.2f}× |", flush=True)


if __name__ == "__main__":
    main()
