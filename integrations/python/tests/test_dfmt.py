"""The Python module against the shared vectors and against the standard library's readers as oracles.

Run by `scripts/test-python` (the README's test command runs it): the module is installed with pip into a
fresh virtual environment first. Tests that read ../shared find it there or at $DFMT_SHARED; with CI=true a
missing folder fails them, elsewhere they are skipped loudly.
"""

import decimal
import json
import math
import os
import pathlib
import pickle
import sys
import threading

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import dfmt

ROOT = pathlib.Path(__file__).resolve().parents[3]
VECTORS = json.loads((ROOT / "tests" / "vectors" / "vectors.json").read_text(encoding="utf-8"))


def shared() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("DFMT_SHARED") or ROOT.parent / "shared")
    if not (path / "conformance").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path}/conformance is missing (CI=true)")
        pytest.skip(f"SKIPPED LOUDLY: {path}/conformance is missing; set DFMT_SHARED")
    return path / "conformance"


def run_vector(vector, data):
    options = vector.get("options", {})
    indent = options.get("indent", 2)
    kwargs = {"sort_keys": options.get("sort_keys", False)}
    if indent == "tab":
        kwargs["tab"] = True
    else:
        kwargs["indent"] = indent
    action = vector["action"]
    if action == "format":
        return dfmt.format(data, vector["from"], **kwargs)
    if action == "minify":
        return dfmt.format(data, vector["from"], compact=True, **kwargs)
    if action == "convert":
        return dfmt.convert(data, to=vector["to"], from_=vector["from"], **kwargs)
    assert action == "validate"
    return dfmt.validate(data, vector["from"])


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_shared_vectors(vector):
    """The same bytes, or the same code, message, line and column, as the CLI, the service and the page."""
    for data in (vector["input"], vector["input"].encode()):
        if "error" in vector:
            with pytest.raises(dfmt.DecodeError) as raised:
                run_vector(vector, data)
            error, want = raised.value, vector["error"]
            assert (error.code, error.msg, error.lineno, error.colno) == (
                want["code"],
                want["message"],
                want["line"],
                want["column"],
            )
        elif vector["action"] == "validate":
            assert run_vector(vector, data) is None
        else:
            out = run_vector(vector, data)
            expected = vector["output"] if isinstance(data, str) else vector["output"].encode()
            assert type(out) is type(data) and out == expected


def test_error_attributes_match_json_decode_error():
    text = '{"a": 1,\n "é": tru}'
    with pytest.raises(dfmt.DecodeError) as raised:
        dfmt.loads(text)
    with pytest.raises(json.JSONDecodeError) as std:
        json.loads(text)
    error = raised.value
    assert isinstance(error, ValueError)
    assert (error.lineno, error.colno, error.pos) == (std.value.lineno, std.value.colno, std.value.pos)
    assert error.doc == text and text[error.pos :].startswith("tru")
    assert error.code == "invalid_literal" and error.kind == "syntax"
    assert str(error).startswith(error.msg) and "line 2 column 7 (char 15)" in str(error)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.lineno, copy.colno, copy.pos, copy.msg) == ("invalid_literal", 2, 7, 15, error.msg)
    with pytest.raises(dfmt.DecodeError) as raised:
        dfmt.loads(text.encode())
    assert raised.value.doc is None and raised.value.pos == len('{"a": 1,\n "é": '.encode())


def test_errors_carry_the_key_path_and_hint():
    with pytest.raises(dfmt.DecodeError) as raised:
        dfmt.validate("servers:\n  - port: 1\n    port: 2\n", "yaml")
    assert raised.value.code == "duplicate_key" and raised.value.path == "servers[0].port"
    with pytest.raises(dfmt.DecodeError) as raised:
        dfmt.validate('{"a": 1 // note\n}', "json")
    assert raised.value.hint and 'format="jsonc"' in raised.value.hint


