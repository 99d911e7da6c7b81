"""Runs dfmt and its peers on the same inputs and prints MB/s, ratios and peak RSS (see bench/compare).

Three sections, JSON (dfmt fmt/validate on a ~300 MB array), YAML (dfmt convert --to json on the YAML bench-data
files and a generated ~100 MB file) and TOML (dfmt convert --to json and dfmt fmt on the TOML bench-data files);
`--only` runs one of them, and bench/out/compare.md keeps the last tables of all. Every command reads a file and
writes to /dev/null. Runs are interleaved (one run of each command in a shuffled order, then the next round) so that
a noisy neighbour slows all of them alike; the table gives the median wall time of each. Peak RSS comes from GNU
time wrapped around the measured process.
"""

import argparse
import datetime
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib


def run_once(argv, stdin_path=None, stderr=None, pipe=True):
    """Runs argv with stdout to /dev/null; returns (seconds, peak RSS in KiB, exit status); the CPU seconds
    (user + system) of the run are left in `run_once.cpu`.

    Peak RSS is measured by GNU time, a small process: the maximum RSS that wait4 reports for a child of this
    Python process would include the Python image it was forked from. `stdin_path`, if given, is the command's
    standard input: through a pipe fed by cat, or with `pipe=False` the file itself (a shell's `< FILE`).
    `stderr`, if given, is a file that receives the command's standard error.
    """
    with tempfile.NamedTemporaryFile("r") as report:
        seconds, status = run_timed(["/usr/bin/time", "-f", "%M", "-o", report.name, *argv], stdin_path, stderr,
                                    pipe)
        run_once.cpu = run_timed.cpu
        lines = report.read().split()
        peak = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return seconds, peak, status


def run_timed(argv, stdin_path, stderr=None, pipe=True):
    devnull = os.open(os.devnull, os.O_WRONLY)
    infile = os.open(stdin_path, os.O_RDONLY) if stdin_path is not None and not pipe else None
    feeder = None
    try:
        if infile is not None:
            stdin = infile
        elif stdin_path is None:
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
        if infile is not None:
            os.close(infile)


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
# Per-input tables (YAML and TOML): every command on each input file, a column per input


def command_parts(command):
    """(argv, standard input): a command is an argv list, or a pair (argv, FILE) for a process that reads FILE as
    its standard input (`< FILE`, the file itself, not a pipe)."""
    return command if isinstance(command, tuple) else (command, None)


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


class Results:
    """What `measure` found for each (input path, command name): the median wall and CPU seconds, the peak RSS in
    KiB, and why a command failed (a command that failed once has no times)."""

    def __init__(self, times, cpu, rss, failed):
        self.median = {key: statistics.median(t) for key, t in times.items() if key not in failed}
        self.cpu = {key: statistics.median(t) for key, t in cpu.items() if key not in failed}
        self.rss = rss
        self.failed = failed

    def cell(self, key, fmt):
        """A table cell: "failed", or fmt(key) for a command that ran."""
        if key in self.failed:
            return "failed"
        return fmt(key) if key in self.median else ""

    def ratio_rows(self, inputs, ours, peer, target):
        """Two table rows: the peer's median wall time ÷ ours on each input, then the same of CPU time."""
        wall, cpu = [], []
        for p in inputs:
            if (p, ours) in self.failed:
                wall.append("dfmt failed")
            elif (p, peer) in self.failed:
                wall.append("peer failed")
            elif (p, ours) in self.median and (p, peer) in self.median:
                wall.append(f"{self.median[(p, peer)] / self.median[(p, ours)]:.2f}×")
            else:
                wall.append("")
            if (p, ours) in self.cpu and (p, peer) in self.cpu and self.cpu[(p, ours)] > 0:
                cpu.append(f"{self.cpu[(p, peer)] / self.cpu[(p, ours)]:.2f}×")
            else:
                cpu.append("")
        return [f"| `{ours}` vs `{peer}` | {target} | " + " | ".join(wall) + " |",
                f"| same, CPU time | {target} | " + " | ".join(cpu) + " |"]


