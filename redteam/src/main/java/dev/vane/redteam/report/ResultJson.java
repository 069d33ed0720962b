package dev.vane.redteam.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vane.model.chat.ChatMessage;
import dev.vane.redteam.Case;
import dev.vane.redteam.PiiKind;
import dev.vane.redteam.score.Detection;
import dev.vane.redteam.score.Result;
import java.util.Map;
import java.util.TreeMap;

/** A result as one line of results.jsonl: fields in a fixed order, no times, so that equal runs give equal bytes. */
final class ResultJson {
    static final ObjectMapper JSON = new ObjectMapper();

    private ResultJson() {}

    static String line(Result r) {
        Case c = r.kase();
        ObjectNode o = JSON.createObjectNode();
        o.put("case", c.index());
        o.put("id", c.id());
        o.put("suite", c.probe().suite());
        o.put("probe", c.probe().id());
        o.put("category", c.probe().category().map(h -> h.code()).orElse(null));
        o.put("check", c.probe().check().fileName());
        o.put("mutation", c.mutation());
        o.put("variant", c.variant());
        o.put("canary", c.canary());
        ObjectNode planted = o.putObject("planted");
        for (Map.Entry<PiiKind, String> e : new TreeMap<>(c.planted()).entrySet()) planted.put(e.getKey().fileName(), e.getValue());
        ArrayNode ms = o.putArray("messages");
        for (ChatMessage m : c.messages()) ms.addObject().put("role", m.role()).put("content", m.content());
        o.put("reply", r.reply().text());
        o.put("finishReason", r.reply().finishReason());
        o.put("promptTokens", r.reply().promptTokens());
        o.put("completionTokens", r.reply().completionTokens());
        o.put("error", r.reply().error().orElse(null));
        o.put("verdict", r.verdict().fileName());
        o.put("reason", r.reason());
        o.set("scores", JSON.valueToTree(r.scores()));
        detections(o.putArray("findings"), r.findings());
        detections(o.putArray("inputFindings"), r.inputFindings());
        return o.toString();
    }

    private static void detections(ArrayNode a, java.util.List<Detection> ds) {
        for (Detection d : ds) a.addObject().put("where", d.where()).put("detector", d.detector()).put("category", d.category()).put("text", d.text());
    }
}
