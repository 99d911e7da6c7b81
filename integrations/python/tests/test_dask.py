"""dfmt inside Dask: a bag of YAML documents converted to NDJSON on a two-process LocalCluster, against the serial
run; an invalid document's DecodeError reaches the caller with its attributes (it pickles across processes)."""

import pytest

import dfmt

distributed = pytest.importorskip("distributed")
bag = pytest.importorskip("dask.bag")


def documents(n):
    """Varied YAML documents: mappings, lists, anchors and merge keys, block scalars, numbers of every kind."""
    out = []
    for i in range(n):
        out.append(
            f"id: {i}\n"
            f"name: service-{i}\n"
            f"base: &base {{replicas: {i % 5}, image: 'app:{i}'}}\n"
            f"deploy:\n  <<: *base\n  ports: [{8000 + i % 100}, 0x1F, 1e3]\n"
            f"notes: |\n  line one of {i}\n  line two\n"
            f"enabled: {'true' if i % 2 else 'false'}\n"
        )
    return out


def to_ndjson(text):
    return dfmt.convert(text, to="ndjson", from_="yaml")


def test_a_bag_of_yaml_documents_to_ndjson_on_two_workers():
    docs = documents(10_000)
    serial = [to_ndjson(d) for d in docs]
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        parallel = bag.from_sequence(docs, npartitions=16).map(to_ndjson).compute()
        assert parallel == serial
        with pytest.raises(dfmt.DecodeError) as raised:
            bag.from_sequence(["a: 1", "a: [1,\n"], npartitions=2).map(to_ndjson).compute()
        assert raised.value.code and raised.value.lineno == 2
    assert serial[3].startswith('{"id":3,"name":"service-3","base":{"replicas":3,"image":"app:3"}')
    assert len(serial) == 10_000 and all(line.endswith("\n") and line.count("\n") == 1 for line in serial)
