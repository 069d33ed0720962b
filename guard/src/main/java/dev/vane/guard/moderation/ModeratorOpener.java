package dev.vane.guard.moderation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * How {@link dev.vane.guard.PolicyLoader} gets the moderator of a {@code llama-guard} rule: the
 * guard model file the rule names (resolved against the policy file's folder) and the categories
 * its prompt lists. The default, {@link GuardModels}, opens each file once with Vane; pass your
 * own to share a model you already hold, or a scripted moderator in tests.
 */
@FunctionalInterface
public interface ModeratorOpener {
    Moderator open(Path model, Set<HazardCategory> categories) throws IOException;
}
