package example;

import dev.vane.embedded.EmbeddedModel;
import dev.vane.model.GenerationOptions;
import dev.vane.model.Model;
import dev.vane.model.Sampling;
import dev.vane.model.Session;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The README's Java example on a real model file: the one inside vane-embedded-model, written to
 * the path given as the argument first. Then one line saying which module the SDK ran in.
 */
public final class ReadmeExample {
    private ReadmeExample() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ReadmeExample MODEL_FILE (the embedded model is written there)");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        EmbeddedModel.writeTo(file);

        try (Model model = Model.load(file);
             Session session = model.newSession()) {
            session.generate("Once upon a time", GenerationOptions.of(64, Sampling.defaults(42)),
                    token -> { System.out.print(token.text()); return true; });
        }

        System.out.println();
        Module sdk = Model.class.getModule();
        System.out.println("sdk module: " + (sdk.isNamed() ? sdk.getName() : "unnamed (class path)"));
    }
}
