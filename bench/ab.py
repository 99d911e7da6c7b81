#!/usr/bin/env python3
"""Two builds of dfmt, run alternately on the same inputs: is B as fast as A?

    python3 bench/ab.py A_BINARY B_BINARY [--rounds N] [--only json,yaml,toml] [--filter TEXT] [--big]

Each round runs every command once with A and once with B (the order flips every round, so neither build always
runs first), each timed whole — spawn (posix_spawn) to exit, CPU time (user + system) from wait4 — with its output thrown
away.
Prints, per command, the median CPU milliseconds of A and B and the ratio B / A (below 1: B is faster), and the
median of all the ratios. Measuring both builds in one run, alternating, is what makes a few percent visible on a
shared machine whose speed drifts from minute to minute.

The commands: `fmt`, `fmt --compact` and `validate` on each JSON file of the bench data, `convert --to json` of each
YAML file, `convert --to json` and `fmt` of each TOML file. `--tiny` adds a 4-byte YAML file (start-up alone). `--big` adds `fmt` and `validate` of a ~100 MB JSON
array made from the JSON bench data (in bench/out/ab-big.json), read from standard input so the streaming path runs.

The bench data is read from $DFMT_SHARED or ../shared (`bench-data/`).
"""
import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def shared():
    path = os.environ.get("DFMT_SHARED") or os.path.join(ROOT, "..", "shared")
    data = os.path.join(path, "bench-data")
    if not os.path.isdir(data):
        sys.exit(f"bench data not found in {data}: set DFMT_SHARED")
    return data


def big_json(data):
    """A ~100 MB JSON array of the bench data's JSON documents, made once."""
    out = os.path.join(ROOT, "bench", "out", "ab-big.json")
    if os.path.exists(out):
        return out
    os.makedirs(os.path.dirname(out), exist_ok=True)
    parts = []
    folder = os.path.join(data, "json")
    for name in sorted(os.listdir(folder)):
        if name.endswith(".json"):
            with open(os.path.join(folder, name), "rb") as f:
                parts.append(f.read().strip())
    with open(out + ".tmp", "wb") as f:
        f.write(b"[")
        written, first = 0, True
        while written < 100_000_000:
            for part in parts:
                if not first:
                    f.write(b",\n")
                f.write(part)
                written += len(part)
                first = False
        f.write(b"]\n")
    os.replace(out + ".tmp", out)
    return out


def commands(data, only, big):
    """(name, argv after the binary, stdin path or None)."""
    cmds = []
    if "json" in only:
        folder = os.path.join(data, "json")
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if name.endswith(".json"):
                cmds.append((f"fmt {name}", ["fmt", path], None))
                cmds.append((f"fmt --compact {name}", ["fmt", "--compact", path], None))
            cmds.append((f"validate {name}", ["validate", path], None))
        if big:
            path = big_json(data)
            cmds.append(("fmt <big.json (stdin)", ["fmt", "--from", "json"], path))
            cmds.append(("validate <big.json (stdin)", ["validate", "--from", "json"], path))
    if "yaml" in only:
        folder = os.path.join(data, "yaml")
        for name in sorted(os.listdir(folder)):
            cmds.append((f"yaml→json {name}", ["convert", "--to", "json", os.path.join(folder, name)], None))
    if "toml" in only:
        folder = os.path.join(data, "toml")
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            cmds.append((f"toml→json {name}", ["convert", "--to", "json", path], None))
            cmds.append((f"fmt {name}", ["fmt", path], None))
    return cmds


def run(binary, argv, stdin):
    """CPU milliseconds of one whole run. Spawned with posix_spawn (vfork), so the child's time is dfmt's own,
    not that of copying this Python process's page tables in a fork."""
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, stdin or os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
    ]
    pid = os.posix_spawn(binary, [binary] + argv, os.environ, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{binary} {' '.join(argv)} exited with {code}")
    return (usage.ru_utime + usage.ru_stime) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--only", default="json,yaml,toml")
    parser.add_argument("--filter", default="")
    parser.add_argument("--big", action="store_true")
    parser.add_argument("--tiny", action="store_true", help="also a 4-byte YAML file: start-up alone")
    args = parser.parse_args()
    cmds = [c for c in commands(shared(), args.only.split(","), args.big) if args.filter in c[0]]
    if args.tiny:
        tiny = os.path.join(ROOT, "bench", "out", "tiny.yaml")
        os.makedirs(os.path.dirname(tiny), exist_ok=True)
        with open(tiny, "w") as f:
            f.write("a: 1")
        cmds.insert(0, ("yaml→json 4-byte file (start-up)", ["convert", "--to", "json", tiny], None))
    times = {name: ([], []) for name, _, _ in cmds}
    started = time.time()
    for r in range(args.rounds):
        for name, argv, stdin in cmds:
            order = [(0, args.a), (1, args.b)] if r % 2 == 0 else [(1, args.b), (0, args.a)]
            for which, binary in order:
                times[name][which].append(run(binary, argv, stdin))
    print(f"A = {args.a}\nB = {args.b}\n{args.rounds} rounds, {time.time() - started:.0f} s; CPU ms, median\n")
    print("| command | A | B | B / A |")
    print("| --- | ---: | ---: | ---: |")
    ratios = []
    for name, _, _ in cmds:
        a, b = (statistics.median(t) for t in times[name])
        ratio = b / a if a else float("nan")
        ratios.append(ratio)
        print(f"| {name} | {a:.2f} | {b:.2f} | {ratio:.3f} |")
    print(f"\nmedian ratio B / A: {statistics.median(ratios):.3f} (min {min(ratios):.3f}, max {max(ratios):.3f})")


if __name__ == "__main__":
    main()
