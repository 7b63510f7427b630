package ${{ values.javaPackage }};

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WordCountJobTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[1]").appName("test")
            .config("spark.ui.enabled", "false").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void countsWordsCaseInsensitivelyMostFrequentFirst() {
        var lines = spark.createDataset(List.of("The cat", "the dog, the END", ""), Encoders.STRING());
        List<Row> counts = WordCountJob.countWords(lines).collectAsList();
        assertEquals("the", counts.get(0).getString(0));
        assertEquals(3L, counts.get(0).getLong(1));
        assertEquals(4, counts.size());
    }
}