def measure(label, inputs, commands_of, runs):
    """Runs the commands of each input path (commands_of(path): name → command, see `command_parts`) in
    interleaved rounds: round r runs each command once, in an order shuffled with seed r, on every input that has
    more than r runs (runs[path]). A command that fails is reported as such and not run again on that input.
    Times come from runs of the command itself; its peak RSS from one more run, under GNU time, before the first."""
    times, cpu, rss, failed = {}, {}, {}, {}
    rounds = max(runs.values())
    for round_ in range(rounds):
        for path in inputs:
            if round_ >= runs[path]:
                continue
            order = list(commands_of(path).items())
            random.Random(round_).shuffle(order)
            for name, command in order:
                key = (path, name)
                if key in failed:
                    continue
                argv, stdin = command_parts(command)
                with tempfile.NamedTemporaryFile("w+") as err:
                    status = 0
                    if key not in rss:
                        # Peak RSS from one untimed run under GNU time: timed under it, every run would also
                        # count the wrapper's own start-up (about 1 ms of CPU, as much as a small file's run).
                        _, rss[key], status = run_once(argv, stdin, stderr=err, pipe=False)
                    if status == 0:
                        seconds, status = run_timed(argv, stdin, stderr=err, pipe=False)
                    if status != 0:
                        err.seek(0)
                        failed[key] = f"exit {status}: {error_summary(err.read())}"
                        print(f"{name} failed on {os.path.basename(path)}: {failed[key]}", flush=True)
                        continue
                times.setdefault(key, []).append(seconds)
                cpu.setdefault(key, []).append(run_timed.cpu)
        print(f"{label} round {round_ + 1}/{rounds} done", flush=True)
    return Results(times, cpu, rss, failed)


def input_columns(inputs):
    return " | ".join(f"`{os.path.basename(p)}`" for p in inputs)


def measurement_tables(results, inputs, commands, size):
    """The MB/s, seconds, CPU milliseconds and peak RSS tables, each after an empty line: a row per command."""
    tables = [
        ("MB/s (median):", lambda key: f"{size[key[0]] / 1e6 / results.median[key]:.1f}"),
        ("Median wall milliseconds (spawn to exit; each command run directly, not under a wrapper):",
         lambda key: f"{results.median[key] * 1e3:.2f}"),
        ("Median CPU milliseconds (user + system, from wait4; no fork of the harness included):",
         lambda key: f"{results.cpu[key] * 1e3:.2f}"),
        ("Peak RSS MiB (from a separate, untimed run under GNU time):", lambda key: f"{results.rss[key] / 1024:.1f}"),
    ]
    lines = []
    for title, fmt in tables:
        lines += ["", title, "", f"| command | {input_columns(inputs)} |", "| --- |" + " ---: |" * len(inputs)]
        for name in commands:
            lines.append(f"| `{name}` | " + " | ".join(results.cell((p, name), fmt) for p in inputs) + " |")
    return lines


def ratio_table(results, inputs, pairs):
    """For each (dfmt command, peer, target) of pairs, the peer's time ÷ dfmt's: wall time, then CPU time."""
    lines = [f"| ratio (dfmt ÷ peer, higher is better; wall time, then CPU time) | target | {input_columns(inputs)} |",
             "| --- | ---: |" + " ---: |" * len(inputs)]
    for ours, peer, target in pairs:
        lines += results.ratio_rows(inputs, ours, peer, target)
    return lines


def failure_lines(results):
    if not results.failed:
        return []
    return ["", "Failures (first run; a failing command is not run again on that input):", ""] + [
        f"- `{name}` on `{os.path.basename(p)}`: {why}" for (p, name), why in results.failed.items()]


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
    """The YAML → JSON commands; with --rust-only, not the Python peers (which, run between the others, leave
    them a colder machine: dfmt's small-file ratios come out lower interleaved with them)."""
    commands = {
        "dfmt convert --to json": [args.dfmt, "convert", "--to", "json", path],
        "saphyr-parser events → JSON": [args.peers, "saphyr-events", path],
        "serde_yaml → serde_json Value": [args.peers, "serde-yaml-value", path],
        "PyYAML CSafeLoader + json.dumps": [args.python, args.yaml_peer, "pyyaml", path],
        "ruamel.yaml C loader + json.dumps": [args.python, args.yaml_peer, "ruamel", path],
    }
    if args.rust_only:
        del commands["PyYAML CSafeLoader + json.dumps"], commands["ruamel.yaml C loader + json.dumps"]
    return commands


