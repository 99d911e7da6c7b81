"""dfmt validate --schema against check-jsonschema (Python) and ajv-cli (Node), whole processes, on inputs made
here: (a) a folder of 500 small YAML and JSON documents against one schema, (b) one 50 MB JSON document.

Each round runs every tool once on each input, in an order that rotates between rounds; the table gives the
median wall time of each and the ratio peer / dfmt. Every run must exit 0 (all documents are valid), so each tool
checked everything. Called by bench/schema/run, which installs the peers.
"""

import argparse
import json
import pathlib
import random
import statistics
import subprocess
import sys
import time

SERVICE = {
    "type": "object",
    "required": ["name", "image", "replicas", "ports"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z][a-z0-9-]{0,62}$"},
        "image": {"type": "string", "minLength": 1},
        "version": {"type": "string", "pattern": "^[0-9]+\\.[0-9]+\\.[0-9]+$"},
        "replicas": {"type": "integer", "minimum": 1, "maximum": 100},
        "enabled": {"type": "boolean"},
        "ports": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["containerPort"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "maxLength": 15},
                    "containerPort": {"type": "integer", "minimum": 1, "maximum": 65535},
                    "protocol": {"enum": ["TCP", "UDP"]},
                },
            },
        },
        "env": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "value"],
                "properties": {"name": {"type": "string", "pattern": "^[A-Z_][A-Z0-9_]*$"}, "value": {"type": "string"}},
            },
        },
        "resources": {
            "type": "object",
            "properties": {
                "cpu": {"type": "string", "pattern": "^[0-9]+m?$"},
                "memory": {"type": "string", "pattern": "^[0-9]+(Ki|Mi|Gi)$"},
            },
        },
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


def service(rng: random.Random, i: int) -> dict:
    return {
        "name": f"svc-{i}",
        "image": f"registry.example.com/team/app-{i % 97}:{rng.randint(1, 9)}.{rng.randint(0, 20)}",
        "version": f"{rng.randint(0, 9)}.{rng.randint(0, 99)}.{rng.randint(0, 999)}",
        "replicas": rng.randint(1, 100),
        "enabled": rng.random() < 0.9,
        "ports": [
            {"name": f"p{j}", "containerPort": rng.randint(1, 65535), "protocol": rng.choice(["TCP", "UDP"])}
            for j in range(rng.randint(1, 4))
        ],
        "env": [{"name": f"VAR_{j}", "value": "x" * rng.randint(0, 40)} for j in range(rng.randint(0, 8))],
        "resources": {"cpu": f"{rng.randint(1, 4000)}m", "memory": f"{rng.randint(16, 4096)}Mi"},
        "labels": {f"team.example.com/k{j}": f"v{j}" for j in range(rng.randint(0, 5))},
    }


def to_yaml(value, indent=0) -> str:
    """A small YAML writer for the generated data (every string quoted as JSON, which YAML reads the same)."""
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        lines = []
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{json.dumps(key)}:\n{to_yaml(item, indent + 1)}")
            else:
                lines.append(f"{pad}{json.dumps(key)}: {to_yaml(item, indent + 1)}")
        return "\n".join(lines)
    if isinstance(value, list):
        if not value:
            return "[]"
        lines = []
        for item in value:
            body = to_yaml(item, indent + 1)
            lines.append(f"{pad}- {body.lstrip()}" if isinstance(item, (dict, list)) and item else f"{pad}- {body}")
        return "\n".join(lines)
    return json.dumps(value)


def make_inputs(out: pathlib.Path) -> dict:
    rng = random.Random(20261207)
    out.mkdir(parents=True, exist_ok=True)
    schema = out / "service.schema.json"
    schema.write_text(json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", **SERVICE}, indent=2))
    small = out / "small"
    if not small.is_dir():
        small.mkdir()
        for i in range(500):
            doc = service(rng, i)
            if i % 2:
                (small / f"svc-{i:03}.yaml").write_text(to_yaml(doc) + "\n")
            else:
                (small / f"svc-{i:03}.json").write_text(json.dumps(doc, indent=2) + "\n")
    big_schema = out / "fleet.schema.json"
    big_schema.write_text(
        json.dumps(
            {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "type": "object",
                "required": ["services"],
                "properties": {"services": {"type": "array", "items": {"$ref": "#/definitions/service"}}},
                "definitions": {"service": SERVICE},
            },
            indent=2,
        )
    )
    big = out / "fleet-50mb.json"
    if not big.is_file() or abs(big.stat().st_size - 50_000_000) > 1_000_000:
        services, size, i = [], 0, 0
        while size < 50_000_000:
            s = service(rng, i)
            services.append(s)
            # As it is written below: indented two levels deeper than on its own.
            text = json.dumps(s, indent=2)
            size += len(text) + 4 * (text.count("\n") + 1) + 2
            i += 1
        big.write_text(json.dumps({"services": services}, indent=2) + "\n")
    return {"schema": schema, "small": small, "big_schema": big_schema, "big": big}


def timed(command: list) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{command[0]} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dfmt", required=True)
    parser.add_argument("--check-jsonschema", required=True)
    parser.add_argument("--ajv", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    inputs = make_inputs(pathlib.Path(args.out))
    small_files = sorted(str(p) for p in inputs["small"].iterdir())
    small_json = str(inputs["small"] / "*.json")
    small_yaml = str(inputs["small"] / "*.yaml")
    cases = {
        "(a) 500 small YAML and JSON files": {
            "dfmt": [args.dfmt, "validate", "--schema", str(inputs["schema"]), str(inputs["small"])],
            "check-jsonschema": [args.check_jsonschema, "--schemafile", str(inputs["schema"]), *small_files],
            "ajv-cli": [args.ajv, "validate", "--spec=draft7", "-s", str(inputs["schema"]), "-d", small_json, "-d", small_yaml],
        },
        "(b) one 50 MB JSON document": {
            "dfmt": [args.dfmt, "validate", "--schema", str(inputs["big_schema"]), str(inputs["big"])],
            "check-jsonschema": [args.check_jsonschema, "--schemafile", str(inputs["big_schema"]), str(inputs["big"])],
            "ajv-cli": [args.ajv, "validate", "--spec=draft7", "-s", str(inputs["big_schema"]), "-d", str(inputs["big"])],
        },
    }
    times = {case: {tool: [] for tool in tools} for case, tools in cases.items()}
    for r in range(args.rounds):
        for case, tools in cases.items():
            order = list(tools)
            order = order[r % len(order) :] + order[: r % len(order)]
            for tool in order:
                times[case][tool].append(timed(tools[tool]))
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    big_mb = inputs["big"].stat().st_size / 1e6
    print(f"Median wall time of {args.rounds} alternating rounds, whole processes (50 MB input: {big_mb:.1f} MB).\n")
    print("| input | tool | median | range | peer / dfmt |")
    print("| --- | --- | ---: | ---: | ---: |")
    for case in cases:
        base = statistics.median(times[case]["dfmt"])
        for tool, values in times[case].items():
            median = statistics.median(values)
            ratio = "" if tool == "dfmt" else f"{median / base:.1f}×"
            print(f"| {case} | {tool} | {median:.3f} s | {min(values):.3f}–{max(values):.3f} s | {ratio} |")


if __name__ == "__main__":
    main()
