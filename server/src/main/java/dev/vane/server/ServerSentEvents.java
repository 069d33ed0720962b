package dev.vane.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** A response streamed as server-sent events: one {@code data: JSON} event per chunk, flushed, then {@code data: [DONE]}. */
final class ServerSentEvents implements AutoCloseable {
    private final OutputStream out;

    ServerSentEvents(ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        this.out = res.outputStream();
    }

    /** Sends one chunk; a client that went away makes it throw (the caller's generation is then cancelled). */
    void send(Object chunk) {
        try {
            out.write("data: ".getBytes(StandardCharsets.UTF_8));
            out.write(Json.write(chunk));
            out.write("\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void done() {
        try {
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
