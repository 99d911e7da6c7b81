from os import PathLike
from typing import IO, Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Sequence, TypeVar, Union

Data = TypeVar("Data", str, bytes)
Path = Union[str, "PathLike[str]"]
Buffer = Union[str, bytes, bytearray, memoryview]

__version__: str
DETACH_ABOVE: int

class DecodeError(ValueError):
    msg: str
    doc: Optional[str]
    pos: int
    lineno: int
    colno: int
    code: str
    path: Optional[str]
    hint: Optional[str]
    kind: str
    def __init__(
        self,
        msg: str,
        doc: Optional[str],
        pos: int,
        lineno: int,
        colno: int,
        code: str,
        path: Optional[str] = ...,
        hint: Optional[str] = ...,
        kind: str = ...,
    ) -> None: ...

class EncodeError(TypeError, ValueError):
    msg: str
    path: str
    def __init__(self, msg: str, path: str = ...) -> None: ...

class SchemaError(ValueError): ...

class SchemaViolation(NamedTuple):
    msg: str
    pos: int
    lineno: int
    colno: int
    path: Optional[str]
    keyword: str
    schema_path: str
    instance_path: str
    document: int

class ValidationError(DecodeError):
    errors: List[SchemaViolation]
    def __init__(self, errors: Sequence[SchemaViolation], doc: Optional[str] = ...) -> None: ...

def format(
    data: Data,
    format: Optional[str] = None,
    *,
    indent: int = 2,
    tab: bool = False,
    compact: bool = False,
    sort_keys: bool = False,
    path: Optional[Path] = None,
) -> Data:
    """Formats ``data`` in its own format; returns the same type (``str`` or ``bytes``)."""

def convert(
    data: Data,
    *,
    to: str,
    from_: Optional[str] = None,
    indent: int = 2,
    tab: bool = False,
    compact: bool = False,
    sort_keys: bool = False,
    path: Optional[Path] = None,
) -> Data:
    """Converts ``data`` to the format ``to``; returns the same type (``str`` or ``bytes``)."""

class Schema:
    """A compiled JSON Schema (drafts 4, 6, 7, 2019-09, 2020-12): from a dict or bool, its text (JSON, YAML or
    TOML), or a path. Nothing is fetched over a network. Raises :class:`SchemaError` if unusable."""

    def __init__(
        self,
        schema: Union["Schema", Dict[str, Any], bool, str, bytes, "PathLike[str]"],
        *,
        format: Optional[str] = None,
        formats: bool = False,
    ) -> None: ...

def validate(
    data: Buffer,
    format: Optional[str] = None,
    *,
    path: Optional[Path] = None,
    schema: Union[Schema, Dict[str, Any], bool, str, bytes, "PathLike[str]", None] = None,
    schema_formats: bool = False,
) -> None:
    """Returns ``None`` if ``data`` is valid (and matches ``schema``), else raises :class:`DecodeError` or
    :class:`ValidationError` (every violation in ``errors``)."""

def loads(
    data: Buffer,
    format: Optional[str] = "json",
    *,
    parse_float: Optional[Callable[[str], Any]] = None,
    path: Optional[Path] = None,
) -> Any:
    """Reads ``data`` into plain Python objects."""

def loads_all(
    data: Buffer,
    format: Optional[str] = None,
    *,
    parse_float: Optional[Callable[[str], Any]] = None,
    path: Optional[Path] = None,
) -> Iterator[Any]:
    """Every document of a YAML stream, or every line of NDJSON."""

def load(fp: IO[Any], format: Optional[str] = None, *, parse_float: Optional[Callable[[str], Any]] = None) -> Any:
    """Reads the file object ``fp`` with :func:`loads`."""

def dumps(
    obj: Any, format: str = "json", *, indent: Optional[int] = None, sort_keys: bool = False, compact: bool = False
) -> str:
    """Writes ``obj`` as JSON (as ``json.dumps(obj, ensure_ascii=False)``), YAML, TOML or NDJSON."""

def dump(
    obj: Any,
    fp: IO[Any],
    format: str = "json",
    *,
    indent: Optional[int] = None,
    sort_keys: bool = False,
    compact: bool = False,
) -> None:
    """Writes ``obj`` with :func:`dumps` to ``fp``."""