def test_hostile_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="unknown format"):
        dfmt.format("{}", "x" * 100_000)
    with pytest.raises(ValueError, match="indent must be 0 to 16"):
        dfmt.format("{}", indent=-(2**62))
    with pytest.raises(OverflowError):
        dfmt.format("{}", indent=2**80)
    with pytest.raises(TypeError, match="data must be str, bytes"):
        dfmt.format(["{}"])
    with pytest.raises(ValueError, match="unknown format"):
        dfmt.convert("{}", to="\x00")
    with pytest.raises(UnicodeEncodeError):
        dfmt.format('"\ud800"')  # a lone surrogate has no UTF-8 form
    with pytest.raises(TypeError, match="parse_float must be callable, not int"):
        dfmt.loads("[1]", parse_float=3)
    with pytest.raises(TypeError, match="parse_float must be callable"):
        dfmt.loads_all("1\n", "ndjson", parse_float="x")
    assert dfmt.loads("[1.5]", parse_float=None) == [1.5]
    with pytest.raises(OverflowError):
        dfmt.dumps([], indent=2**70)
    # A path whose extension names no format: the text decides.
    assert dfmt.format("[1]", path="/dev/null/\x01.weird") == "[\n  1\n]\n"


def test_limits_hold():
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(dfmt.DecodeError) as raised:
        dfmt.loads(deep)
    assert raised.value.code == "depth_limit"
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    with pytest.raises(dfmt.DecodeError) as raised:
        dfmt.loads(bomb, "yaml")
    assert raised.value.code in ("alias_limit", "alias_bytes_limit")


def test_input_types_and_answer_types():
    assert dfmt.format(b"[1]", compact=True) == b"[1]\n"
    assert dfmt.format(bytearray(b"[1]"), compact=True) == b"[1]\n"
    assert dfmt.format(memoryview(b"[1]"), compact=True) == b"[1]\n"
    assert dfmt.format("[1]", compact=True) == "[1]\n"
    assert dfmt.format("a = 1\n", path=pathlib.Path("x.toml")) == "a = 1\n"
    assert dfmt.convert("a: 1\n", to="toml") == "a = 1\n"


class _Text(str):
    """A `str` subclass: read like any `str`."""


@pytest.mark.parametrize("text", ["", "ascii", "é", "日本語", "😀 astral", "a" * 100_000 + "é", "\x00\x7f"])
def test_str_is_read_like_its_utf8(text):
    # From Python 3.10 a `str` is read in place (its UTF-8 lent by the interpreter), on 3.9 through a copy.
    doc = json.dumps({"k": text, "n": [1, 2.5]}, ensure_ascii=False)
    before = str(doc)
    assert dfmt.loads(doc) == dfmt.loads(doc.encode()) == json.loads(doc)
    assert dfmt.loads(_Text(doc)) == json.loads(doc)
    assert dfmt.format(doc) == dfmt.format(doc.encode()).decode()
    assert dfmt.convert(doc, to="yaml") == dfmt.convert(doc.encode(), to="yaml").decode()
    assert doc == before
    with pytest.raises(dfmt.DecodeError) as raised:
        dfmt.loads(doc + "]")
    assert raised.value.pos == len(doc)


def _big_value():
    """A value whose JSON is past the size at which `loads` reads on a thread of its own (in chunks)."""
    return [
        {"id": i, "name": f"n\u00e9\"{i}\\", "x": i / 7, "big": 10**30 + i, "ok": i % 2 == 0, "none": None,
         "tags": ["a", "日本", "😀"], "nested": {"k": [i, [i, {"d": -i}]]}}
        for i in range(3000)
    ]


