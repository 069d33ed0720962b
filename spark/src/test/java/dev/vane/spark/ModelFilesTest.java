package dev.vane.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkFiles;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a task finds the model: a local path or file: URI, or a file shipped with SparkContext.addFile and named by its file name. */
class ModelFilesTest {
    @TempDir
    Path dir;

    @Test
    void aLocalPathOrFileUriIsUsedAsItIs() throws Exception {
        Path f = Files.writeString(dir.resolve("m.gguf"), "x");
        assertEquals(f.toAbsolutePath(), ModelFiles.resolve(f.toString()));
        assertEquals(f.toAbsolutePath(), ModelFiles.resolve(f.toUri().toString()));
    }

    @Test
    void remoteUrisAndMissingFilesAreRefusedNamingWhatWasTried() {
        IllegalArgumentException remote = assertThrows(IllegalArgumentException.class, () -> ModelFiles.resolve("hdfs://nn:8020/models/m.gguf"));
        assertTrue(remote.getMessage().contains("is a hdfs: URI") && remote.getMessage().contains("SparkContext.addFile(\"hdfs://nn:8020/models/m.gguf\")")
                && remote.getMessage().contains("(m.gguf)"), remote.getMessage());
        LocalSpark.session();  // SparkFiles is looked up too once there is a SparkEnv
        String missing = dir.resolve("absent.gguf").toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFiles.resolve(missing));
        assertTrue(e.getMessage().contains("tried " + missing) && e.getMessage().contains("SparkFiles.get"), e.getMessage());
    }

    @Test
    void aModelShippedWithAddFileIsFoundByItsName() throws Exception {
        Path shipped = Files.copy(LocalSpark.modelFile(), dir.resolve("shipped-model.gguf"));
        LocalSpark.session().sparkContext().addFile(shipped.toString());
        Files.delete(shipped);  // only Spark's copy is left
        assertEquals(Path.of(SparkFiles.get("shipped-model.gguf")), ModelFiles.resolve("shipped-model.gguf"));
        StructType schema = new StructType().add("prompt", DataTypes.StringType);
        List<Row> out = new VaneGenerator().setModelPath("shipped-model.gguf").setMaxTokens(4)
                .transform(LocalSpark.session().createDataFrame(List.of(RowFactory.create("In the beginning")), schema)).collectAsList();
        assertEquals(1, out.size());
        assertEquals(1, ExecutorModels.loads(ModelSpec.of("shipped-model.gguf")));
    }
}
