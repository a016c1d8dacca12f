"""The README's Spark recipe (mapInPandas), run on a local Spark session.

Skipped when pyspark (or Java) is not installed: pyspark is a ~300 MB
download, so it is not in the ``test`` extra; CI installs it separately.
"""

from __future__ import annotations

import shutil

import khabar
import numpy as np
import pytest

pyspark_sql = pytest.importorskip("pyspark.sql")
pd = pytest.importorskip("pandas")
pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java")


def test_map_in_pandas_recipe_predicts_like_local():
    texts = [
        f"{t} رقم {i}" for i, t in enumerate(["المنتخب يفوز بالمباراة", "البورصة ترتفع اليوم"] * 60)
    ]
    labels = ["sport", "economy"] * 60
    clf = khabar.TopicClassifier(max_features=200, random_state=0).fit(texts, labels)
    spark = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("khabar-test")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    try:
        # the recipe: ship the model bytes once, load once per task
        model_bytes = spark.sparkContext.broadcast(clf.to_bytes())

        def predict(batches):
            model = khabar.TopicClassifier.from_bytes(model_bytes.value)
            for pdf in batches:
                yield pdf.assign(topic=model.predict(pdf["text"]))

        df = spark.createDataFrame(pd.DataFrame({"id": range(len(texts)), "text": texts}))
        out = (
            df.repartition(3)
            .mapInPandas(predict, schema="id long, text string, topic string")
            .toPandas()
            .sort_values("id")
        )
    finally:
        spark.stop()
    np.testing.assert_array_equal(out["topic"].to_numpy(), clf.predict(texts))
