package dev.vane.spark;

import dev.vane.model.Model;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatPrompt;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * What a generator's input column holds: a prompt (a string, continued as text) or a
 * conversation (an array of structs with string fields role and content, rendered in the model's
 * chat format with the assistant's turn opened, as {@code Session.chat} does).
 */
enum PromptInput {
    TEXT,
    CHAT;

    static final String EXPECTED = "a string (a prompt) or an array of structs with string fields role and content (chat messages)";

    /** The kind of column type, or IllegalArgumentException naming column and what it takes. */
    static PromptInput of(String column, DataType type) {
        if (type.equals(DataTypes.StringType)) return TEXT;
        if (type instanceof ArrayType a && a.elementType() instanceof StructType s && isString(s, "role") && isString(s, "content")) return CHAT;
        throw new IllegalArgumentException("input column " + column + " is " + type.simpleString() + "; expected " + EXPECTED);
    }

    private static boolean isString(StructType s, String name) {
        return Arrays.stream(s.fields()).anyMatch(f -> f.name().equals(name) && f.dataType().equals(DataTypes.StringType));
    }

    /**
     * The token ids row's value (at index) runs as: the text encoded with BOS first when addBos,
     * or the conversation rendered and encoded as {@code Session.chat} does.
     */
    int[] tokens(Model model, Row row, int index, boolean addBos) {
        if (this == TEXT) return model.tokenizer().encode(row.getString(index), addBos);
        List<Row> turns = row.getList(index);
        List<ChatMessage> messages = new ArrayList<>(turns.size());
        for (Row t : turns) {
            String role = t == null ? null : t.getString(t.fieldIndex("role")), content = t == null ? null : t.getString(t.fieldIndex("content"));
            if (role == null || content == null) throw new IllegalArgumentException("chat message " + messages.size() + " has no role or content; each needs both");
            messages.add(new ChatMessage(role, content));
        }
        ChatPrompt prompt = model.chatFormat().render(messages, List.of(), true);
        // The BOS first when wanted, unless the template wrote it itself (e.g. {{ bos_token }}).
        String bos = model.specialTokenTexts().bos();
        return prompt.encode(model.tokenizer(), addBos && (bos.isEmpty() || !prompt.text().startsWith(bos)));
    }
}
