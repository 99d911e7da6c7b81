"""Converts a folder of YAML and TOML files to JSON lines with PySpark and dfmt: `spark_convert.py IN OUT`.

Each file becomes one line of JSON (`{"path": ..., "data": ...}`), or one line naming the error
(`{"path": ..., "error": {"code", "line", "column", "message"}}`), so a bad file never stops the job. The work is
`mapPartitions`: each task imports dfmt once and converts its files; Spark runs the tasks on its executors
(`local[2]` here: two cores of this machine; on a cluster, `spark-submit --master yarn|k8s://…` with the dfmt
wheel shipped by `--py-files` or installed on the executors' image).

Prints the number of files, the bytes read, the wall time and the throughput, then checks the result against a
serial run in this process.
"""

import json
import os
import pathlib
import sys
import time


def convert_partition(paths):
    import dfmt

    for path in paths:
        data = pathlib.Path(path).read_bytes()
        try:
            text = dfmt.convert(data, to="json", compact=True, path=path)
            yield '{"path": %s, "data": %s}' % (json.dumps(path), text.decode().rstrip("\n"))
        except dfmt.DecodeError as error:
            detail = {"code": error.code, "line": error.lineno, "column": error.colno, "message": error.msg}
            yield json.dumps({"path": path, "error": detail})


def main():
    source, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    paths = sorted(str(p) for p in source.rglob("*") if p.suffix in (".yaml", ".yml", ".toml"))
    size = sum(pathlib.Path(p).stat().st_size for p in paths)

    # The executors' Python is this one (which has dfmt), not whatever `python3` is first on the PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.master("local[2]").appName("dfmt-convert").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    start = time.perf_counter()
    rdd = spark.sparkContext.parallelize(paths, numSlices=8).mapPartitions(convert_partition)
    rdd.saveAsTextFile(str(target))
    elapsed = time.perf_counter() - start
    lines = sorted(line for part in sorted(target.glob("part-*")) for line in part.read_text().splitlines())
    spark.stop()

    serial_start = time.perf_counter()
    serial = sorted(convert_partition(paths))
    serial_elapsed = time.perf_counter() - serial_start
    assert lines == serial, "Spark's lines differ from the serial run's"
    errors = sum('"error"' in line[:200] and line.startswith('{"path"') and '"data"' not in line for line in lines)
    print(
        f"spark local[2]: {len(paths)} files, {size / 1e6:.1f} MB in {elapsed:.2f} s ({size / 1e6 / elapsed:.1f} MB/s, "
        f"job start-up included); serial in one process: {serial_elapsed:.2f} s; {errors} files with errors; "
        "the same lines"
    )


if __name__ == "__main__":
    main()
