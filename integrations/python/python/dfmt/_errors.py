"""The exceptions dfmt raises (defined in Python so that they pickle and subclass like the standard ones)."""

from typing import Optional


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
