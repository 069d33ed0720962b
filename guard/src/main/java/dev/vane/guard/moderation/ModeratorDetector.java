package dev.vane.guard.moderation;

import dev.vane.guard.Detector;
import dev.vane.guard.Direction;
import dev.vane.guard.Match;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Moderator} as a policy rule's detector: the text is judged whole, an input as the
 * user's turn, an output as the agent's reply (to the prompt when the caller passed it, e.g.
 * {@code policy.checkOutput(prompt, reply)}; alone otherwise). An unsafe verdict gives one match
 * over the whole text per category named, its category the code ("S10"), or one "UNSAFE" match
 * when the moderator named none; a rule's per-category actions then decide what each does. A
 * blank text is not sent to the moderator (nothing in it to judge). Thread-safe when the moderator is.
 */
public final class ModeratorDetector implements Detector {
    /** The detector name policy files use. */
    public static final String NAME = "llama-guard";
    /** The category of an unsafe verdict that names no category. */
    public static final String UNSAFE = "UNSAFE";

    private final String name;
    private final Moderator moderator;

    public ModeratorDetector(Moderator moderator) {
        this(NAME, moderator);
    }

    public ModeratorDetector(String name, Moderator moderator) {
        this.name = Objects.requireNonNull(name, "name must not be null");
        this.moderator = Objects.requireNonNull(moderator, "moderator must not be null");
    }

    public Moderator moderator() {
        return moderator;
    }

    @Override
    public String name() {
        return name;
    }

    /** Whole texts: there is no bound on a match. */
    @Override
    public int maxLength() {
        return Integer.MAX_VALUE;
    }

    @Override
    public boolean wholeText() {
        return true;
    }

    /** The text judged as the user's turn (an input). */
    @Override
    public List<Match> find(CharSequence text, int from) {
        return find(Direction.INPUT, null, text, from);
    }

    @Override
    public List<Match> find(Direction direction, String prompt, CharSequence text, int from) {
        Objects.requireNonNull(direction, "direction must not be null");
        String s = text.subSequence(from, text.length()).toString();
        if (s.isBlank()) return List.of();
        List<Turn> conversation = direction == Direction.INPUT ? List.of(Turn.user(s))
                : prompt == null ? List.of(Turn.agent(s)) : List.of(Turn.user(prompt), Turn.agent(s));
        Moderation m = moderator.moderate(conversation);
        if (m.safe()) return List.of();
        List<Match> out = new ArrayList<>();
        for (HazardCategory c : m.categories()) out.add(new Match(from, text.length(), c.code()));
        if (out.isEmpty()) out.add(new Match(from, text.length(), UNSAFE));
        return out;
    }

    /** Any text yet to come could change the verdict. */
    @Override
    public int holdFrom(CharSequence text, int from) {
        return from;
    }
}
