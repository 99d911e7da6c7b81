"""Writes the inputs that scripts/pgo/train.py runs the instrumented dfmt on (profile-guided optimisation).

    python3 scripts/pgo/corpus.py OUT_DIR

The files are generated here, from a fixed seed, in the shapes dfmt meets most: Kubernetes manifests, a catalogue
of records with short scalars and lists, a lock file, an API description with long strings and block scalars, a
CI file with anchors and merge keys, JSON records and NDJSON lines, TOML project and service configs. They are
not the benchmark inputs (../shared/bench-data): the profile should teach the compiler which paths are common in
such files, not the answers to one benchmark. A few hundred KB in all: the profile records how often each branch
goes each way, and that settles within a small input.
"""

import json
import os
import random
import sys

rng = random.Random(20261126)
WORDS = ("alpha beta gamma delta server client cache queue worker router shard index token session "
         "metrics backup report search upload billing audit gateway storage ledger notify profile").split()


def word():
    return rng.choice(WORDS)


def name(parts=2):
    return "-".join(word() for _ in range(parts))


def sentence(n):
    return " ".join(word() for _ in range(n)).capitalize() + "."


def manifests(docs):
    """Multi-document Kubernetes YAML: Deployments, Services and ConfigMaps."""
    out = []
    for d in range(docs):
        app = name()
        kind = ("Deployment", "Service", "ConfigMap")[d % 3]
        out.append("---")
        out.append(f"# Source: {app}/templates/{kind.lower()}.yaml")
        out.append("apiVersion: " + ("apps/v1" if kind == "Deployment" else "v1"))
        out.append(f"kind: {kind}")
        out.append("metadata:")
        out.append(f"  name: {app}")
        out.append("  labels:")
        out.append(f"    app.kubernetes.io/name: {app}")
        out.append(f"    app.kubernetes.io/part-of: {word()}")
        out.append(f'    app.kubernetes.io/version: "{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"')
        if kind == "Deployment":
            out.append("spec:")
            out.append(f"  replicas: {rng.randint(1, 5)}")
            out.append("  selector:")
            out.append("    matchLabels:")
            out.append(f"      app.kubernetes.io/name: {app}")
            out.append("  template:")
            out.append("    spec:")
            out.append("      containers:")
            for c in range(rng.randint(1, 3)):
                out.append(f"      - name: {word()}{c}")
                out.append(f"        image: registry.example.com/{app}:v{rng.randint(1, 30)}.{rng.randint(0, 9)}")
                out.append("        args:")
                for _ in range(rng.randint(1, 4)):
                    out.append(f"        - --{word()}={word()}")
                out.append("        ports:")
                out.append(f"        - containerPort: {rng.randint(1024, 9999)}")
                out.append("          protocol: TCP")
                out.append("        env:")
                for _ in range(rng.randint(1, 4)):
                    out.append(f"        - name: {word().upper()}_{word().upper()}")
                    out.append(f"          value: \"{word()}\"")
                out.append("        resources:")
                out.append(f"          limits: {{cpu: {rng.randint(100, 900)}m, memory: {rng.randint(64, 512)}Mi}}")
                out.append("        readinessProbe:")
                out.append(f"          httpGet: {{path: /healthz, port: {rng.randint(1024, 9999)}}}")
                out.append(f"          initialDelaySeconds: {rng.randint(1, 30)}")
        elif kind == "Service":
            out.append("spec:")
            out.append("  type: ClusterIP")
            out.append("  ports:")
            for _ in range(rng.randint(1, 3)):
                out.append(f"  - name: {word()}")
                out.append(f"    port: {rng.randint(80, 9000)}")
                out.append(f"    targetPort: {rng.randint(1024, 9999)}")
            out.append("  selector:")
            out.append(f"    app.kubernetes.io/name: {app}")
        else:
            out.append("data:")
            out.append(f"  {word()}.conf: |")
            for _ in range(rng.randint(2, 6)):
                out.append(f"    {word()} = {rng.randint(0, 1000)}")
            out.append(f"  mode: '{word()}'")
            out.append(f"  enabled: \"{rng.choice(['true', 'false', 'yes'])}\"")
    return "\n".join(out) + "\n"


