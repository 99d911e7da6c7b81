"""Runs dfmt and its peers on the same inputs and prints MB/s, ratios and peak RSS (see bench/compare).

Two sections, JSON (dfmt fmt/validate on a ~300 MB array) and YAML (dfmt convert --to json on the YAML bench-data
files and a generated ~100 MB file); `--only` runs one of them, and bench/out/compare.md keeps the last tables of
both. Every command reads a file and writes to /dev/null. Runs are interleaved (one run of each command in a shuffled
order, then the next round) so that a noisy neighbour slows all of them alike; the table gives the median wall time of each. Peak RSS
comes from GNU time wrapped around the measured process.
"""

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time


def run_once(argv, stdin_path=None, stderr=None):
    """Runs argv with stdout to /dev/null; returns (seconds, peak RSS in KiB, exit status); the CPU seconds
    (user + system) of the run are left in `run_once.cpu`.

    Peak RSS is measured by GNU time, a small process: the maximum RSS that wait4 reports for a child of this
    Python process would include the Python image it was forked from. `stderr`, if given, is a file that receives
    the command's standard error.
    """
    with tempfile.NamedTemporaryFile("r") as report:
        seconds, status = run_timed(["/usr/bin/time", "-f", "%M", "-o", report.name, *argv], stdin_path, stderr)
        run_once.cpu = run_timed.cpu
        lines = report.read().split()
        peak = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return seconds, peak, status


def run_timed(argv, stdin_path, stderr=None):
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
        proc = subprocess.Popen(argv, stdin=stdin, stdout=devnull, stderr=stderr)
        if feeder is not None:
            feeder.stdout.close()
        # wait4 gives the child's CPU time (with its own reaped children's), to the microsecond: unlike the wall
        # time, it leaves out this Python process forking, which is most of a small file's measured time.
        _, wait_status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(wait_status)
        status = proc.returncode
        run_timed.cpu = usage.ru_utime + usage.ru_stime
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


def json_section(args):
    """The JSON benchmark: dfmt fmt/validate against jq, jaq and the serde_json peers on ~300 MB, then streaming."""
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

    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------
# YAML → JSON

YAML_INPUTS = ["argo-cd-install.yaml", "argo-cd-ui-pnpm-lock.yaml", "linguist-languages.yml", "twilio_api_v2010.yaml"]
BIG_YAML_SOURCE = "argo-cd-install.yaml"
BIG_YAML_MIN = 100_000_000


