package dev.vane.model.chat;

import java.util.Optional;

/**
 * Makes a {@link ChatFormat} from a model's own chat template text; found with
 * {@link java.util.ServiceLoader} (vane-jinja registers one that runs the Jinja template), so that
 * the SDK needs no template engine of its own.
 */
public interface ChatFormatProvider {
    /**
     * The format for a template, or empty when this provider cannot render it (the reason then goes
     * to the given log).
     *
     * @param source the template (tokenizer.chat_template, or tokenizer_config.json's chat_template)
     * @param tokens the texts of the model's BOS and EOS tokens, as templates use them
     */
    Optional<ChatFormat> create(String source, SpecialTokenTexts tokens, java.util.function.Consumer<String> log);

    /** The texts of a model's BOS and EOS tokens ("" where it has none). */
    record SpecialTokenTexts(String bos, String eos) {
        public SpecialTokenTexts {
            bos = bos == null ? "" : bos;
            eos = eos == null ? "" : eos;
        }
    }
}
