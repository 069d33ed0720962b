package dev.vane.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.GenerationOptions;
import dev.vane.model.Model;
import dev.vane.model.Session;
import dev.vane.model.SessionOptions;
import dev.vane.model.chat.ChatMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Rows that are not plain prompts: a prompt too long for the context (an error value, or the task
 * fails, as onTooLong says), a null prompt, and conversations (arrays of role / content structs)
 * rendered in the model's chat format as Session.chat renders them.
 */
class GeneratorRowsTest {
    static final int CONTEXT = 24, MAX_TOKENS = 8;

    static Dataset<Row> frame(String... prompts) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < prompts.length; i++) rows.add(RowFactory.create(i, prompts[i]));
        StructType schema = new StructType().add("id", DataTypes.IntegerType, false).add("prompt", DataTypes.StringType, true);
        return LocalSpark.session().createDataFrame(rows, schema).coalesce(1);
    }

    static VaneGenerator generator() {
        return new VaneGenerator().setModelPath(LocalSpark.modelFile().toString()).setMaxTokens(MAX_TOKENS).setContextLength(CONTEXT).setBatchSize(2);
    }

    static String alone(String prompt) {
        Model m = LocalSpark.reference();
        try (Session s = m.newSession(SessionOptions.defaults(m.config()).withContextLength(CONTEXT))) {
            return s.generate(prompt, GenerationOptions.greedy(MAX_TOKENS)).text();
        }
    }

    static String longPrompt() {
        String verse = LocalSpark.prompts(1, 200).get(0);
        int n = LocalSpark.reference().tokenizer().encode(verse, true).length;
        assertTrue(n > CONTEXT, "the long prompt has " + n + " tokens, more than the context of " + CONTEXT);
        return verse;
    }

    @Test
    void aTooLongPromptGetsAnErrorValueAndTheOtherRowsRun() {
        List<String> short3 = LocalSpark.prompts(3, 4);
        Dataset<Row> in = frame(short3.get(0), longPrompt(), null, short3.get(1), short3.get(2));
        List<Row> out = generator().setOnTooLong("error").transform(in).collectAsList();
        assertEquals(5, out.size());
        assertEquals(List.of("id", "prompt", "completion", "error"), Arrays.asList(out.get(0).schema().fieldNames()));
        assertEquals(alone(short3.get(0)), out.get(0).getString(2));
        assertNull(out.get(0).get(3));
        assertNull(out.get(1).get(2), "the long row's completion is null");
        String why = out.get(1).getString(3);
        assertTrue(why.contains("tokens but a sequence holds " + CONTEXT + " positions"), why);
        assertNull(out.get(2).get(2), "a null prompt gives a null completion");
        assertNull(out.get(2).get(3), "and no error");
        assertEquals(alone(short3.get(1)), out.get(3).getString(2));
        assertEquals(alone(short3.get(2)), out.get(4).getString(2));
    }

    @Test
    void aTooLongPromptFailsTheTaskByDefault() {
        Dataset<Row> in = frame(LocalSpark.prompts(1, 4).get(0), longPrompt());
        SparkException e = assertThrows(SparkException.class, () -> generator().transform(in).collectAsList());
        String message = e.getMessage() + (e.getCause() != null ? " " + e.getCause().getMessage() : "");
        assertTrue(message.contains("row 1 of this partition") && message.contains("onTooLong"), message);
    }

    @Test
    void conversationsAreRenderedInTheModelsChatFormat() {
        Model m = LocalSpark.reference();
        List<List<ChatMessage>> chats = List.of(
                List.of(ChatMessage.user("Who was the wife of Elimelech?")),
                List.of(ChatMessage.system("Answer in the words of the King James Bible."), ChatMessage.user("And the name of the man was")));
        StructType message = new StructType().add("role", DataTypes.StringType).add("content", DataTypes.StringType);
        StructType schema = new StructType().add("messages", DataTypes.createArrayType(message));
        List<Row> rows = new ArrayList<>();
        for (List<ChatMessage> c : chats) rows.add(RowFactory.create((Object) c.stream().map(x -> RowFactory.create(x.role(), x.content())).toArray()));
        Dataset<Row> in = LocalSpark.session().createDataFrame(rows, schema);
        List<Row> out = new VaneGenerator().setModelPath(LocalSpark.modelFile().toString()).setInputCol("messages").setOutputCol("reply").setMaxTokens(MAX_TOKENS)
                .transform(in).collectAsList();
        for (int i = 0; i < chats.size(); i++) {
            try (Session s = m.newSession()) {
                String want = s.chat(m.chatFormat(), chats.get(i), List.of(), GenerationOptions.greedy(MAX_TOKENS), t -> true).text();
                assertEquals(want, out.get(i).getString(out.get(i).fieldIndex("reply")), "conversation " + i);
            }
        }
    }

    @Test
    void aConversationWithAnUnknownRoleFailsNamingTheRole() {
        StructType message = new StructType().add("role", DataTypes.StringType).add("content", DataTypes.StringType);
        StructType schema = new StructType().add("messages", DataTypes.createArrayType(message));
        Dataset<Row> in = LocalSpark.session().createDataFrame(List.of(RowFactory.create((Object) new Object[] {RowFactory.create("narrator", "Once")})), schema);
        List<Row> out = new VaneGenerator().setModelPath(LocalSpark.modelFile().toString()).setInputCol("messages").setOnTooLong("error").transform(in).collectAsList();
        assertNull(out.get(0).get(1));
        assertTrue(out.get(0).getString(2).contains("role 'narrator'"), out.get(0).getString(2));
    }
}