def catalogue(entries):
    """A single mapping of records with short scalars and lists of quoted strings (a language list)."""
    out = ["# Records, one per entry, in alphabetical order.", "---"]
    for i in range(entries):
        out.append(f"{name(rng.randint(1, 3)).replace('-', ' ').title()} {i}:")
        out.append(f"  type: {rng.choice(['programming', 'data', 'markup', 'prose'])}")
        if rng.random() < 0.7:
            out.append(f'  color: "#{rng.randrange(1 << 24):06X}"')
        out.append("  extensions:")
        for _ in range(rng.randint(1, 6)):
            out.append(f'  - ".{word()[:rng.randint(1, 5)]}"')
        if rng.random() < 0.3:
            out.append("  aliases:")
            for _ in range(rng.randint(1, 3)):
                out.append(f"  - {word()}")
        out.append(f"  tm_scope: source.{word()}")
        out.append(f"  ace_mode: {rng.choice(['text', word()])}")
        if rng.random() < 0.2:
            out.append(f"  wrap: {rng.choice(['true', 'false'])}")
        out.append(f"  language_id: {rng.randrange(10 ** 9)}")
    return "\n".join(out) + "\n"


def lock_file(packages):
    """A package lock: keys with slashes and @, flow mappings, integrity hashes."""
    out = ["lockfileVersion: '6.0'", "", "settings:", "  autoInstallPeers: true", "", "packages:", ""]
    for _ in range(packages):
        pkg = f"/{name()}@{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
        digest = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/")
                         for _ in range(86))
        out.append(f"  {pkg}:")
        out.append(f"    resolution: {{integrity: sha512-{digest}==}}")
        if rng.random() < 0.4:
            out.append("    engines: {node: '>=14'}")
        if rng.random() < 0.6:
            out.append("    dependencies:")
            for _ in range(rng.randint(1, 5)):
                out.append(f"      {name()}: {rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}")
        out.append(f"    dev: {rng.choice(['true', 'false'])}")
        out.append("")
    return "\n".join(out)


def api_description(paths):
    """An OpenAPI-style description: deep nesting, long plain and folded strings, $ref keys, enums."""
    out = ["openapi: 3.0.1", "info:", "  title: Example API", "  description: >-", "    " + sentence(30),
           "    " + sentence(20), "  version: 1.0.0", "paths:"]
    for p in range(paths):
        out.append(f"  /v1/{word()}/{{{word()}Id}}/{word()}{p}.json:")
        for method in rng.sample(["get", "post", "delete"], rng.randint(1, 3)):
            out.append(f"    {method}:")
            out.append(f"      operationId: {method.title()}{word().title()}{p}")
            out.append(f"      description: {sentence(rng.randint(5, 25))}")
            out.append("      parameters:")
            for _ in range(rng.randint(1, 4)):
                out.append(f"      - name: {word().title()}")
                out.append("        in: query")
                out.append(f"        description: \"{sentence(rng.randint(3, 12))}\"")
                out.append("        schema:")
                out.append(f"          type: {rng.choice(['string', 'integer', 'boolean'])}")
                if rng.random() < 0.3:
                    out.append("          enum:")
                    for _ in range(rng.randint(2, 5)):
                        out.append(f"          - {word()}")
            out.append("      responses:")
            out.append("        '200':")
            out.append("          content:")
            out.append("            application/json:")
            out.append("              schema:")
            out.append(f"                $ref: '#/components/schemas/{word()}.{word()}'")
            out.append("          description: OK")
    return "\n".join(out) + "\n"


def ci_config(jobs):
    """A CI file with anchors, aliases and merge keys."""
    out = [".defaults: &defaults", "  image: registry.example.com/ci:2024", "  retry: 2",
           "  tags: [linux, docker]", "  variables: &vars", "    GIT_DEPTH: \"10\"", "    CACHE: 'on'", ""]
    for j in range(jobs):
        out.append(f"{word()}-{j}:")
        out.append("  <<: *defaults")
        out.append(f"  stage: {rng.choice(['build', 'test', 'deploy'])}")
        out.append("  variables:")
        out.append("    <<: *vars")
        out.append(f"    TARGET: {word()}")
        out.append("  script:")
        for _ in range(rng.randint(1, 4)):
            out.append(f"    - make {word()} {word()}")
        out.append("  only: [main, /^release-.*$/]")
        out.append("")
    return "\n".join(out)


