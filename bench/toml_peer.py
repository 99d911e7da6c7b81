"""Python TOML → JSON peer for bench/compare: `python toml_peer.py FILE`, JSON to standard output.

FILE is read with the standard library's `tomllib` (Python 3.11 or later) and printed with `json.dumps(data,
indent=2)` followed by a newline, as yaml_peer.py prints a document. `ensure_ascii=False` keeps non-ASCII text as
UTF-8, as dfmt and serde_json write it. A date or time, which JSON has no type for (tomllib gives a `datetime`,
`date` or `time`), is printed as the string of its `.isoformat()`: `1979-05-27T07:32:00+00:00`, `07:32:00`.
"""

import json
import sys
import tomllib


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: toml_peer.py FILE")
    with open(sys.argv[1], "rb") as f:
        data = tomllib.load(f)
    out = sys.stdout
    out.write(json.dumps(data, indent=2, ensure_ascii=False, default=lambda value: value.isoformat()))
    out.write("\n")
    out.flush()


if __name__ == "__main__":
    main()
