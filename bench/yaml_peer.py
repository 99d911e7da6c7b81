"""Python YAML → JSON peers for bench/compare: `python yaml_peer.py pyyaml|ruamel FILE`, JSON to standard output.

Every document of FILE is loaded and printed with `json.dumps(doc, indent=2)` followed by a newline (one JSON text
per document). `ensure_ascii=False` keeps non-ASCII text as UTF-8, as dfmt and serde_json write it, and
`default=str` prints what JSON has no type for (PyYAML turns `2018-11-12` into a date) as a string.

- `pyyaml`: PyYAML with libyaml, `yaml.load_all(data, Loader=yaml.CSafeLoader)`;
- `ruamel`: ruamel.yaml with its C loader, `YAML(typ="safe", pure=False).load_all(data)`.
- `check`: exits non-zero unless both C loaders are present and the ones these modes use.

Either exits non-zero rather than fall back to a pure-Python loader.
"""

import json
import sys


def pyyaml_documents(data):
    import yaml

    if not getattr(yaml, "__with_libyaml__", False) or not hasattr(yaml, "CSafeLoader"):
        raise SystemExit("PyYAML was built without libyaml: yaml.CSafeLoader is missing")
    return yaml.load_all(data, Loader=yaml.CSafeLoader)


def ruamel_loader():
    from ruamel.yaml import YAML

    loader = YAML(typ="safe", pure=False)
    # With ruamel.yaml.clib present, the C parser (reader, scanner, parser and composer in one, from libyaml) is
    # used; without it ruamel silently falls back to pure Python, which this benchmark must not measure.
    parser = loader.Parser
    if parser is None or parser.__name__ != "CParser" or "_ruamel_yaml" not in parser.__module__:
        raise SystemExit(f"ruamel.yaml is not using its C loader (Parser = {parser!r}); install ruamel.yaml.clib")
    return loader


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "check":
        import yaml
        import ruamel.yaml

        pyyaml_documents(b"")
        ruamel_loader()
        print(f"PyYAML {yaml.__version__} with libyaml (CSafeLoader); "
              f"ruamel.yaml {ruamel.yaml.__version__} with its C loader ({ruamel_loader().Parser.__module__})")
        return
    if mode not in ("pyyaml", "ruamel") or len(sys.argv) != 3:
        raise SystemExit("usage: yaml_peer.py pyyaml|ruamel|check FILE")
    with open(sys.argv[2], "rb") as f:
        data = f.read()
    documents = pyyaml_documents(data) if mode == "pyyaml" else ruamel_loader().load_all(data)
    out = sys.stdout
    for doc in documents:
        out.write(json.dumps(doc, indent=2, ensure_ascii=False, default=str))
        out.write("\n")
    out.flush()


if __name__ == "__main__":
    main()
