package dev.vane.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.util.stream.Collectors;

/**
 * The server's JSON: request bodies read strictly into records (an unknown field, a null where a
 * number belongs, trailing content: 400 naming the field), responses written from records or maps.
 */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    private Json() {}

    static <T> T read(byte[] body, Class<T> type) {
        if (body.length == 0) throw ApiError.invalidRequest(null, "the request needs a JSON body");
        try {
            T value = MAPPER.readValue(body, type);
            if (value == null) throw ApiError.invalidRequest(null, "the request body is JSON null; an object was expected");
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw ApiError.invalidRequest(e.getPropertyName(), "unknown field '" + e.getPropertyName() + "'");
        } catch (JsonMappingException e) {
            String path = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            throw ApiError.invalidRequest(path.isEmpty() ? null : path, "invalid " + (path.isEmpty() ? "body" : "'" + path + "'") + ": "
                    + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw ApiError.invalidRequest(null, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.invalidRequest(null, "unreadable body: " + e.getMessage());
        }
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a response did not serialize", e);
        }
    }
}
