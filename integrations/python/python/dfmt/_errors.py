"""The exceptions dfmt raises (defined in Python so that they pickle and subclass like the standard ones)."""

from typing import List, NamedTuple, Optional, Sequence


class DecodeError(ValueError):
    """Invalid input: where it is and what is wrong.

    Like ``json.JSONDecodeError``: ``msg`` (the message without the position), ``doc`` (the text, when a ``str``
    was read), ``pos`` (the offset where the error starts: characters into a ``str``, bytes into ``bytes``),
    ``lineno`` and ``colno`` (1-based; the column counts characters). Also ``code``, the stable name of the
    error (``"duplicate_key"``, ``"yaml_tab_indentation"``, …, the same on every dfmt surface), ``kind``, its
    class (``"syntax"``, ``"duplicate"``, …), ``path``, the key path of the value it is about
    (``"servers[0].port"``) or ``None``, and ``hint``, a fix for a common mistake or ``None``.
    """

    def __init__(
        self,
        msg: str,
        doc: Optional[str],
        pos: int,
        lineno: int,
        colno: int,
        code: str,
        path: Optional[str] = None,
        hint: Optional[str] = None,
        kind: str = "syntax",
    ) -> None:
        where = f"line {lineno} column {colno} (char {pos})"
        if path:
            where += f", at {path}"
        super().__init__(f"{msg}: {where}")
        self.msg = msg
        self.doc = doc
        self.pos = pos
        self.lineno = lineno
        self.colno = colno
        self.code = code
        self.path = path
        self.hint = hint
        self.kind = kind

    def __reduce__(self):
        return (
            self.__class__,
            (self.msg, self.doc, self.pos, self.lineno, self.colno, self.code, self.path, self.hint, self.kind),
        )


class EncodeError(TypeError, ValueError):
    """An object with no form in the target format: NaN or an infinity into JSON, ``None`` into TOML, a key that
    is not a ``str``, a type the format has no value for, a cycle, nesting past the depth limit.

    A ``TypeError`` and a ``ValueError`` both, as ``json.dumps`` raises one or the other for these. ``msg`` says
    what, ``path`` where: ``$`` is the object passed in, ``$.servers[0].port`` a value inside it.
    """

    def __init__(self, msg: str, path: str = "$") -> None:
        super().__init__(f"{msg}, at {path}")
        self.msg = msg
        self.path = path

    def __reduce__(self):
        return (self.__class__, (self.msg, self.path))


class SchemaError(ValueError):
    """A JSON Schema that cannot be used: not valid JSON, YAML or TOML, not a valid schema, or a reference that
    cannot be resolved (dfmt fetches nothing over a network)."""


class SchemaViolation(NamedTuple):
    """One place where the data breaks the schema.

    ``msg`` says how; ``pos``, ``lineno`` and ``colno`` say where (as :class:`DecodeError` does): the offending
    value, the key that holds a mapping missing a ``required`` entry, or an unexpected key. ``path`` is the key
    path (``"servers[0].port"``, ``None`` for the document itself), ``keyword`` the keyword that failed,
    ``schema_path`` where in the schema (a JSON Pointer through the references followed), ``instance_path`` where
    in the document (a JSON Pointer), ``document`` which document of a YAML stream or NDJSON (0 for the first).
    """

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
    """Data that breaks a JSON Schema: ``errors`` lists every violation (:class:`SchemaViolation`) in the order of
    the text; the exception's own message and position are the first one's, and ``code`` is
    ``"schema_violation"``."""

    def __init__(self, errors: Sequence[SchemaViolation], doc: Optional[str] = None) -> None:
        errors = [SchemaViolation(*e) for e in errors]
        first = errors[0]
        super().__init__(
            first.msg, doc, first.pos, first.lineno, first.colno, "schema_violation", first.path, None, "schema"
        )
        self.errors: List[SchemaViolation] = errors
        if len(errors) > 1:
            self.args = (f"{self.args[0]} (and {len(errors) - 1} more)",)

    def __reduce__(self):
        return (self.__class__, ([tuple(e) for e in self.errors], self.doc))
