"""JSON Schema through the module: `dfmt.validate(..., schema=...)` and `dfmt.Schema`, with python-jsonschema
as the oracle for verdicts."""

import pathlib
import pickle
import threading

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dfmt

SERVICE = {
    "type": "object",
    "required": ["name", "servers"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "servers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["host", "port"],
                "properties": {"host": {"type": "string"}, "port": {"type": "integer", "minimum": 1, "maximum": 65535}},
            },
        },
    },
}

APP = """\
name: demo
servers:
  - host: a
    port: "8080"
  - port: 70000
colour: blue
"""


def test_every_violation_with_its_position():
    with pytest.raises(dfmt.ValidationError) as caught:
        dfmt.validate(APP, "yaml", schema=SERVICE)
    error = caught.value
    assert isinstance(error, dfmt.DecodeError) and isinstance(error, ValueError)
    found = [(e.lineno, e.colno, e.keyword, e.path) for e in error.errors]
    assert found == [
        (4, 11, "type", "servers[0].port"),
        (5, 5, "required", "servers[1]"),
        (5, 11, "maximum", "servers[1].port"),
        (6, 1, "additionalProperties", None),
    ]
    first = error.errors[0]
    assert (error.msg, error.lineno, error.colno, error.code, error.kind) == (
        first.msg,
        4,
        11,
        "schema_violation",
        "schema",
    )
    assert first.msg == '"8080" is not of type "integer"'
    assert first.instance_path == "/servers/0/port"
    assert first.schema_path == "/properties/servers/items/properties/port/type"
    assert APP[first.pos : first.pos + 6] == '"8080"'
    assert error.doc == APP
    assert str(error).endswith("(and 3 more)")
    # Bytes count bytes; the error pickles with every violation.
    with pytest.raises(dfmt.ValidationError) as caught:
        dfmt.validate(("é: 1\n" + APP).encode(), "yaml", schema={"type": "object", "propertyNames": {"pattern": "^[a-z]+$"}})
    assert caught.value.errors[0].pos == 0
    again = pickle.loads(pickle.dumps(error))
    assert again.errors == error.errors and str(again) == str(error)


def test_schemas_from_text_paths_and_compiled(tmp_path: pathlib.Path):
    (tmp_path / "defs").mkdir()
    (tmp_path / "defs" / "port.toml").write_text('type = "integer"\nminimum = 1\n')
    (tmp_path / "s.yaml").write_text("properties:\n  port: {$ref: 'defs/port.toml'}\n")
    compiled = dfmt.Schema(tmp_path / "s.yaml")
    assert repr(compiled) == "<dfmt.Schema>"
    assert dfmt.validate('{"port": 1}', "json", schema=compiled) is None
    with pytest.raises(dfmt.ValidationError) as caught:
        dfmt.validate("port = 0\n", "toml", schema=compiled)
    assert caught.value.errors[0][:4] == ("0 is less than the minimum of 1", 7, 1, 8)
    # Text in any format; bool schemas.
    assert dfmt.validate("[1]", schema="type: array", ) is None
    assert dfmt.validate("[1]", schema=True) is None
    with pytest.raises(dfmt.ValidationError):
        dfmt.validate("[1]", schema=False)
    # NDJSON and YAML streams: each document on its own, numbered.
    with pytest.raises(dfmt.ValidationError) as caught:
        dfmt.validate('{"a": 1}\n[]\n"x"\n', "ndjson", schema={"type": "object"})
    assert [(e.document, e.lineno) for e in caught.value.errors] == [(1, 2), (2, 3)]
    # `format` is an annotation unless asked for.
    assert dfmt.validate('"no"', "json", schema={"format": "email"}) is None
    with pytest.raises(dfmt.ValidationError):
        dfmt.validate('"no"', "json", schema={"format": "email"}, schema_formats=True)


def test_unusable_schemas_and_hostile_arguments():
    cases = [
        ({"type": 3}, "the schema is not valid"),
        ({"$ref": "https://example.com/s.json"}, "is not fetched"),
        ("a: [1", "<schema>:1:6: unterminated flow collection"),
        (pathlib.Path("/nonexistent/schema.json"), "reading /nonexistent/schema.json"),
        ({"pattern": "("}, "the schema is not valid"),
    ]
    for schema, expected in cases:
        with pytest.raises(dfmt.SchemaError) as caught:
            dfmt.validate("{}", "json", schema=schema)
        assert expected in str(caught.value), str(caught.value)
    with pytest.raises(TypeError, match="schema must be"):
        dfmt.validate("{}", "json", schema=3.5)
    with pytest.raises(TypeError, match="schema must be"):
        dfmt.Schema(object())
    with pytest.raises(dfmt.EncodeError):
        dfmt.Schema({"a": float("nan")})
    # Invalid data is a DecodeError, not a ValidationError.
    with pytest.raises(dfmt.DecodeError) as caught:
        dfmt.validate("{", "json", schema=SERVICE)
    assert type(caught.value) is dfmt.DecodeError
    # A nested quantifier on a long string: the regex engine does not backtrack.
    with pytest.raises(dfmt.ValidationError):
        dfmt.validate('"' + "a" * 100_000 + '!"', "json", schema={"pattern": "^(a+)+$"})


def test_threads_share_a_compiled_schema():
    compiled = dfmt.Schema(SERVICE)
    failures = []

    def work():
        for i in range(200):
            try:
                dfmt.validate(APP, "yaml", schema=compiled)
                failures.append("no error")
            except dfmt.ValidationError as e:
                if len(e.errors) != 4:
                    failures.append(len(e.errors))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


# The oracle: python-jsonschema's verdict and the places it finds, on generated documents.
ORACLE_SCHEMAS = [
    SERVICE,
    {"type": "array", "items": {"type": ["integer", "string"]}, "uniqueItems": True, "maxItems": 4},
    {
        "type": "object",
        "properties": {"n": {"type": "number", "multipleOf": 0.5, "exclusiveMaximum": 100}},
        "patternProperties": {"^x": {"type": "boolean"}},
        "additionalProperties": {"type": ["null", "string"]},
    },
    {"oneOf": [{"type": "string", "maxLength": 3}, {"type": "integer", "minimum": 0}]},
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=5)
    | st.dictionaries(st.sampled_from(["name", "servers", "host", "port", "n", "x1", "y", "colour"]), inner, max_size=5),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(range(len(ORACLE_SCHEMAS))), json_values)
def test_verdicts_agree_with_python_jsonschema(which, value):
    schema = ORACLE_SCHEMAS[which]
    expected = sorted(
        "/" + "/".join(str(p) for p in e.absolute_path) if e.absolute_path else ""
        for e in jsonschema.Draft202012Validator(schema).iter_errors(value)
    )
    try:
        dfmt.validate(dfmt.dumps(value), "json", schema=schema)
        found = []
    except dfmt.ValidationError as e:
        found = sorted(v.instance_path for v in e.errors)
    assert (found == []) == (expected == []), (found, expected)
    assert sorted(set(found)) == sorted(set(expected)), (found, expected)