def test_large_texts_read_on_a_thread_equal_small_ones():
    value = _big_value()
    text = json.dumps(value, ensure_ascii=False)
    assert len(text.encode()) > 2 * 128 * 1024
    assert dfmt.loads(text) == dfmt.loads(text.encode()) == json.loads(text)
    # Decimal floats, the literal handed over as it was read.
    parsed = dfmt.loads(text, parse_float=decimal.Decimal)
    assert parsed[7]["x"] == decimal.Decimal(json.dumps(7 / 7))
    # YAML: quoted and block scalars are decoded by the reader and copied into the chunks; aliases expanded.
    yaml_text = "base: &b {k: 'it''s', t: \"tab\\there\"}\nitems:\n" + "".join(
        f"  - {{n: {i}, s: \"q\\u00e9{i}\", p: plain {i}, r: *b}}\n" for i in range(6000)
    )
    loaded = dfmt.loads(yaml_text, "yaml")
    assert loaded["items"][5999] == {"n": 5999, "s": "qé5999", "p": "plain 5999", "r": {"k": "it's", "t": "tab\there"}}
    lines = "\n".join(json.dumps(v) for v in value) + "\n"
    assert dfmt.loads(lines, "ndjson") == value
    # Several callers at once, each with its reader thread.
    results = []
    threads = [threading.Thread(target=lambda: results.extend(dfmt.loads(text) for _ in range(3))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 12 and all(result == value for result in results)


def test_large_texts_fail_as_small_ones():
    text = json.dumps(_big_value())
    bad = text[:-1] + ",]"
    with pytest.raises(dfmt.DecodeError) as raised:
        dfmt.loads(bad)
    with pytest.raises(dfmt.DecodeError) as small:
        dfmt.loads("[1,]")
    # Where the small text's error is: at the comma that no value follows.
    assert small.value.pos == 2
    assert (raised.value.pos, raised.value.lineno, raised.value.colno) == (len(bad) - 2, 1, len(bad) - 1)

    calls = []

    def fails_late(literal):
        calls.append(literal)
        if len(calls) == 2500:
            raise ArithmeticError("no more floats")
        return float(literal)

    with pytest.raises(ArithmeticError, match="no more floats"):
        dfmt.loads(text, parse_float=fails_late)
    assert len(calls) == 2500
    two = "a: 1\n---\n" + "b: [" + ", ".join(str(i) for i in range(40000)) + "]\n"
    with pytest.raises(ValueError, match="holds 2 documents"):
        dfmt.loads(two, "yaml")


def test_loads_values():
    got = dfmt.loads('{"big": 123456789012345678901234567890, "neg": -9223372036854775809, "f": [1.5, -0.0, 1e400]}')
    assert got == {"big": 123456789012345678901234567890, "neg": -9223372036854775809, "f": [1.5, -0.0, math.inf]}
    assert math.copysign(1, got["f"][1]) == -1
    assert dfmt.loads('{"x": 1.10, "y": 1}', parse_float=decimal.Decimal) == {"x": decimal.Decimal("1.10"), "y": 1}
    assert list(dfmt.loads('{"b": 1, "a": 2, "c": 3}')) == ["b", "a", "c"]
    assert dfmt.loads('{"a": 1, "a": 2}') == json.loads('{"a": 1, "a": 2}')
    assert dfmt.loads("a: 0x1F\nb: 0o17\nc: .5\nd: ~\ne: [true, 'x']\n", "yaml") == {
        "a": 31,
        "b": 15,
        "c": 0.5,
        "d": None,
        "e": [True, "x"],
    }
    assert dfmt.loads("1\n2\n[3]\n", "ndjson") == [1, 2, [3]]
    assert list(dfmt.loads_all("a\n---\nb\n", "yaml")) == ["a", "b"]
    with pytest.raises(ValueError, match="loads_all"):
        dfmt.loads("a\n---\nb\n", "yaml")
    with pytest.raises(ZeroDivisionError):
        dfmt.loads("[1.5]", parse_float=lambda s: 1 / 0)


def test_toml_like_tomllib():
    tomllib = pytest.importorskip("tomllib")
    text = (
        "d = 1979-05-27T00:32:00.999999-07:00\nu = 1979-05-27T07:32:00Z\nl = 1979-05-27 07:32:00.5\n"
        "ld = 1979-05-27\nlt = 07:32:00.123456789\nf = -inf\nh = 0xDEAD_BEEF\no = 0o755\nb = 0b11\n"
        "n = 1_000\nx = 6.626e-34\n[t]\ns = '''\nmulti\n'''\n"
    )
    assert dfmt.loads(text, "toml") == tomllib.loads(text)


def test_json_test_suite_like_json_loads():
    folder = shared() / "json" / "parsing"
    files = sorted(folder.glob("*.json"))
    assert len(files) > 300
    accepted = rejected = 0
    for file in files:
        data = file.read_bytes()
        if file.name.startswith("y_"):
            try:
                want = json.loads(data)
            except (ValueError, RecursionError):
                continue  # beyond what the standard library reads (deep nesting)
            got = dfmt.loads(data)
            assert json.dumps(got, sort_keys=False) == json.dumps(want), file.name
            accepted += 1
        elif file.name.startswith("n_"):
            with pytest.raises(dfmt.DecodeError):
                dfmt.loads(data)
            rejected += 1
    assert accepted > 90 and rejected > 180


def test_toml_suite_like_tomllib():
    tomllib = pytest.importorskip("tomllib")
    folder = shared() / "toml"
    files = sorted(p for p in folder.rglob("*.toml") if "/valid/" in str(p))
    assert files, folder
    compared = 0
    for file in files:
        data = file.read_bytes()
        try:
            want = tomllib.loads(data.decode())
        except (ValueError, UnicodeDecodeError):
            continue  # TOML 1.1 syntax that Python's tomllib (TOML 1.0) refuses
        got = dfmt.loads(data, "toml")
        assert repr(got) == repr(want) or got == want, file
        compared += 1
    assert compared > 150


def test_yaml_suite_like_its_json():
    folder = shared() / "yaml"
    compared = 0
    for case in sorted(folder.rglob("in.yaml")):
        expected = case.with_name("in.json")
        if not expected.exists() or (case.parent / "error").exists():
            continue
        want = [json.loads(line) for line in _json_stream(expected.read_text(encoding="utf-8"))]
        try:
            got = list(dfmt.loads_all(case.read_bytes(), "yaml"))
        except dfmt.DecodeError as error:
            # JSON's rules refuse what JSON cannot hold (a complex key, a foreign tag): not a disagreement.
            assert error.kind in ("not_representable",), (case, error)
            continue
        assert got == want, case
        compared += 1
    assert compared > 200


def _json_stream(text):
    """The JSON texts of a yaml-test-suite in.json, which may hold several, one after another."""
    decoder = json.JSONDecoder()
    at, out = 0, []
    while True:
        while at < len(text) and text[at] in " \t\r\n":
            at += 1
        if at >= len(text):
            return out
        value, at = decoder.raw_decode(text, at)
        out.append(json.dumps(value))


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_loads_reads_what_json_dumps_writes(value):
    text = json.dumps(value, ensure_ascii=False)
    assert dfmt.loads(text) == value
    assert dfmt.loads(text.encode()) == value
    assert dfmt.loads(dfmt.format(text)) == value
    assert dfmt.loads(dfmt.convert(text, to="yaml", from_="json"), "yaml") == value


def test_many_threads():
    big = json.dumps([{"k": i, "v": "x" * 50} for i in range(2000)])  # above DETACH_ABOVE: runs without the GIL
    assert len(big) > dfmt.DETACH_ABOVE
    expected = dfmt.format(big)
    failures = []

    def work():
        try:
            for i in range(1000):
                if i % 50 == 0:
                    assert dfmt.format(big) == expected
                assert dfmt.loads('{"a": [1, 2]}') == {"a": [1, 2]}
                try:
                    dfmt.validate("[1,", "json")
                except dfmt.DecodeError as error:
                    assert error.code == "expected_value_after_comma"
        except Exception as error:  # noqa: BLE001 — collected and reported below
            failures.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_load_from_files(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("a = 1979-05-27\n")
    with open(path, "rb") as fp:
        assert str(dfmt.load(fp)["a"]) == "1979-05-27"
    with open(path) as fp:
        assert str(dfmt.load(fp)["a"]) == "1979-05-27"


def test_help_reads_well():
    for function in (dfmt.format, dfmt.convert, dfmt.validate, dfmt.loads, dfmt.loads_all, dfmt.load, dfmt.dumps, dfmt.dump):
        assert function.__doc__ and len(function.__doc__) > 80, function
    assert dfmt.__version__ and sys.version_info >= (3, 9)


@settings(max_examples=400, deadline=None)
@given(json_values, st.sampled_from([None, 0, 2, 4]), st.booleans())
def test_dumps_equals_json_dumps(value, indent, sort_keys):
    want = json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sort_keys)
    assert dfmt.dumps(value, indent=indent, sort_keys=sort_keys) == want
    compact = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)
    assert dfmt.dumps(value, compact=True, sort_keys=sort_keys) == compact


@settings(max_examples=2000, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_are_written_as_repr(x):
    assert dfmt.dumps(x) == repr(x)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_loads_dumps_round_trip_in_every_format(value):
    assert dfmt.loads(dfmt.dumps(value)) == value
    assert dfmt.loads(dfmt.dumps(value, "yaml"), "yaml") == value
    table = {"v": value}
    if toml_can_hold(value):
        assert dfmt.loads(dfmt.dumps(table, "toml"), "toml") == table
    else:
        with pytest.raises(dfmt.EncodeError):
            dfmt.dumps(table, "toml")


@settings(max_examples=500, deadline=None)
@given(json_values)
def test_yaml_output_reads_the_same_in_a_yaml_1_1_reader(value):
    """PyYAML reads YAML 1.1, as Ansible and older Kubernetes tools do: dfmt's YAML must mean the same there
    (`1e-07` is a string to it, `1.0e-07` a float; `yes` a boolean, `"yes"` a string)."""
    text = json.dumps(value, ensure_ascii=False)
    assert yaml.load(dfmt.convert(text, to="yaml", from_="json"), Loader=yaml.SafeLoader) == value
    assert yaml.load(dfmt.dumps(value, "yaml"), Loader=yaml.SafeLoader) == value


def test_yaml_floats_for_yaml_1_1_readers():
    text = "[1e-07, 1E5, 2.5e10, -0.5e+3, 1.5, 10]"
    out = dfmt.convert(text, to="yaml", from_="json")
    assert out == "- 1.0e-07\n- 1.0E+5\n- 2.5e+10\n- -0.5e+3\n- 1.5\n- 10\n"
    assert yaml.load(out, Loader=yaml.SafeLoader) == json.loads(text)
    # YAML formatted as YAML keeps the author's spelling.
    assert dfmt.format("- 1e-07\n", "yaml") == "- 1e-07\n"


def toml_can_hold(value):
    """TOML has no null, and its integers are 64-bit."""
    if value is None:
        return False
    if isinstance(value, int) and not isinstance(value, bool):
        return -(2**63) <= value < 2**63
    if isinstance(value, list):
        return all(map(toml_can_hold, value))
    if isinstance(value, dict):
        return all(map(toml_can_hold, value.values()))
    return True


def test_dumps_big_and_special_numbers():
    assert dfmt.dumps([10**100, -(10**100), 2**63, -(2**63) - 1]) == json.dumps([10**100, -(10**100), 2**63, -(2**63) - 1])
    assert dfmt.dumps([True, False, 1.0, -0.0, 1e16, 1e-5, 5e-324]) == json.dumps([True, False, 1.0, -0.0, 1e16, 1e-5, 5e-324])
    # A tie between two shortest spellings: Python's repr takes the even one (found by Hypothesis).
    assert dfmt.dumps(562949953421312.25) == repr(562949953421312.25) == "562949953421312.2"
    assert dfmt.dumps({"f": math.inf}, "yaml") == "f: .inf\n"
    assert dfmt.dumps({"f": -math.inf, "n": math.nan}, "toml") == "f = -inf\nn = nan\n"


def test_dumps_dates_into_toml_and_back():
    import datetime

    table = {
        "dt": datetime.datetime(1979, 5, 27, 7, 32, 0, 999999, tzinfo=datetime.timezone(datetime.timedelta(hours=-7))),
        "local": datetime.datetime(1979, 5, 27, 7, 32),
        "d": datetime.date(1979, 5, 27),
        "t": datetime.time(7, 32, 0, 5),
    }
    assert dfmt.loads(dfmt.dumps(table, "toml"), "toml") == table


def test_encode_errors_name_where():
    cases = [
        ({"a": [1, math.nan]}, "json", "$.a[1]", "nan has no form in JSON"),
        ({"a": {"b c": None}}, "toml", '$.a["b c"]', "None has no form in TOML"),
        ({"a": {1: 2}}, "json", "$.a", "a key must be a str, not int"),
        ({"x": {1, 2}}, "yaml", "$.x", "set has no form in YAML"),
        ([1], "toml", "$", "a TOML document is a table"),
        ({"t": __import__("datetime").date(2020, 1, 1)}, "json", "$.t", "date has no form in JSON"),
        ({"s": "\ud800"}, "json", "$.s", "lone surrogate"),
    ]
    for obj, target, path, message in cases:
        with pytest.raises(dfmt.EncodeError) as raised:
            dfmt.dumps(obj, target)
        assert raised.value.path == path and message in raised.value.msg, (obj, raised.value)
        assert isinstance(raised.value, ValueError) and isinstance(raised.value, TypeError)
        copy = pickle.loads(pickle.dumps(raised.value))
        assert (copy.msg, copy.path) == (raised.value.msg, raised.value.path)
    cycle = []
    cycle.append(cycle)
    with pytest.raises(dfmt.EncodeError, match="circular"):
        dfmt.dumps(cycle)
    deep = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(dfmt.EncodeError, match="nesting deeper than 1024"):
        dfmt.dumps(deep, "yaml")
    with pytest.raises(ValueError, match="indent must be 0 to 16"):
        dfmt.dumps({}, indent=10**6)
    with pytest.raises(ValueError, match="unknown format"):
        dfmt.dumps({}, "xml")
    with pytest.raises(TypeError, match="NDJSON is a list"):
        dfmt.dumps({}, "ndjson")


def test_dump_to_text_and_binary_files(tmp_path):
    path = tmp_path / "x.json"
    with open(path, "w") as fp:
        dfmt.dump({"é": 1}, fp)
    with open(path, "ab") as fp:
        dfmt.dump([2], fp, indent=2)
    assert path.read_text(encoding="utf-8") == '{"é": 1}[\n  2\n]'


def test_loads_all_is_lazy_and_positions_errors():
    lines = "".join(f'{{"n": {i}}}\n' for i in range(3)) + '{"n": tru}\n{"n": 5}\n'
    documents = dfmt.loads_all(lines, "ndjson")
    assert [next(documents) for _ in range(3)] == [{"n": 0}, {"n": 1}, {"n": 2}]
    with pytest.raises(dfmt.DecodeError) as raised:
        next(documents)
    assert (raised.value.lineno, raised.value.colno, raised.value.code) == (4, 7, "invalid_literal")
    assert list(documents) == []
    stream = "a: 1\n---\nb: [x, *nope]\n"
    documents = dfmt.loads_all(stream, "yaml")
    with pytest.raises(dfmt.DecodeError) as raised:
        list(documents)
    assert raised.value.lineno == 3


def test_loads_all_holds_one_document_at_a_time():
    import tracemalloc

    line = json.dumps({"id": 1, "tags": ["x"] * 20, "text": "y" * 200}) + "\n"
    data = (line * 20_000).encode()
    tracemalloc.start()
    count = 0
    for document in dfmt.loads_all(data, "ndjson"):
        count += 1
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 20_000
    assert peak < 1_000_000, peak  # all the documents' objects at once would be over 20 MB


def test_loads_all_stops_its_reader_when_dropped():
    for _ in range(200):
        documents = dfmt.loads_all("1\n" * 10_000, "ndjson")
        assert next(documents) == 1
        del documents
    # The readers are dfmt's threads, not Python's: count the process's.
    import time

    for _ in range(100):
        if len(os.listdir("/proc/self/task")) < 20:
            break
        time.sleep(0.05)
    assert len(os.listdir("/proc/self/task")) < 20


def test_the_gil_is_released_while_the_core_works():
    """While a worker thread validates a large text, this thread keeps running: the longest pause between two of
    its steps stays far below the call's length (with the GIL held it would span the whole call, as `loads`, which
    makes Python objects and so must hold it, shows). `bytes`, so that no copy in or out holds the GIL."""
    import time

    big = json.dumps([{"k": i, "v": "x" * 100} for i in range(400_000)]).encode()  # about 50 MB

    def longest_pause(call):
        done = threading.Event()
        thread = threading.Thread(target=lambda: (call(), done.set()))
        start = last = time.perf_counter()
        longest = 0.0
        thread.start()
        while not done.is_set():
            now = time.perf_counter()
            longest, last = max(longest, now - last), now
        # A GIL held from the start keeps this thread out of the loop until the call ends: count that wait too.
        longest = max(longest, time.perf_counter() - last)
        thread.join()
        return longest, time.perf_counter() - start

    pause, length = longest_pause(lambda: dfmt.validate(big))
    assert pause < length / 3, (pause, length)
    pause, length = longest_pause(lambda: dfmt.loads(big))
    assert pause > length / 2, (pause, length)  # the control: the measure sees a held GIL
