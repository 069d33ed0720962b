package dev.vane.springai.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vane.guard.Policy;
import dev.vane.guard.Rule;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.ai.chat.client.ChatClientCustomizer;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** When vane.guard.* creates the advisor, from which policy, and the errors for bad settings (no model in the context). */
class VaneGuardAutoConfigurationTest {
    final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(VaneGuardAutoConfiguration.class));

    @TempDir
    Path dir;

    static java.util.List<String> ruleNames(Policy p) {
        return p.rules().stream().map(Rule::name).toList();
    }

    @Test
    void nothingWithoutAProperty() {
        runner.run(ctx -> assertThat(ctx).doesNotHaveBean(VanePolicyAdvisor.class).doesNotHaveBean(Policy.class));
        runner.withPropertyValues("vane.guard.defaults=false").run(ctx -> assertThat(ctx).doesNotHaveBean(VanePolicyAdvisor.class));
    }

    @Test
    void defaultsTrueGivesTheDefaultPolicy() {
        runner.withPropertyValues("vane.guard.defaults=true").run(ctx -> {
            assertThat(ctx).hasSingleBean(VanePolicyAdvisor.class).hasSingleBean(ChatClientCustomizer.class);
            VanePolicyAdvisor a = ctx.getBean(VanePolicyAdvisor.class);
            assertThat(ruleNames(a.policy())).isEqualTo(ruleNames(Policy.defaults()));
            assertThat(a.getOrder()).isEqualTo(VanePolicyAdvisor.DEFAULT_ORDER);
        });
    }

    @Test
    void aPolicyFileByPathOrClassPath() throws Exception {
        Path file = dir.resolve("policy.yml");
        Files.writeString(file, "rules:\n  - name: cards\n    detector: payment-card\n    action: block\n");
        runner.withPropertyValues("vane.guard.policy=" + file, "vane.guard.order=42").run(ctx -> {
            VanePolicyAdvisor a = ctx.getBean(VanePolicyAdvisor.class);
            assertThat(ruleNames(a.policy())).containsExactly("cards");
            assertThat(a.getOrder()).isEqualTo(42);
        });
        runner.withPropertyValues("vane.guard.policy=classpath:dev/vane/springai/guard/test-policy.yaml").run(ctx -> {
            Policy p = ctx.getBean(VanePolicyAdvisor.class).policy();
            assertThat(ruleNames(p)).containsExactly("email", "oaths");
            assertThat(p.blockMessage()).isEqualTo("Not in this chapel.");
        });
    }

    @Test
    void chatClientFalseLeavesTheBuilderAlone() {
        runner.withPropertyValues("vane.guard.defaults=true", "vane.guard.chat-client=false")
                .run(ctx -> assertThat(ctx).hasSingleBean(VanePolicyAdvisor.class).doesNotHaveBean(ChatClientCustomizer.class));
    }

    @Configuration
    static class OwnPolicy {
        @Bean
        Policy myPolicy() {
            return Policy.builder().blockMessage("mine").build();
        }
    }

    @Test
    void anApplicationsOwnPolicyBeanIsUsed() {
        runner.withUserConfiguration(OwnPolicy.class).withPropertyValues("vane.guard.defaults=true")
                .run(ctx -> assertThat(ctx.getBean(VanePolicyAdvisor.class).policy().blockMessage()).isEqualTo("mine"));
    }

    @Test
    void badSettingsFailNamingTheProperty() throws Exception {
        runner.withPropertyValues("vane.guard.policy=" + dir.resolve("missing.yaml")).run(ctx -> assertThat(ctx).hasFailed()
                .getFailure().rootCause().hasMessageContaining("missing.yaml"));
        runner.withPropertyValues("vane.guard.policy=" + dir.resolve("missing.yaml")).run(ctx -> assertThat(ctx.getStartupFailure())
                .hasStackTraceContaining("vane.guard.policy: cannot read policy file"));
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "rules:\n  - name: x\n    detector: nosuch\n    action: block\n");
        runner.withPropertyValues("vane.guard.policy=" + bad).run(ctx -> assertThat(ctx.getStartupFailure())
                .hasStackTraceContaining("vane.guard.policy: " + bad + " line 3").hasStackTraceContaining("nosuch"));
        runner.withPropertyValues("vane.guard.policy=" + bad, "vane.guard.defaults=true").run(ctx -> assertThat(ctx.getStartupFailure())
                .hasStackTraceContaining("are both set"));
        runner.withPropertyValues("vane.guard.policy= ").run(ctx -> assertThat(ctx.getStartupFailure())
                .hasStackTraceContaining("vane.guard.policy is empty"));
        runner.withPropertyValues("vane.guard.policy=classpath:no/such.yaml").run(ctx -> assertThat(ctx.getStartupFailure())
                .hasStackTraceContaining("cannot read policy file classpath:no/such.yaml"));
    }
}
