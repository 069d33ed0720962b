package dev.vane.springai;

import dev.vane.Vane;
import dev.vane.model.Model;
import dev.vane.model.WeightFormat;
import dev.vane.model.chat.ChatFormat;
import dev.vane.model.chat.ModelChatFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;

/**
 * Spring Boot's auto-configuration for Vane: a {@link Model} opened from vane.model (or the
 * embedded model) and closed with the context, a {@link ChatModel} and an {@link EmbeddingModel}
 * on it. Each bean backs off when the application defines its own.
 */
@AutoConfiguration
@EnableConfigurationProperties(VaneProperties.class)
public class VaneAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Model vaneModel(VaneProperties p) {
        if (p.getThreads() < 0) throw new IllegalArgumentException("vane.threads must be >= 0 (0: the default), got " + p.getThreads());
        if (p.getThreads() > 0) Vane.setThreads(p.getThreads());
        WeightFormat format = WeightFormat.parse(p.getWeights());
        try {
            if (p.getModel() == null || p.getModel().isBlank()) return embedded(format);
            return Model.load(Path.of(p.getModel()), format);
        } catch (IOException e) {
            throw new UncheckedIOException("vane.model: cannot load '" + p.getModel() + "': " + e.getMessage(), e);
        }
    }

    // The embedded model through reflection, so that vane-embedded-model stays an optional dependency.
    private static Model embedded(WeightFormat format) throws IOException {
        try {
            Class<?> c = Class.forName("dev.vane.embedded.EmbeddedModel");
            return (Model) c.getMethod("load", WeightFormat.class).invoke(null, format);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("vane.model is not set and dev.vane:vane-embedded-model is not on the class path; set vane.model to a model file");
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException("cannot load the embedded model", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load the embedded model: " + e, e);
        }
    }

    @Bean
    @ConditionalOnMissingBean(ChatModel.class)
    public VaneSpringChatModel vaneChatModel(Model model, VaneProperties p) {
        int context = p.getContext() > 0 ? p.getContext() : Math.min(model.config().contextLength(), 4096);
        return new VaneSpringChatModel(model, chatFormat(model, p.getChatTemplate()), context, p.getChat().options(), p.getSessions());
    }

    // vane.chat-template read from its resource location, or the model's own format.
    private static ChatFormat chatFormat(Model model, String location) {
        if (location == null || location.isBlank()) return model.chatFormat();
        Resource r = new DefaultResourceLoader().getResource(location);
        try {
            return ModelChatFormat.choose(r.getContentAsString(StandardCharsets.UTF_8), model.specialTokenTexts());
        } catch (IOException e) {
            throw new UncheckedIOException("vane.chat-template: cannot read '" + location + "': " + e.getMessage(), e);
        }
    }

    @Bean
    @ConditionalOnMissingBean(EmbeddingModel.class)
    public VaneSpringEmbeddingModel vaneEmbeddingModel(Model model, VaneProperties p) {
        return new VaneSpringEmbeddingModel(model, p.getEmbeddingPooling(), p.isEmbeddingNormalize());
    }
}