def yaml_section(args):
    """dfmt convert --to json against the YAML peers on the four bench-data files and bench/out/big.yaml."""
    data = args.yaml_data
    big, copies = make_big_yaml(data, args.out)
    inputs = [os.path.join(data, name) for name in YAML_INPUTS] + [big]
    census = yaml_census(args.python, [os.path.join(data, name) for name in YAML_INPUTS])
    docs, anchors, aliases = census[os.path.join(data, BIG_YAML_SOURCE)]
    census[big] = (docs * copies, anchors * copies, aliases * copies)
    size = {path: os.path.getsize(path) for path in inputs}
    commands = list(yaml_commands(args, big))

    # QUICK: 3 rounds on the small files and one on big.yaml, where one round of the Python peers takes a minute.
    small_runs = min(args.runs, 3) if args.quick else args.runs
    runs = {path: (1 if args.quick and path == big else small_runs) for path in inputs}
    results = measure("yaml", inputs, lambda path: yaml_commands(args, path), runs)

    lines = []
    lines.append("## YAML → JSON")
    lines.append("")
    lines.append(f"Pretty JSON, one text per YAML document; file in, /dev/null out; median of {small_runs} interleaved "
                 f"runs ({runs[big]} on `big.yaml`). Times include process start-up (tens of ms for Python), which "
                 f"dominates on the small files." + (" Rust commands only (`--rust-only`)." if args.rust_only else ""))
    lines.append("")
    lines.append("| input | MB | documents | anchors | aliases |")
    lines.append("| --- | ---: | ---: | ---: | ---: |")
    for path in inputs:
        d, a, r = census[path]
        label = f"`{os.path.basename(path)}`" + (f" ({copies} × `{BIG_YAML_SOURCE}`)" if path == big else "")
        lines.append(f"| {label} | {size[path] / 1e6:.2f} | {d} | {a} | {r} |")
    lines += measurement_tables(results, inputs, commands, size)
    lines.append("")
    ours = "dfmt convert --to json"
    lines += ratio_table(results, inputs, [
        (ours, "saphyr-parser events → JSON", "≥ 2×"),
        (ours, "PyYAML CSafeLoader + json.dumps", "≥ 20×"),
        (ours, "serde_yaml → serde_json Value", ""),
        (ours, "ruamel.yaml C loader + json.dumps", ""),
    ])
    lines.append("")
    lines.append(f"| dfmt peak RSS ÷ input size | target | {input_columns(inputs)} |")
    lines.append("| --- | ---: |" + " ---: |" * len(inputs))
    row = []
    for p in inputs:
        if (p, ours) in results.failed:
            row.append("dfmt failed")
        elif (p, ours) in results.median:
            row.append(f"{results.rss[(p, ours)] * 1024 / size[p]:.2f}×")
        else:
            row.append("")
    targets = {p: "< 2×" if census[p][2] == 0 else "(aliases)" for p in inputs}
    goal = "< 2×" if all(t == "< 2×" for t in targets.values()) else "< 2× without aliases"
    lines.append(f"| `{ours}` | {goal} | " + " | ".join(row) + " |")
    lines += failure_lines(results)
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


def capture(commands, tmp):
    """Runs each command once (name → command, see `command_parts`), its standard output to a file in tmp; returns
    {name: (exit status, output path, error summary)}. A program that is not there gives status 127."""
    outputs = {}
    for name, command in commands.items():
        argv, stdin = command_parts(command)
        out_path = os.path.join(tmp, f"{len(outputs)}.out")
        with (open(out_path, "wb") as out, tempfile.TemporaryFile("w+") as err,
              open(stdin or os.devnull, "rb") as source):
            try:
                status = subprocess.run(argv, stdin=source, stdout=out, stderr=err).returncode
            except FileNotFoundError as e:
                status = 127
                err.write(str(e))
            err.seek(0)
            outputs[name] = (status, out_path, error_summary(err.read()))
    return outputs


