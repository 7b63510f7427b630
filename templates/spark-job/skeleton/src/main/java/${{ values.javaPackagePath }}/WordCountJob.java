package ${{ values.javaPackage }};

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.split;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * ${{ values.name }}: counts the words of the text files at the input path and
 * writes the counts as Parquet to the output path.
 */
public final class WordCountJob {
    private WordCountJob() {}

    /** Words of the lines, lower-cased, with how often each occurs; most frequent first. */
    public static Dataset<Row> countWords(Dataset<String> lines) {
        return lines
            .select(explode(split(lower(col("value")), "[^\\p{L}\\p{N}']+")).as("word"))
            .filter(col("word").notEqual(""))
            .groupBy("word")
            .count()
            .orderBy(col("count").desc(), col("word"));
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: WordCountJob <input path> <output path>");
            System.exit(2);
        }
        SparkSession spark = SparkSession.builder().appName("${{ values.name }}").getOrCreate();
        try {
            countWords(spark.read().textFile(args[0])).write().mode("overwrite").parquet(args[1]);
        } finally {
            spark.stop();
        }
    }
}
