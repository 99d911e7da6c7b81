"""The dfmt module against orjson, json, PyYAML (libyaml), ruamel.yaml (C loader) and tomllib: `bench/python/run`.

Each comparison times dfmt and its peer on the same text, alternating (dfmt, peer, dfmt, peer, …) in one process
so that a noisy machine slows both alike; a round is as many calls as fill about 0.2 s. The table gives each
side's median MB/s over the rounds and the ratio dfmt ÷ peer of the medians (above 1: dfmt is faster). Peak memory
is measured in a fresh process per load: the growth of the process's peak resident size while loading the file
and holding the result.
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

import dfmt

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = pathlib.Path(os.environ.get("DFMT_SHARED") or ROOT.parent / "shared") / "bench-data"


def peers():
    import orjson
    import tomllib
    import yaml
    from ruamel.yaml import YAML

    if not getattr(yaml, "__with_libyaml__", False):
        raise SystemExit("PyYAML was built without libyaml")
    ruamel = YAML(typ="safe", pure=False)

    def orjson_round_trip(data):
        return orjson.dumps(orjson.loads(data), option=orjson.OPT_INDENT_2)

    return {
        "format JSON (indent 2)": (
            "json",
            lambda data: dfmt.format(data, "json"),
            "orjson loads+dumps",
            orjson_round_trip,
            "bytes",
        ),
        "loads JSON vs json": ("json", lambda data: dfmt.loads(data), "json.loads", json.loads, "bytes"),
        "loads JSON vs orjson": ("json", lambda data: dfmt.loads(data), "orjson.loads", orjson.loads, "bytes"),
        "loads YAML vs PyYAML": (
            "yaml",
            yaml_loads,
            "PyYAML CSafeLoader",
            lambda data: list(yaml.load_all(data, Loader=yaml.CSafeLoader)),
            "bytes",
        ),
        "loads YAML vs ruamel": (
            "yaml",
            yaml_loads,
            "ruamel.yaml (C)",
            lambda data: list(ruamel.load_all(data)),
            "bytes",
        ),
        # Each side reads the text as it takes it best: tomllib only takes `str` (its `load` decodes the file's
        # bytes first), dfmt takes the file's bytes; the second comparison gives dfmt the `str` too.
        "loads TOML vs tomllib": (
            "toml",
            lambda data: dfmt.loads(data, "toml"),
            "tomllib",
            tomllib.loads,
            ("bytes", "str"),
        ),
        "loads TOML from str vs tomllib": (
            "toml",
            lambda data: dfmt.loads(data, "toml"),
            "tomllib",
            tomllib.loads,
            "str",
        ),
    }


def yaml_loads(data):
    """Every document: `loads_all` (`main` calls `loads` instead for a file of one document, as a user would)."""
    return list(dfmt.loads_all(data, "yaml"))


def one_document(data):
    return [dfmt.loads(data, "yaml")]


def files(kind):
    folder = SHARED / kind
    if not folder.is_dir():
        raise SystemExit(f"{folder} is missing: set DFMT_SHARED")
    suffixes = {"json": (".json",), "yaml": (".yaml", ".yml"), "toml": (".toml",)}[kind]
    return sorted(p for p in folder.iterdir() if p.suffix in suffixes)


def text_type(as_type, side):
    """The type `side` ("dfmt" or the peer) reads: `as_type`, or its part for that side in a (dfmt, peer) pair."""
    if isinstance(as_type, tuple):
        return as_type[0] if side == "dfmt" else as_type[1]
    return as_type


def calls_per_round(function, data):
    start = time.perf_counter()
    function(data)
    once = max(time.perf_counter() - start, 1e-6)
    return max(1, min(200, int(0.2 / once)))


def timed(function, data, calls):
    start = time.perf_counter()
    for _ in range(calls):
        function(data)
    return (time.perf_counter() - start) / calls


def peak_memory(side, kind, path):
    """The growth of peak RSS (KiB) of a fresh process loading `path` with `side` and holding the result.

    The peak is read from /proc (VmHWM) after resetting it: a child's ru_maxrss starts at its parent's, which
    has held every file of the run by then.
    """
    code = f"""
import sys, pathlib

def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

sys.path.insert(0, {str(pathlib.Path(__file__).parent)!r})
import bench
table = bench.peers()
data = pathlib.Path({str(path)!r}).read_bytes()
name = {kind!r}
function = table[name][1] if {side!r} == "dfmt" else table[name][3]
sample = {{"json": b'{{"a": [1, 2.5, "x", null]}}', "yaml": b"a: [1, 2.5, x, null]\\n", "toml": b'a = [1, 2.5, "x"]\\n'}}
sample = sample[table[name][0]]
if bench.text_type(table[name][4], {side!r}) == "str":
    data = data.decode()
    sample = sample.decode()
# A first call on a few bytes: the pages of code that reading runs through count in the resident size once per
# process, as the peers' code does when they are imported.
function(sample)
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
before = peak()
result = function(data)
print(peak() - before)
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return int(out.stdout.strip())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", help="run only comparisons whose name contains this")
    args = parser.parse_args()
    table = peers()
    print(f"dfmt {dfmt.__version__}, Python {sys.version.split()[0]}, {args.rounds} alternating rounds\n")
    print("| comparison | file | MB | dfmt MB/s | peer MB/s | ratio | peak MiB dfmt / peer |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    summary = {}
    for name, (kind, loads, peer_name, theirs, as_type) in table.items():
        if args.only and args.only not in name:
            continue
        for path in files(kind):
            ours = loads
            raw = path.read_bytes()
            data = raw.decode() if text_type(as_type, "dfmt") == "str" else raw
            their_data = raw.decode() if text_type(as_type, "peer") == "str" else raw
            if kind == "json":
                try:
                    ours(data)
                except dfmt.DecodeError:
                    continue  # NDJSON in the JSON folder
            if ours is yaml_loads and len(yaml_loads(data)) == 1:
                ours = one_document
            try:
                theirs(their_data)
            except Exception as error:  # noqa: BLE001 — a peer that cannot read a file is reported, not timed
                first_line = str(error).strip().splitlines()[0][:60]
                print(f"| {name} ({peer_name}) | {path.name} | | | | | {peer_name} fails: {first_line} |")
                continue
            calls = (calls_per_round(ours, data), calls_per_round(theirs, their_data))
            mine, peer = [], []
            for _ in range(args.rounds):
                mine.append(timed(ours, data, calls[0]))
                peer.append(timed(theirs, their_data, calls[1]))
            size = len(raw) / 1e6
            ratio = statistics.median(peer) / statistics.median(mine)
            summary.setdefault(name, []).append(ratio)
            memory = ""
            if name.startswith("loads") and "orjson" not in name or name == "loads JSON vs orjson":
                memory = f"{peak_memory('dfmt', name, path) / 1024:.1f} / {peak_memory('peer', name, path) / 1024:.1f}"
            print(
                f"| {name} ({peer_name}) | {path.name} | {size:.2f} | {size / statistics.median(mine):.0f} | "
                f"{size / statistics.median(peer):.0f} | {ratio:.2f} | {memory} |",
                flush=True,
            )
    print("\n| comparison | median ratio (dfmt ÷ peer speed) | range |")
    print("| --- | ---: | --- |")
    for name, ratios in summary.items():
        print(f"| {name} | {statistics.median(ratios):.2f} | {min(ratios):.2f}–{max(ratios):.2f} |")


if __name__ == "__main__":
    main()
