package dev.vane.springai.guard;

import dev.vane.guard.Policy;
import dev.vane.guard.PolicyLoader;
import dev.vane.guard.SpecialTokenDetector;
import dev.vane.model.Model;
import dev.vane.model.chat.ChatFormatProvider.SpecialTokenTexts;
import dev.vane.springai.VaneAutoConfiguration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.springframework.ai.chat.client.ChatClientCustomizer;
import org.springframework.ai.chat.client.advisor.api.CallAdvisor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.io.ClassPathResource;

/**
 * A {@link VanePolicyAdvisor} when vane.guard.policy names a policy file or vane.guard.defaults is
 * true, and a ChatClientCustomizer that adds it to the auto-configured ChatClient.Builder (unless
 * vane.guard.chat-client=false). When a Vane {@link Model} bean exists, its BOS and EOS texts join
 * the policy's special-token rules. Each bean backs off when the application defines its own.
 */
@AutoConfiguration(after = VaneAutoConfiguration.class)
@ConditionalOnClass({Policy.class, CallAdvisor.class})
@Conditional(VaneGuardAutoConfiguration.PolicyRequested.class)
@EnableConfigurationProperties(VaneGuardProperties.class)
public class VaneGuardAutoConfiguration {

    /** vane.guard.policy is set, or vane.guard.defaults is true. */
    static final class PolicyRequested extends AnyNestedCondition {
        PolicyRequested() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty(prefix = "vane.guard", name = "policy")
        static final class File {}

        @ConditionalOnBooleanProperty("vane.guard.defaults")
        static final class Defaults {}
    }

    @Bean
    @ConditionalOnMissingBean
    public Policy vaneGuardPolicy(VaneGuardProperties p, ObjectProvider<Model> model) {
        boolean file = p.getPolicy() != null && !p.getPolicy().isBlank();
        if (file && p.isDefaults()) {
            throw new IllegalStateException("vane.guard.policy ('" + p.getPolicy() + "') and vane.guard.defaults=true are both set; set one: "
                    + "a policy file, or the default policy");
        }
        if (!file && !p.isDefaults()) {
            throw new IllegalStateException("vane.guard.policy is empty; set it to a policy file (YAML or JSON), or set vane.guard.defaults=true");
        }
        Model m = model.getIfAvailable();
        SpecialTokenTexts tokens = m == null ? null : m.specialTokenTexts();
        if (!file) return tokens == null ? Policy.defaults() : Policy.defaults(SpecialTokenDetector.forModel(tokens));
        List<String> modelTokens = tokens == null ? List.of() : List.of(tokens.bos(), tokens.eos());
        try {
            return load(p.getPolicy().strip(), modelTokens);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new IllegalStateException("vane.guard.policy: " + e.getMessage(), e);
        }
    }

    // A path, or a class path resource (classpath:...), read by PolicyLoader.
    private static Policy load(String location, List<String> modelTokens) {
        if (!location.startsWith("classpath:")) return PolicyLoader.load(Path.of(location), modelTokens);
        ClassPathResource r = new ClassPathResource(location.substring("classpath:".length()));
        try {
            return PolicyLoader.parse(r.getContentAsString(StandardCharsets.UTF_8), location, modelTokens);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read policy file " + location + ": " + e.getMessage(), e);
        }
    }

    @Bean
    @ConditionalOnMissingBean
    public VanePolicyAdvisor vanePolicyAdvisor(Policy policy, VaneGuardProperties p) {
        return VanePolicyAdvisor.builder().policy(policy).order(p.getOrder()).build();
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "vane.guard.chat-client", matchIfMissing = true)
    public ChatClientCustomizer vaneGuardChatClientCustomizer(VanePolicyAdvisor advisor) {
        return builder -> builder.defaultAdvisors(advisor);
    }
}
