package dev.vane.langchain4j.guard;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.moderation.Moderation;
import dev.langchain4j.model.moderation.ModerationModel;
import dev.langchain4j.model.moderation.ModerationRequest;
import dev.langchain4j.model.moderation.ModerationResponse;
import dev.langchain4j.model.output.Response;
import dev.vane.guard.Direction;
import dev.vane.guard.Policy;
import dev.vane.guard.Verdict;
import dev.vane.guard.moderation.HazardCategory;
import dev.vane.guard.moderation.Moderator;
import dev.vane.guard.moderation.Turn;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A vane-guard {@link Moderator} (such as a Llama Guard model), a {@link Policy}, or both, as
 * LangChain4j's {@link ModerationModel}. A text is flagged when a BLOCK rule of the policy fires
 * on it (REDACT and ALLOW rules do not flag) or when the moderator judges it unsafe; the policy,
 * being cheap, is asked first. flaggedText is the offending message's text, and the response's
 * metadata says why: {@code rules} (the BLOCK rules that fired) or {@code categories} (the
 * moderator's hazard codes, e.g. S1).
 *
 * <p>Plain texts ({@code moderate(String)}, a {@link ModerationRequest}) are judged each as a user
 * prompt on its own. A conversation ({@code moderate(List<ChatMessage>)}, what AiServices'
 * {@code @Moderate} sends) keeps its roles: system and tool messages are the application's own and
 * are not judged, user messages are checked as policy input and the model's replies as output, and
 * the moderator judges the conversation's last turn in the context of the turns before it.
 * Thread-safe when the moderator is.
 */
public final class VaneModerationModel implements ModerationModel {
    private final Moderator moderator;
    private final Policy policy;
    private final String modelName;

    private VaneModerationModel(Builder b) {
        if (b.moderator == null && b.policy == null) {
            throw new IllegalArgumentException("VaneModerationModel needs a moderator, a policy or both; neither was set");
        }
        this.moderator = b.moderator;
        this.policy = b.policy;
        this.modelName = b.modelName == null ? "vane-guard" : b.modelName;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String modelName() {
        return modelName;
    }

    @Override
    public ModerationResponse doModerate(ModerationRequest request) {
        for (String text : request.texts()) {
            if (text == null) throw new IllegalArgumentException("a moderation request's texts must not be null, got " + request.texts());
            Judgement j = judge(List.of(Turn.user(text)));
            if (j.moderation().flagged()) return j.response();
        }
        return new Judgement(Moderation.notFlagged(), Map.of()).response();
    }

    @Override
    public Response<Moderation> moderate(List<ChatMessage> messages) {
        List<Turn> turns = new ArrayList<>();
        for (ChatMessage m : messages) {
            if (m instanceof UserMessage u) {
                String text = u.contents().stream().filter(c -> c instanceof TextContent).map(c -> ((TextContent) c).text())
                        .collect(Collectors.joining("\n"));
                if (!text.isEmpty()) turns.add(Turn.user(text));
            } else if (m instanceof AiMessage a && a.text() != null && !a.text().isEmpty()) {
                turns.add(Turn.agent(a.text()));
            }
        }
        Judgement j = judge(turns);
        return Response.from(j.moderation(), null, null, j.metadata());
    }

    private Judgement judge(List<Turn> turns) {
        if (turns.isEmpty()) return new Judgement(Moderation.notFlagged(), Map.of());
        if (policy != null) {
            for (Turn t : turns) {
                Verdict v = policy.check(t.role() == Turn.Role.USER ? Direction.INPUT : Direction.OUTPUT, t.text());
                if (v.blocked()) return new Judgement(Moderation.flagged(t.text()), Map.of("rules", PolicyBlockedException.blockingRules(v)));
            }
        }
        if (moderator != null) {
            dev.vane.guard.moderation.Moderation m = moderator.moderate(List.copyOf(turns));
            if (m == null) throw new IllegalStateException("the moderator " + moderator + " returned null; a Moderator must return a Moderation");
            if (m.unsafe()) {
                List<String> codes = m.categories().stream().map(HazardCategory::code).toList();
                return new Judgement(Moderation.flagged(turns.getLast().text()), Map.of("categories", codes));
            }
        }
        return new Judgement(Moderation.notFlagged(), Map.of());
    }

    private record Judgement(Moderation moderation, Map<String, Object> metadata) {
        ModerationResponse response() {
            return ModerationResponse.builder().moderation(moderation).metadata(metadata).build();
        }
    }

    /** Builds a {@link VaneModerationModel}: a moderator, a policy, or both. */
    public static final class Builder {
        private Moderator moderator;
        private Policy policy;
        private String modelName;

        private Builder() {}

        /** Judges each text (or a conversation's last turn) safe or unsafe, e.g. a Llama Guard model. */
        public Builder moderator(Moderator moderator) {
            this.moderator = moderator;
            return this;
        }

        /** Flags a text when one of its BLOCK rules fires. */
        public Builder policy(Policy policy) {
            this.policy = policy;
            return this;
        }

        /** The name {@link #modelName()} reports (default "vane-guard"). */
        public Builder modelName(String modelName) {
            this.modelName = modelName;
            return this;
        }

        /** @throws IllegalArgumentException if neither a moderator nor a policy was set */
        public VaneModerationModel build() {
            return new VaneModerationModel(this);
        }
    }
}