def record(i):
    return {
        "id": i,
        "name": name(),
        "active": rng.random() < 0.5,
        "score": round(rng.uniform(-1000, 1000), rng.randint(0, 6)),
        "ratio": rng.choice([1e-7, 2.5e10, 0.1, 3.0]),
        "tags": [word() for _ in range(rng.randint(0, 5))],
        "note": sentence(rng.randint(2, 10)) + rng.choice(["", " \"quoted\"", " caf\u00e9", " \u2603", "\n\tnext"]),
        "owner": {"login": word(), "uid": rng.randrange(10 ** 6), "site": None},
        "history": [{"at": f"2026-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}", "n": rng.randint(0, 99)}
                    for _ in range(rng.randint(0, 3))],
    }


def toml_project():
    out = ["# A project file", "[package]", 'name = "example"', 'version = "0.4.1"', 'edition = "2021"',
           "authors = [\"Ada <ada@example.org>\", 'Grace <grace@example.org>']", "", "[dependencies]"]
    for _ in range(40):
        if rng.random() < 0.5:
            out.append(f'{name()} = "{rng.randint(0, 3)}.{rng.randint(0, 40)}"')
        else:
            features = ", ".join(f'"{word()}"' for _ in range(rng.randint(1, 3)))
            out.append(f'{name()} = {{ version = "{rng.randint(0, 3)}.{rng.randint(0, 9)}", '
                       f'default-features = false, features = [{features}] }}')
    for t in range(30):
        out.append("")
        out.append("[[service]]")
        out.append(f'name = "{name()}"')
        out.append(f"port = {rng.randint(1024, 65535)}")
        out.append(f"ratio = {rng.uniform(0, 1):.4f}")
        out.append(f"limit = {rng.randint(1, 10 ** 6):_}")
        out.append(f"mask = 0x{rng.randrange(1 << 16):04x}")
        out.append(f"started = 2026-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}T{rng.randint(0, 23):02}:00:00Z")
        out.append(f"enabled = {rng.choice(['true', 'false'])}  # {word()}")
        out.append("hosts = [")
        for _ in range(rng.randint(1, 4)):
            out.append(f'  "{word()}.example.org",')
        out.append("]")
        out.append(f"[service.{word()}{t}]")
        out.append(f"description = \"\"\"\n{sentence(12)}\n{sentence(8)}\"\"\"")
        out.append(f"path = '{word()}\\{word()}'")
    return "\n".join(out) + "\n"


def jsonc_settings():
    out = ["// Editor settings", "{"]
    for i in range(200):
        comment = f"  // {sentence(4)}\n" if i % 3 == 0 else ""
        value = rng.choice([json.dumps(word()), str(rng.randint(0, 100)), "true", "false",
                            json.dumps([word(), word()]), "null"])
        out.append(f'{comment}  "{word()}.{word()}{i}": {value},')
    out.append('  "last": 1 /* block comment */')
    out.append("}")
    return "\n".join(out) + "\n"


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    files = {
        "manifests.yaml": manifests(240),
        "catalogue.yml": catalogue(700),
        "lock.yaml": lock_file(500),
        "api.yaml": api_description(120),
        "ci.yml": ci_config(60),
        "records.json": json.dumps([record(i) for i in range(1500)], ensure_ascii=rng.random() < 0.5),
        "records-pretty.json": json.dumps([record(i) for i in range(400)], indent=2, ensure_ascii=False),
        "events.ndjson": "".join(json.dumps(record(i)) + "\n" for i in range(800)),
        "project.toml": toml_project(),
        "settings.jsonc": jsonc_settings(),
    }
    for file, text in files.items():
        with open(os.path.join(out, file), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