def json_result(out_path, ref_path, normalise=lambda data: data):
    """How a command's JSON output compares with the reference's: identical bytes, the same data (a sequence of JSON
    texts; objects compared without regard to key order, numbers and their types exactly), or where it first
    differs. `normalise` is applied to the output's data before the comparison."""
    if open(out_path, "rb").read() == open(ref_path, "rb").read():
        return "identical bytes"
    try:
        data = normalise(json_texts(out_path))
    except ValueError as e:
        return f"not JSON: {e}"
    ref_data = json_texts(ref_path)
    if len(data) != len(ref_data):
        return f"differs: {len(data)} vs {len(ref_data)} documents"
    diff = next((d for d in (first_difference(x, y, f"doc{i}") for i, (x, y) in enumerate(zip(data, ref_data)))
                 if d), None)
    if diff is None:
        return "same data, different bytes (key order or layout)"
    return f"differs at {diff}".replace("|", "/")


def verify_table(title, inputs, commands_of, reference, check):
    """A table of what each command gives on each input, run once (`capture`): its error if it fails, else
    check(input path, command name, output path, reference output path); if the reference command fails, the
    input's one row says so."""
    lines = [title, "", "| input | command | result |", "| --- | --- | --- |"]
    with tempfile.TemporaryDirectory() as tmp:
        for path in inputs:
            name = os.path.basename(path)
            outputs = capture(commands_of(path), tmp)
            ref_status, ref_path, ref_message = outputs.pop(reference)
            if ref_status != 0:
                lines.append(f"| `{name}` | `{reference}` | failed (exit {ref_status}): {ref_message} |")
                continue
            for command, (status, out_path, message) in outputs.items():
                if status != 0:
                    result = f"failed (exit {status}): {message}"
                else:
                    result = check(path, command, out_path, ref_path)
                lines.append(f"| `{name}` | `{command}` | {result} |")
    return "\n".join(lines)


def yaml_verify(args):
    """Runs each command once on each bench-data file and compares its JSON with PyYAML's, as bytes and as data
    (see `json_result`)."""
    reference = "PyYAML CSafeLoader + json.dumps"
    return verify_table(f"Output check against `{reference}` (bench-data files, one run each):",
                        [os.path.join(args.yaml_data, name) for name in YAML_INPUTS],
                        lambda path: yaml_commands(args, path), reference,
                        lambda path, command, out_path, ref_path: json_result(out_path, ref_path))


# ---------------------------------------------------------------------------------------------------------------
# TOML → JSON, and TOML formatting

TOML_TO_JSON = "dfmt convert --to json"
TOMLLIB = "tomllib + json.dumps"
TOML_CRATE = "toml crate → serde_json pretty"
TOML_FMT = "dfmt fmt"
TAPLO = "taplo fmt"
TOML_EDIT = "toml_edit parse + print"


def toml_inputs(data_dir):
    return [os.path.join(data_dir, name) for name in sorted(os.listdir(data_dir)) if name.endswith(".toml")]


def toml_json_commands(args, path):
    """The commands that read TOML and print pretty JSON (tomllib's peer runs in this harness's own Python)."""
    return {
        TOML_TO_JSON: [args.dfmt, "convert", "--to", "json", path],
        TOMLLIB: [sys.executable, args.toml_peer, path],
        TOML_CRATE: [args.peers, "toml-json", path],
    }


def toml_fmt_commands(args, path):
    """The commands that read TOML and print TOML. taplo formats a file in place unless it reads standard input,
    so it gets the file as its standard input (`taplo fmt - < FILE`), without looking for a taplo.toml."""
    return {
        TOML_FMT: [args.dfmt, "fmt", path],
        TAPLO: ([args.taplo, "fmt", "--no-auto-config", "--colors", "never", "-"], path),
        TOML_EDIT: [args.peers, "toml-edit-roundtrip", path],
    }


def toml_commands(args, path):
    return {**toml_json_commands(args, path), **toml_fmt_commands(args, path)}


def toml_census(path):
    """(tables, arrays, dates and times, other values) of a TOML file as tomllib reads it; the tables include the
    root, inline tables and each `[[...]]` entry."""
    counts = [0, 0, 0, 0]
    with open(path, "rb") as f:
        pending = [tomllib.load(f)]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            counts[0] += 1
            pending.extend(value.values())
        elif isinstance(value, list):
            counts[1] += 1
            pending.extend(value)
        elif isinstance(value, (datetime.date, datetime.time)):
            counts[2] += 1
        else:
            counts[3] += 1
    return counts


