package dev.vane.server;

/**
 * A request the server refuses, answered with OpenAI's error object:
 * {@code {"error": {"message", "type", "param", "code"}}}. Thrown by the handlers and turned
 * into the response by {@link VaneServer}'s error handler; nothing else reaches the client (no
 * stack traces).
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;

    public ApiError(int status, String type, String code, String param, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    /** 400: the body is not what the endpoint takes (malformed JSON, unknown or wrong fields). */
    public static ApiError invalidRequest(String param, String message) {
        return new ApiError(400, "invalid_request_error", null, param, message);
    }

    public static ApiError unauthorized(String message) {
        return new ApiError(401, "invalid_request_error", "invalid_api_key", null, message);
    }

    public static ApiError notFound(String message) {
        return new ApiError(404, "invalid_request_error", "not_found", null, message);
    }

    public static ApiError tooLarge(long limit) {
        return new ApiError(413, "invalid_request_error", "request_too_large", null, "the request body is larger than the server's limit of " + limit + " bytes");
    }

    /** 429: every slot is busy and the queue is full (sent with Retry-After). */
    public static ApiError busy(String message) {
        return new ApiError(429, "server_overloaded", "queue_full", null, message);
    }

    /** 504: the request's deadline passed before it could start. */
    public static ApiError timeout(String message) {
        return new ApiError(504, "server_error", "timeout", null, message);
    }

    /** 503: the server is stopping and takes no more work. */
    public static ApiError unavailable(String message) {
        return new ApiError(503, "server_error", "unavailable", null, message);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }
}
