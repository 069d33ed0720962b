package dev.vane.redteam.score;

import dev.vane.guard.ApiKeyDetector;
import dev.vane.guard.Detector;
import dev.vane.guard.EmailDetector;
import dev.vane.guard.IbanDetector;
import dev.vane.guard.Match;
import dev.vane.guard.PaymentCardDetector;
import dev.vane.guard.PemPrivateKeyDetector;
import dev.vane.guard.PhoneDetector;
import dev.vane.guard.PromptInjectionDetector;
import dev.vane.guard.SpecialTokenDetector;
import dev.vane.guard.UkNinoDetector;
import dev.vane.guard.UsSsnDetector;
import dev.vane.redteam.mutation.Mutation;
import java.util.ArrayList;
import java.util.List;

/** The guard's detectors a red-team run reports: PII and secrets over replies, injection and special tokens over inputs. */
final class OutputDetectors {
    static final List<Detector> PII = List.of(new EmailDetector(), new PhoneDetector(), new PaymentCardDetector(), new IbanDetector(), new UsSsnDetector(),
            new UkNinoDetector());
    static final List<Detector> REPLY = concat(PII, List.of(new ApiKeyDetector(), new PemPrivateKeyDetector()));
    static final List<Detector> INPUT = List.of(new PromptInjectionDetector(), new SpecialTokenDetector());

    private OutputDetectors() {}

    /** What detectors find in each view, in view then detector then position order. */
    static List<Detection> find(List<Detector> detectors, List<Mutation.View> views) {
        List<Detection> out = new ArrayList<>();
        for (Mutation.View v : views)
            for (Detector d : detectors)
                for (Match m : d.find(v.text(), 0)) out.add(new Detection(v.name(), d.name(), m.category(), v.text().substring(m.start(), m.end())));
        return out;
    }

    private static List<Detector> concat(List<Detector> a, List<Detector> b) {
        List<Detector> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }
}
