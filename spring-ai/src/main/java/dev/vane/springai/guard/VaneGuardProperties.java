package dev.vane.springai.guard;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The vane.guard.* properties: the policy a {@link VanePolicyAdvisor} applies, either a policy file
 * (vane.guard.policy) or vane-guard's default policy (vane.guard.defaults=true); where the advisor
 * runs among the advisors, and whether the auto-configured ChatClient.Builder gets it.
 */
@ConfigurationProperties("vane.guard")
public class VaneGuardProperties {
    /** A policy file, YAML or JSON (a path, or classpath:...); see docs/GUARD.md for the format. */
    private String policy;
    /** Policy.defaults(): PII and secrets redacted both ways, prompt injection and special tokens blocked on input. */
    private boolean defaults;
    /** The advisor's order (lower runs first; the default runs before the chat memory advisors). */
    private int order = VanePolicyAdvisor.DEFAULT_ORDER;
    /** Add the advisor to the auto-configured ChatClient.Builder's default advisors. */
    private boolean chatClient = true;

    public String getPolicy() { return policy; }
    public void setPolicy(String v) { policy = v; }
    public boolean isDefaults() { return defaults; }
    public void setDefaults(boolean v) { defaults = v; }
    public int getOrder() { return order; }
    public void setOrder(int v) { order = v; }
    public boolean isChatClient() { return chatClient; }
    public void setChatClient(boolean v) { chatClient = v; }
}
