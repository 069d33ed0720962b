package dev.vane.guard;

/** Which text a rule looks at: INPUT (prompts, chat messages a user sends) or OUTPUT (what the model generates). */
public enum Direction {
    INPUT, OUTPUT
}
