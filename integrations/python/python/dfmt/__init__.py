"""dfmt: format, validate and convert JSON, JSONC, NDJSON, YAML 1.2 and TOML 1.0 — exactly, and fast.

The work is done by dfmt's Rust core (the same one behind the ``dfmt`` command and ``dfmt serve``)::

    import dfmt
    dfmt.format('{"b":1,"a":[1,2]}')                # '{\\n  "b": 1,\\n  "a": [\\n    1,\\n    2\\n  ]\\n}\\n'
    dfmt.convert(open("ci.yaml").read(), to="json")
    dfmt.validate(text, "toml")                     # None, or raises dfmt.DecodeError
    dfmt.validate(text, "yaml", schema={"type": "object"})   # or raises dfmt.ValidationError (.errors: every one)
    dfmt.loads("n: 123456789012345678901234567890", "yaml")   # {'n': 123456789012345678901234567890}
    dfmt.dumps({"a": [1, 2.5]})                     # '{"a": [1, 2.5]}', as json.dumps(..., ensure_ascii=False)

Invalid input raises :class:`DecodeError` (a ``ValueError``) with its line, column, error code and key path; an
object with no form in the target raises :class:`EncodeError` naming where.
"""

from typing import IO, Any, Optional, Union

from ._dfmt import DETACH_ABOVE, Schema, __version__, convert, dumps, format, loads, loads_all, validate
from ._errors import DecodeError, EncodeError, SchemaError, SchemaViolation, ValidationError

__all__ = [
    "DecodeError",
    "DETACH_ABOVE",
    "EncodeError",
    "Schema",
    "SchemaError",
    "SchemaViolation",
    "ValidationError",
    "__version__",
    "convert",
    "dump",
    "dumps",
    "format",
    "load",
    "loads",
    "loads_all",
    "validate",
]


def load(fp: IO[Any], format: Optional[str] = None, *, parse_float: Any = None) -> Any:
    """Reads the file object ``fp`` (text or binary) with :func:`loads`.

    The format is ``format``, else the one the file's name (``fp.name``) ends with, else the one the text looks
    like.
    """
    data: Union[str, bytes] = fp.read()
    name = getattr(fp, "name", None)
    path = name if isinstance(name, str) else None
    return loads(data, format, parse_float=parse_float, path=path)


def dump(
    obj: Any,
    fp: IO[Any],
    format: str = "json",
    *,
    indent: Optional[int] = None,
    sort_keys: bool = False,
    compact: bool = False,
) -> None:
    """Writes ``obj`` with :func:`dumps` to the file object ``fp``: text, or UTF-8 to a binary file."""
    text = dumps(obj, format, indent=indent, sort_keys=sort_keys, compact=compact)
    if "b" in getattr(fp, "mode", ""):
        fp.write(text.encode())
    else:
        fp.write(text)
