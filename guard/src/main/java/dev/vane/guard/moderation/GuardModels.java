package dev.vane.guard.moderation;

import dev.vane.model.Model;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The default {@link ModeratorOpener}: loads each guard model file once (two rules naming one file
 * share its weights) and gives every rule its own {@link LlamaGuardModerator} over it, in the
 * layout of the file's chat template. Closing it closes the moderators, then the models. Not
 * thread-safe while opening (a loader uses it from one thread); the moderators it made are.
 */
public final class GuardModels implements ModeratorOpener, AutoCloseable {
    private final Map<Path, Model> models = new LinkedHashMap<>();
    private final List<LlamaGuardModerator> moderators = new ArrayList<>();

    @Override
    public Moderator open(Path model, Set<HazardCategory> categories) throws IOException {
        Path key = model.toAbsolutePath().normalize();
        Model m = models.get(key);
        if (m == null) {
            m = Model.load(key);
            models.put(key, m);
        }
        LlamaGuardPrompt prompt = LlamaGuardPrompt.of(categories).withLayout(LlamaGuardModerator.forModel(m).layout());
        LlamaGuardModerator moderator = LlamaGuardModerator.of(m, prompt);
        moderators.add(moderator);
        return moderator;
    }

    /** Whether anything was opened (a policy without llama-guard rules opens nothing). */
    public boolean isEmpty() {
        return models.isEmpty();
    }

    @Override
    public void close() {
        for (LlamaGuardModerator g : moderators) g.close();
        for (Model m : models.values()) m.close();
        moderators.clear();
        models.clear();
    }
}
