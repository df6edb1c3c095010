"""The linkage engine on Spark (local mode): the same model through Splink's Spark backend.

Skipped where pyspark is not installed (it is an optional extra: `pip install -e '.[spark]'`; it needs Java).
Slow (about a minute: a JVM starts), so it runs on a few hundred records.
"""

import logging
from importlib.util import find_spec

import pytest

from refugio.linkage.engine import run_linkage
from refugio.synth.linkage import deduplication_set

pytestmark = pytest.mark.skipif(find_spec("pyspark") is None, reason="pyspark is not installed (optional extra)")


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    session = (
        SparkSession.builder.master("local[1]")
        .appName("refugio-linkage-test")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.jars", similarity_jar_location())  # Splink's Jaro-Winkler UDFs
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    logging.getLogger("py4j").setLevel(logging.ERROR)  # it logs after pytest has closed its streams
    session.sparkContext.setCheckpointDir(str(tmp_path_factory.mktemp("spark-checkpoints")))
    yield session
    session.stop()


def test_spark_backend_finds_the_duplicates(spark):
    from splink import SparkAPI

    data = deduplication_set(300, seed=2)
    result = run_linkage(data.left, threshold=0.9, database_api=SparkAPI(spark_session=spark), u_sample_pairs=1e5)
    found = {(min(p.id_a, p.id_b), max(p.id_a, p.id_b)) for p in result.pairs}
    assert len(found & data.truth) / len(found) >= 0.95
    assert len(found & data.truth) / len(data.truth) >= 0.9
    assert {"given_names", "family_names", "date_of_birth"} <= set(result.pairs[0].evidence)
