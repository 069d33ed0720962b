package dev.vane.guard.moderation;

/** A guard model's output that is not in Llama Guard's answer format; carries the output as it came. */
public final class LlamaGuardOutputException extends IllegalArgumentException {
    private final String rawOutput;

    LlamaGuardOutputException(String problem, String rawOutput) {
        super("Llama Guard output must be 'safe', or 'unsafe' and then a line of comma-separated categories S1..S14 (e.g. \"unsafe\\nS1,S10\"); "
                + problem + "; got " + LlamaGuardOutput.quote(rawOutput));
        this.rawOutput = rawOutput;
    }

    public String rawOutput() {
        return rawOutput;
    }
}
