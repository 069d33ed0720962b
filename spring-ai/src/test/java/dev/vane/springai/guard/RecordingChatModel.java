package dev.vane.springai.guard;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import reactor.core.publisher.Flux;

/** A ChatModel in front of another that records the prompts it got, the stream chunks it produced and whether a stream was cancelled. */
final class RecordingChatModel implements ChatModel {
    final ChatModel delegate;
    final List<Prompt> prompts = new CopyOnWriteArrayList<>();
    final AtomicInteger chunks = new AtomicInteger();
    final AtomicBoolean cancelled = new AtomicBoolean();

    RecordingChatModel(ChatModel delegate) {
        this.delegate = delegate;
    }

    void clear() {
        prompts.clear();
        chunks.set(0);
        cancelled.set(false);
    }

    /** The text of the last user message of the last prompt the model got. */
    String lastUserText() {
        List<UserMessage> users = prompts.getLast().getUserMessages();
        return users.getLast().getText();
    }

    @Override
    public ChatResponse call(Prompt prompt) {
        prompts.add(prompt);
        return delegate.call(prompt);
    }

    @Override
    public Flux<ChatResponse> stream(Prompt prompt) {
        prompts.add(prompt);
        return delegate.stream(prompt).doOnNext(r -> chunks.incrementAndGet()).doOnCancel(() -> cancelled.set(true));
    }

    @Override
    public ChatOptions getDefaultOptions() {
        return delegate.getDefaultOptions();
    }

    @Override
    public ChatOptions getOptions() {
        return delegate.getOptions();
    }
}