def toml_peer_versions(args):
    """One line naming the versions of the peers: Python, the toml and toml_edit crates (bench/peers/Cargo.lock)
    and taplo."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers", "Cargo.lock"), "rb") as f:
        crates = {package["name"]: package["version"] for package in tomllib.load(f)["package"]}
    taplo = "taplo not found"
    if shutil.which(args.taplo):
        taplo = subprocess.run([args.taplo, "--version"], capture_output=True, text=True).stdout.strip()
    return (f"Peers: Python {platform.python_version()} `tomllib`; `toml` {crates['toml']} and `toml_edit` "
            f"{crates['toml_edit']} (bench/peers); {taplo}.")


def toml_section(args):
    """dfmt convert --to json and dfmt fmt against the TOML peers on each TOML bench-data file."""
    inputs = toml_inputs(args.toml_data)
    size = {path: os.path.getsize(path) for path in inputs}
    commands = list(toml_commands(args, inputs[0]))
    runs = min(args.runs, 3) if args.quick else args.runs
    results = measure("toml", inputs, lambda path: toml_commands(args, path), dict.fromkeys(inputs, runs))

    lines = []
    lines.append("## TOML")
    lines.append("")
    lines.append(f"TOML → pretty JSON, and TOML → TOML (formatting; `toml_edit` parses keeping comments and layout and "
                 f"prints back); file in (taplo: as its standard input, `taplo fmt - < FILE`), /dev/null out; median "
                 f"of {runs} interleaved runs. Times include process start-up (tens of ms for Python), which "
                 f"dominates on the small files. {toml_peer_versions(args)}")
    lines.append("")
    lines.append("| input | MB | tables | arrays | dates and times | other values |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    for path in inputs:
        counts = " | ".join(str(n) for n in toml_census(path))
        lines.append(f"| `{os.path.basename(path)}` | {size[path] / 1e6:.2f} | {counts} |")
    lines += measurement_tables(results, inputs, commands, size)
    lines.append("")
    lines += ratio_table(results, inputs, [
        (TOML_TO_JSON, TOMLLIB, "≥ 10×"),
        (TOML_TO_JSON, TOML_CRATE, "≥ 1×"),
        (TOML_FMT, TAPLO, "≥ 3×"),
        (TOML_FMT, TOML_EDIT, ""),
    ])
    lines += failure_lines(results)
    return "\n".join(lines)


TOML_DATE_LIKE = re.compile(r"[0-9]{2}[0-9:.+\-TtZz ]*")


def toml_date_literal(text):
    """Python's `.isoformat()` of the date or time that text is a TOML literal of (`1979-05-27 07:32:00Z` gives
    `1979-05-27T07:32:00+00:00`, as toml_peer.py prints tomllib's value), or None."""
    if not TOML_DATE_LIKE.fullmatch(text):
        return None
    try:
        value = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return None
    return value.isoformat() if isinstance(value, (datetime.date, datetime.time)) else None


def toml_dates_read(data, source):
    """data (a command's JSON data) with each string that stands where tomllib's data `source` has a date or time,
    and is a TOML literal of one, written as toml_peer.py writes that value (`toml_date_literal`): dfmt may spell
    the same value otherwise (a space for `T`, `Z`, more digits than microseconds). Everything else is kept, to be
    compared exactly."""
    if isinstance(source, (datetime.date, datetime.time)) and isinstance(data, str):
        return toml_date_literal(data) or data
    if isinstance(source, dict) and isinstance(data, dict):
        return {key: toml_dates_read(value, source.get(key)) for key, value in data.items()}
    if isinstance(source, list) and isinstance(data, list):
        return [toml_dates_read(value, item) for value, item in zip(data, source)] + data[len(source):]
    return data


def toml_result(out_path, path):
    """How a formatter's output compares with its input: the same bytes, the same data as tomllib reads them
    (exactly: keys, types, values, dates), or where it first differs."""
    output, source = open(out_path, "rb").read(), open(path, "rb").read()
    if output == source:
        return "identical to the input"
    try:
        data = tomllib.loads(output.decode())
    except ValueError as e:
        return f"not TOML: {e}".replace("|", "/")
    diff = first_difference(data, tomllib.loads(source.decode()))
    return f"differs from the input at {diff}".replace("|", "/") if diff else "same data as the input, reformatted"