def make_big_yaml(data_dir, out_dir):
    """bench/out/big.yaml: argo-cd-install.yaml (59 Kubernetes documents) followed by further copies of itself, each
    after a `---` line, until the file holds at least 100 MB. Made once; remade only if its size is not the one
    this recipe gives."""
    source = open(os.path.join(data_dir, BIG_YAML_SOURCE), "rb").read()
    if not source.endswith(b"\n"):
        source += b"\n"
    copies = -(-BIG_YAML_MIN // (len(source) + 4))
    size = len(source) + (copies - 1) * (len(source) + 4)
    big = os.path.join(out_dir, "big.yaml")
    if os.path.exists(big) and os.path.getsize(big) == size:
        return big, copies
    with open(big + ".tmp", "wb") as out:
        out.write(source)
        for _ in range(copies - 1):
            out.write(b"---\n")
            out.write(source)
    assert os.path.getsize(big + ".tmp") == size
    os.replace(big + ".tmp", big)
    return big, copies


def yaml_census(python, paths):
    """Documents, anchors and aliases of each file, from PyYAML's (libyaml) event stream: {path: (docs, anchors,
    aliases)}. Anchors matter because an alias makes dfmt (and any streaming converter) keep the anchored node."""
    script = (
        "import sys, yaml\n"
        "for p in sys.argv[1:]:\n"
        "    d = a = r = 0\n"
        "    for e in yaml.parse(open(p, 'rb').read(), Loader=yaml.CSafeLoader):\n"
        "        if isinstance(e, yaml.DocumentStartEvent): d += 1\n"
        "        elif isinstance(e, yaml.AliasEvent): r += 1\n"
        "        elif getattr(e, 'anchor', None): a += 1\n"
        "    print(d, a, r)\n"
    )
    out = subprocess.run([python, "-c", script, *paths], check=True, capture_output=True, text=True).stdout.split()
    return {p: tuple(int(x) for x in out[3 * i:3 * i + 3]) for i, p in enumerate(paths)}


def yaml_commands(args, path):
    return {
        "dfmt convert --to json": [args.dfmt, "convert", "--to", "json", path],
        "saphyr-parser events → JSON": [args.peers, "saphyr-events", path],
        "serde_yaml → serde_json Value": [args.peers, "serde-yaml-value", path],
        "PyYAML CSafeLoader + json.dumps": [args.python, args.yaml_peer, "pyyaml", path],
        "ruamel.yaml C loader + json.dumps": [args.python, args.yaml_peer, "ruamel", path],
    }


def error_summary(text, limit=240):
    """One line for a failed command's standard error: a Python traceback's exception (with the lines after it),
    or the first line of anything else (dfmt's diagnostic)."""
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    if lines[0].startswith("Traceback"):
        # The exception's line (`module.SomeError: message`), then any lines of its message after it.
        named = [i for i, line in enumerate(lines) if re.match(r"[A-Za-z_][\w.]*(Error|Exception)\b", line)]
        start = named[-1] if named else len(lines) - 1
        message = " ".join(line.strip() for line in lines[start:])
    else:
        message = lines[0].strip()
    message = message.replace("|", "/")
    return message if len(message) <= limit else message[:limit - 1] + "…"


def yaml_section(args):
    """dfmt convert --to json against the YAML peers on the four bench-data files and bench/out/big.yaml."""
    data = args.yaml_data
    big, copies = make_big_yaml(data, args.out)
    inputs = [os.path.join(data, name) for name in YAML_INPUTS] + [big]
    census = yaml_census(args.python, [os.path.join(data, name) for name in YAML_INPUTS])
    docs, anchors, aliases = census[os.path.join(data, BIG_YAML_SOURCE)]
    census[big] = (docs * copies, anchors * copies, aliases * copies)
    names = {path: os.path.basename(path) for path in inputs}
    size = {path: os.path.getsize(path) for path in inputs}
    commands = list(yaml_commands(args, big))

    # QUICK: 3 rounds on the small files and one on big.yaml, where one round of the Python peers takes a minute.
    small_runs = min(args.runs, 3) if args.quick else args.runs
    runs = {path: (1 if args.quick and path == big else small_runs) for path in inputs}
    times = {(path, name): [] for path in inputs for name in commands}
    cpu = {(path, name): [] for path in inputs for name in commands}
    rss = {(path, name): 0 for path in inputs for name in commands}
    failed = {}
    for round_ in range(max(runs.values())):
        for path in inputs:
            if round_ >= runs[path]:
                continue
            order = list(yaml_commands(args, path).items())
            random.Random(round_).shuffle(order)
            for name, argv in order:
                if (path, name) in failed:
                    continue
                with tempfile.NamedTemporaryFile("w+") as err:
                    seconds, peak, status = run_once(argv, stderr=err)
                    if status != 0:
                        # A command that fails is reported as such and not run again on that input.
                        err.seek(0)
                        failed[(path, name)] = f"exit {status}: {error_summary(err.read())}"
                        print(f"{name} failed on {names[path]}: {failed[(path, name)]}", flush=True)
                        continue
                times[(path, name)].append(seconds)
                cpu[(path, name)].append(run_once.cpu)
                rss[(path, name)] = max(rss[(path, name)], peak)
        print(f"yaml round {round_ + 1}/{max(runs.values())} done", flush=True)

    median = {key: statistics.median(t) for key, t in times.items() if t and key not in failed}
    median_cpu = {key: statistics.median(t) for key, t in cpu.items() if t and key not in failed}

    def cell(path, name, fmt):
        key = (path, name)
        if key in failed:
            return "failed"
        return fmt(key) if key in median else ""

    header = "| command | " + " | ".join(f"`{names[p]}`" for p in inputs) + " |"
    rule = "| --- |" + " ---: |" * len(inputs)
    lines = []
    lines.append("## YAML → JSON")
    lines.append("")
    lines.append(f"Pretty JSON, one text per YAML document; file in, /dev/null out; median of {small_runs} interleaved "
                 f"runs ({runs[big]} on `big.yaml`). Times include process start-up (tens of ms for Python), which "
                 f"dominates on the small files.")
    lines.append("")
    lines.append("| input | MB | documents | anchors | aliases |")
    lines.append("| --- | ---: | ---: | ---: | ---: |")
    for path in inputs:
        d, a, r = census[path]
        label = f"`{names[path]}`" + (f" ({copies} × `{BIG_YAML_SOURCE}`)" if path == big else "")
        lines.append(f"| {label} | {size[path] / 1e6:.2f} | {d} | {a} | {r} |")
    lines.append("")
    lines.append("MB/s (median):")
    lines.append("")
    lines.append(header)
    lines.append(rule)
    for name in commands:
        lines.append(f"| `{name}` | " + " | ".join(
            cell(p, name, lambda k: f"{size[k[0]] / 1e6 / median[k]:.1f}") for p in inputs) + " |")
    lines.append("")
    lines.append("Median seconds:")
    lines.append("")
    lines.append(header)
    lines.append(rule)
    for name in commands:
        lines.append(f"| `{name}` | " + " | ".join(
            cell(p, name, lambda k: f"{median[k]:.3f}") for p in inputs) + " |")
    lines.append("")
    lines.append("Median CPU milliseconds (user + system, from wait4; no fork of the harness included):")
    lines.append("")
    lines.append(header)
    lines.append(rule)
    for name in commands:
        lines.append(f"| `{name}` | " + " | ".join(
            cell(p, name, lambda k: f"{median_cpu[k] * 1e3:.1f}") for p in inputs) + " |")
    lines.append("")
    lines.append("Peak RSS MiB:")
    lines.append("")
    lines.append(header)
    lines.append(rule)
    for name in commands:
        lines.append(f"| `{name}` | " + " | ".join(
            cell(p, name, lambda k: f"{rss[k] / 1024:.1f}") for p in inputs) + " |")
    lines.append("")
    ours = "dfmt convert --to json"
    lines.append("| ratio (dfmt ÷ peer, higher is better; wall time, then CPU time) | target | " +
                 " | ".join(f"`{names[p]}`" for p in inputs) + " |")
    lines.append("| --- | ---: |" + " ---: |" * len(inputs))
    for peer, target in (("saphyr-parser events → JSON", "≥ 2×"), ("PyYAML CSafeLoader + json.dumps", "≥ 20×"),
                         ("serde_yaml → serde_json Value", ""), ("ruamel.yaml C loader + json.dumps", "")):
        row = []
        for p in inputs:
            if (p, ours) in failed:
                row.append("dfmt failed")
            elif (p, peer) in failed:
                row.append("peer failed")
            elif (p, ours) in median and (p, peer) in median:
                row.append(f"{median[(p, peer)] / median[(p, ours)]:.2f}×")
            else:
                row.append("")
        lines.append(f"| `{ours}` vs `{peer}` | {target} | " + " | ".join(row) + " |")
        row = []
        for p in inputs:
            if (p, ours) in median_cpu and (p, peer) in median_cpu and median_cpu[(p, ours)] > 0:
                row.append(f"{median_cpu[(p, peer)] / median_cpu[(p, ours)]:.2f}×")
            else:
                row.append("")
        lines.append(f"| same, CPU time | {target} | " + " | ".join(row) + " |")
    lines.append("")
    lines.append("| dfmt peak RSS ÷ input size | target | " + " | ".join(f"`{names[p]}`" for p in inputs) + " |")
    lines.append("| --- | ---: |" + " ---: |" * len(inputs))
    row = []
    for p in inputs:
        if (p, ours) in failed:
            row.append("dfmt failed")
        elif (p, ours) in median:
            row.append(f"{rss[(p, ours)] * 1024 / size[p]:.2f}×")
        else:
            row.append("")
    targets = {p: "< 2×" if census[p][2] == 0 else "(aliases)" for p in inputs}
    goal = "< 2×" if all(t == "< 2×" for t in targets.values()) else "< 2× without aliases"
    lines.append(f"| `{ours}` | {goal} | " + " | ".join(row) + " |")
    if failed:
        lines.append("")
        lines.append("Failures (first run; a failing command is not run again on that input):")
        lines.append("")
        for (p, name), why in failed.items():
            lines.append(f"- `{name}` on `{names[p]}`: {why}")
    return "\n".join(lines)


def json_texts(path):
    """The JSON texts in a file, one after another (whitespace between them)."""
    text = open(path, encoding="utf-8").read()
    decoder = json.JSONDecoder()
    values, i = [], 0
    while True:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        if i == len(text):
            return values
        value, i = decoder.raw_decode(text, i)
        values.append(value)


def first_difference(a, b, where="$"):
    if type(a) is not type(b):
        return f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return f"{where}: keys {sorted(a.keys() ^ b.keys())[:3]}"
        for k in a:
            d = first_difference(a[k], b[k], f"{where}.{k}")
            if d:
                return d
    elif isinstance(a, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{where}[{i}]")
            if d:
                return d
    elif a != b:
        return f"{where}: {a!r:.40} vs {b!r:.40}"
    return None


def yaml_verify(args):
    """Runs each command once on each bench-data file and compares its JSON with PyYAML's, as bytes and as data
    (a sequence of JSON texts; objects compared without regard to key order)."""
    lines = ["Output check against `PyYAML CSafeLoader + json.dumps` (bench-data files, one run each):", "",
             "| input | command | result |", "| --- | --- | --- |"]
    reference = "PyYAML CSafeLoader + json.dumps"
    with tempfile.TemporaryDirectory() as tmp:
        for name in YAML_INPUTS:
            path = os.path.join(args.yaml_data, name)
            outputs = {}
            for command, argv in yaml_commands(args, path).items():
                out_path = os.path.join(tmp, f"{len(outputs)}.json")
                with open(out_path, "wb") as out, tempfile.TemporaryFile("w+") as err:
                    status = subprocess.run(argv, stdout=out, stderr=err).returncode
                    err.seek(0)
                    message = error_summary(err.read())
                outputs[command] = (status, out_path, message)
            ref_status, ref_path, ref_message = outputs[reference]
            if ref_status != 0:
                lines.append(f"| `{name}` | `{reference}` | failed (exit {ref_status}): {ref_message} |")
                continue
            ref_bytes = open(ref_path, "rb").read()
            ref_data = json_texts(ref_path)
            for command, (status, out_path, message) in outputs.items():
                if command == reference:
                    continue
                if status != 0:
                    result = f"failed (exit {status}): {message}"
                elif open(out_path, "rb").read() == ref_bytes:
                    result = "identical bytes"
                else:
                    try:
                        data = json_texts(out_path)
                    except ValueError as e:
                        data, result = None, f"not JSON: {e}"
                    if data is not None:
                        if data == ref_data:
                            result = "same data, different bytes (key order or layout)"
                        elif len(data) != len(ref_data):
                            result = f"differs: {len(data)} vs {len(ref_data)} documents"
                        else:
                            diff = next(d for d in (first_difference(x, y, f"doc{i}")
                                                    for i, (x, y) in enumerate(zip(data, ref_data))) if d)
                            result = f"differs at {diff}".replace("|", "/")
                lines.append(f"| `{name}` | `{command}` | {result} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dfmt", required=True)
    ap.add_argument("--peers", required=True)
    ap.add_argument("--data", help="the JSON bench-data folder (JSON section)")
    ap.add_argument("--yaml-data", help="the YAML bench-data folder (YAML section)")
    ap.add_argument("--python", help="a Python with PyYAML (libyaml) and ruamel.yaml (clib) (YAML section)")
    ap.add_argument("--yaml-peer", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "yaml_peer.py"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true",
                    help="JSON: only dfmt and the streaming serde_json peers; YAML: 3 rounds, 1 on big.yaml")
    ap.add_argument("--only", choices=["json", "yaml"], help="run one section; the other's last tables are kept")
    ap.add_argument("--verify", action="store_true",
                    help="before the YAML timings, check every command's JSON against PyYAML's once")
    args = ap.parse_args()

    sections = [args.only] if args.only else ["json", "yaml"]
    if "json" in sections and not args.data:
        ap.error("--data is needed for the JSON section")
    if "yaml" in sections and not (args.yaml_data and args.python):
        ap.error("--yaml-data and --python are needed for the YAML section")

    # Each section keeps its last tables in compare-SECTION.md; compare.md is all of them, JSON first.
    section_file = {name: os.path.join(args.out, f"compare-{name}.md") for name in ("json", "yaml")}
    combined = os.path.join(args.out, "compare.md")
    if not os.path.exists(section_file["json"]) and os.path.exists(combined):
        # A compare.md from before the sections were kept apart holds the JSON tables only.
        text = open(combined).read()
        if "## YAML" not in text:
            with open(section_file["json"], "w") as f:
                f.write(text)

    for name in sections:
        parts = []
        if name == "yaml" and args.verify:
            check = yaml_verify(args)
            print(check, flush=True)
            parts.append(check)
        parts.insert(0, json_section(args) if name == "json" else yaml_section(args))
        table = "\n\n".join(parts)
        print(table, flush=True)
        with open(section_file[name], "w") as f:
            f.write(table + "\n")

    texts = [open(section_file[n]).read().rstrip("\n") for n in ("json", "yaml") if os.path.exists(section_file[n])]
    with open(combined, "w") as f:
        f.write("\n\n".join(texts) + "\n")


if __name__ == "__main__":
    main()
