package dev.vane.model.grammar;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** OpenAPI's number formats, as Java schema generators write them: int32 stays in range, float and double annotate; grammars kept by schema text. */
class JsonSchemaFormatsTest {
    @Test
    void int32KeepsToNineDigits() {
        Grammar g = Grammar.fromJsonSchema("{\"type\": \"integer\", \"format\": \"int32\"}");
        assertTrue(g.matches("-999999999"));
        assertTrue(g.matches("0"));
        assertFalse(g.matches("2147483648"));  // past int32
        assertFalse(g.matches("1234567890"));  // ten digits: some are past int32, so none are written
        assertTrue(Grammar.fromJsonSchema("{\"type\": \"integer\", \"format\": \"int64\"}").matches("1234567890123456"));
    }

    @Test
    void floatAndDoubleAreAnnotations() {
        assertTrue(Grammar.fromJsonSchema("{\"type\": \"number\", \"format\": \"double\"}").matches("-1.5e3"));
        assertTrue(Grammar.fromJsonSchema("{\"type\": \"number\", \"format\": \"float\"}").matches("2"));
    }

    @Test
    void aSchemaUsedAgainGivesTheSameGrammar() {
        String schema = "{\"type\": \"integer\", \"format\": \"int64\"}";
        assertSame(Grammar.fromJsonSchema(schema), Grammar.fromJsonSchema(schema));  // and so its warm token masks
        assertSame(Grammar.anyJson(), Grammar.anyJson());
        assertNotSame(Grammar.fromJsonSchema(schema), Grammar.fromJsonSchema("{\"type\": \"integer\"}"));
    }

    @Test
    void otherFormatsAreRefusedByName() {
        GrammarException e = assertThrows(GrammarException.class, () -> Grammar.fromJsonSchema("{\"type\": \"integer\", \"format\": \"uint8\"}"));
        assertTrue(e.getMessage().contains("uint8"), e.getMessage());
        assertThrows(GrammarException.class, () -> Grammar.fromJsonSchema("{\"type\": \"number\", \"format\": \"decimal\"}"));
    }
}
