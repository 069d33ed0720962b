package dev.vane.model.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The per-family readers behind {@link ToolCallFormat#parse}. */
final class ToolCallParsers {
    private ToolCallParsers() {}

    private static final String PYTHON_TAG = "<|python_tag|>";

    static ParsedReply llama3(String reply) {
        String s = reply.strip();
        boolean tagged = s.startsWith(PYTHON_TAG);
        if (tagged) s = s.substring(PYTHON_TAG.length()).strip();
        if (!s.startsWith("{")) {
            if (tagged) throw new ToolCallParseException("expected a JSON object {\"name\": ..., \"parameters\": {...}} after <|python_tag|>, got: " + s);
            return new ParsedReply(reply, List.of());
        }
        List<ToolCall> calls = new ArrayList<>();
        int at = 0;
        while (at < s.length()) {
            int end = ToolCallJson.valueEnd(s, at);
            Object v = end < 0 ? null : parseOrNull(s.substring(at, end));
            if (!(v instanceof Map<?, ?> m) || !(m.get("name") instanceof String)) {
                if (tagged) throw new ToolCallParseException("expected a JSON object {\"name\": ..., \"parameters\": {...}} after <|python_tag|>, got: " + s.substring(at));
                return new ParsedReply(reply, List.of());  // JSON the model wrote as its answer, not a call
            }
            calls.add(ToolCallJson.call(v, m.containsKey("parameters") ? "parameters" : "arguments", "Llama 3 tool call"));
            at = end;
            while (at < s.length() && (Character.isWhitespace(s.charAt(at)) || s.charAt(at) == ';')) at++;  // several calls: "{...}; {...}"
            if (at < s.length() && s.charAt(at) != '{') throw new ToolCallParseException("text after a Llama 3 tool call: " + s.substring(at));
        }
        return new ParsedReply("", calls);
    }

    private static Object parseOrNull(String json) {
        try {
            return ToolCallJson.parse(json, "");
        } catch (ToolCallParseException e) {
            return null;
        }
    }

    static ParsedReply hermes(String reply) {
        String open = "<tool_call>", close = "</tool_call>";
        StringBuilder content = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>();
        int at = 0;
        for (int start = reply.indexOf(open); start >= 0; start = reply.indexOf(open, at)) {
            content.append(reply, at, start);
            int end = reply.indexOf(close, start);
            if (end < 0) throw new ToolCallParseException("<tool_call> at char " + start + " is not closed by </tool_call>: " + reply.substring(start));
            String json = reply.substring(start + open.length(), end).strip();
            calls.add(ToolCallJson.call(ToolCallJson.parse(json, "the <tool_call> at char " + start), "arguments", "the <tool_call> at char " + start));
            at = end + close.length();
        }
        content.append(reply.substring(at));
        return new ParsedReply(calls.isEmpty() ? reply : content.toString().strip(), calls);
    }

    static ParsedReply mistral(String reply) {
        String marker = "[TOOL_CALLS]";
        int start = reply.indexOf(marker);
        if (start < 0) return new ParsedReply(reply, List.of());
        int from = start + marker.length();
        while (from < reply.length() && Character.isWhitespace(reply.charAt(from))) from++;
        if (from >= reply.length() || reply.charAt(from) != '[') {
            throw new ToolCallParseException("expected a JSON array of calls after [TOOL_CALLS], got: " + reply.substring(from));
        }
        int end = ToolCallJson.valueEnd(reply, from);
        if (end < 0) throw new ToolCallParseException("the JSON array after [TOOL_CALLS] is not closed: " + reply.substring(from));
        if (!(ToolCallJson.parse(reply.substring(from, end), "the array after [TOOL_CALLS]") instanceof List<?> list) || list.isEmpty()) {
            throw new ToolCallParseException("expected a non-empty JSON array of calls after [TOOL_CALLS], got: " + reply.substring(from, end));
        }
        List<ToolCall> calls = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) calls.add(ToolCallJson.call(list.get(i), "arguments", "Mistral tool call " + i));
        return new ParsedReply((reply.substring(0, start) + reply.substring(end)).strip(), calls);
    }

    private static final String ARGS = "[ARGS]", CALL_ID = "[CALL_ID]";

    // [TOOL_CALLS]name[CALL_ID]id[ARGS]{...}[TOOL_CALLS]name[ARGS]{...}: the text before the first marker is content.
    static ParsedReply mistralArgs(String reply) {
        String marker = "[TOOL_CALLS]";
        int start = reply.indexOf(marker);
        if (start < 0) return new ParsedReply(reply, List.of());
        List<ToolCall> calls = new ArrayList<>();
        int at = start;
        while (at < reply.length()) {
            if (!reply.startsWith(marker, at)) throw new ToolCallParseException("text after a Mistral tool call: " + reply.substring(at));
            int nameFrom = at + marker.length(), args = reply.indexOf(ARGS, nameFrom);
            if (args < 0) throw new ToolCallParseException("expected NAME[ARGS]{...} after [TOOL_CALLS], got: " + reply.substring(nameFrom));
            String name = reply.substring(nameFrom, args), id = null;
            int idAt = name.indexOf(CALL_ID);
            if (idAt >= 0) {
                id = name.substring(idAt + CALL_ID.length());
                name = name.substring(0, idAt);
            }
            name = name.strip();
            if (name.isEmpty() || name.contains("[") || name.contains("{")) {
                throw new ToolCallParseException("expected a tool name between [TOOL_CALLS] and [ARGS], got: '" + name + "'");
            }
            int from = args + ARGS.length();
            while (from < reply.length() && Character.isWhitespace(reply.charAt(from))) from++;
            int end = from < reply.length() && reply.charAt(from) == '{' ? ToolCallJson.valueEnd(reply, from) : -1;
            if (end < 0) throw new ToolCallParseException("expected a closed JSON object after " + name + "[ARGS], got: " + reply.substring(from));
            String what = "the arguments of Mistral tool call " + name;
            calls.add(new ToolCall(id, name, ToolCallJson.arguments(ToolCallJson.parse(reply.substring(from, end), what), what)));
            at = end;
            while (at < reply.length() && Character.isWhitespace(reply.charAt(at))) at++;
        }
        return new ParsedReply(reply.substring(0, start).strip(), calls);
    }

    // A harmony message: its header (channel, recipient, constraint) and its body up to the next marker that ends it.
    private static final Pattern HARMONY_MESSAGE = Pattern.compile("((?:(?!<\\|message\\|>|<\\|start\\|>).)*)<\\|message\\|>(.*?)(<\\|call\\|>|<\\|end\\|>|<\\|return\\|>|<\\|start\\|>|$)", Pattern.DOTALL);
    private static final Pattern RECIPIENT = Pattern.compile("to=functions\\.([^\\s<]+)");
    private static final Pattern CHANNEL = Pattern.compile("<\\|channel\\|>(\\w+)");

    static ParsedReply harmony(String reply) {
        List<ToolCall> calls = new ArrayList<>();
        StringBuilder finalText = new StringBuilder();
        Matcher m = HARMONY_MESSAGE.matcher(reply);
        int at = 0;
        while (at < reply.length() && m.find(at)) {
            String header = m.group(1), body = m.group(2);
            Matcher to = RECIPIENT.matcher(header);
            if (to.find()) {
                String name = to.group(1);
                String json = body.strip();
                if (json.isEmpty()) throw new ToolCallParseException("the harmony call of functions." + name + " has no arguments JSON");
                calls.add(new ToolCall(null, name, ToolCallJson.arguments(ToolCallJson.parse(json, "the arguments of functions." + name), "functions." + name)));
            } else {
                Matcher ch = CHANNEL.matcher(header);
                if (ch.find() && ch.group(1).equals("final")) finalText.append(body);
            }
            at = Math.max(m.end(), m.start() + 1);
        }
        if (calls.isEmpty() && finalText.isEmpty()) {
            if (RECIPIENT.matcher(reply).find()) throw new ToolCallParseException("a harmony tool call (to=functions.) without <|message|> and its arguments: " + reply);
            return new ParsedReply(reply, List.of());
        }
        return new ParsedReply(finalText.toString(), calls);
    }
}