def toml_verify(args):
    """Runs each command once on each TOML file. JSON output is compared with the tomllib peer's, as bytes and as
    data (see `json_result`), a string where the TOML has a date or time as the value it denotes
    (`toml_dates_read`), everything else exactly; TOML output must be read by tomllib as the same data as the
    input."""
    def check(path, command, out_path, ref_path):
        if command in toml_fmt_commands(args, path):
            return toml_result(out_path, path)
        with open(path, "rb") as f:
            source = tomllib.load(f)
        return json_result(out_path, ref_path, lambda data: [toml_dates_read(text, source) for text in data])

    title = (f"Output check (TOML bench-data files, one run each): JSON against `{TOMLLIB}` (where the TOML has a "
             f"date or time, the string compared as the value it denotes; all else exactly), TOML output read back "
             f"by tomllib against the input's data:")
    return verify_table(title, toml_inputs(args.toml_data), lambda path: toml_commands(args, path), TOMLLIB, check)


SECTIONS = {"json": json_section, "yaml": yaml_section, "toml": toml_section}
VERIFIERS = {"yaml": yaml_verify, "toml": toml_verify}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dfmt", required=True)
    ap.add_argument("--peers", required=True)
    ap.add_argument("--data", help="the JSON bench-data folder (JSON section)")
    ap.add_argument("--yaml-data", help="the YAML bench-data folder (YAML section)")
    ap.add_argument("--python", help="a Python with PyYAML (libyaml) and ruamel.yaml (clib) (YAML section)")
    ap.add_argument("--yaml-peer", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "yaml_peer.py"))
    ap.add_argument("--toml-data", help="the TOML bench-data folder (TOML section)")
    ap.add_argument("--toml-peer", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "toml_peer.py"))
    ap.add_argument("--taplo", default="taplo", help="the taplo program (TOML section)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true",
                    help="JSON: only dfmt and the streaming serde_json peers; YAML: 3 rounds, 1 on big.yaml; "
                         "TOML: 3 rounds")
    ap.add_argument("--rust-only", action="store_true",
                    help="YAML section: dfmt, saphyr-parser and serde_yaml only, no Python peer run between them")
    ap.add_argument("--only", choices=list(SECTIONS), help="run one section; the others' last tables are kept")
    ap.add_argument("--verify", action="store_true",
                    help="before the YAML and TOML timings, check every command's output once (YAML: its JSON "
                         "against PyYAML's; TOML: JSON against tomllib's, TOML read back by tomllib)")
    args = ap.parse_args()

    sections = [args.only] if args.only else list(SECTIONS)
    if "json" in sections and not args.data:
        ap.error("--data is needed for the JSON section")
    if "yaml" in sections and not (args.yaml_data and args.python):
        ap.error("--yaml-data and --python are needed for the YAML section")
    if "toml" in sections and not args.toml_data:
        ap.error("--toml-data is needed for the TOML section")

    # Each section keeps its last tables in compare-SECTION.md; compare.md is all of them, JSON first.
    section_file = {name: os.path.join(args.out, f"compare-{name}.md") for name in SECTIONS}
    if args.rust_only:
        section_file["yaml"] = os.path.join(args.out, "compare-yaml-rust.md")
    combined = os.path.join(args.out, "compare.md")
    if not os.path.exists(section_file["json"]) and os.path.exists(combined):
        # A compare.md from before the sections were kept apart holds the JSON tables only.
        text = open(combined).read()
        if "## YAML" not in text:
            with open(section_file["json"], "w") as f:
                f.write(text)

    for name in sections:
        parts = []
        if name in VERIFIERS and args.verify:
            check = VERIFIERS[name](args)
            print(check, flush=True)
            parts.append(check)
        parts.insert(0, SECTIONS[name](args))
        table = "\n\n".join(parts)
        print(table, flush=True)
        with open(section_file[name], "w") as f:
            f.write(table + "\n")

    texts = [open(section_file[n]).read().rstrip("\n") for n in SECTIONS if os.path.exists(section_file[n])]
    with open(combined, "w") as f:
        f.write("\n\n".join(texts) + "\n")


if __name__ == "__main__":
    main()
