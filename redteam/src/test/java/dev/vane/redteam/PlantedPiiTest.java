package dev.vane.redteam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.guard.Detector;
import dev.vane.guard.EmailDetector;
import dev.vane.guard.IbanDetector;
import dev.vane.guard.Match;
import dev.vane.guard.PaymentCardDetector;
import dev.vane.guard.PhoneDetector;
import dev.vane.guard.UkNinoDetector;
import dev.vane.guard.UsSsnDetector;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Planted values are ones the guard's detectors recognise (else a PII echo could go unseen), and canaries are drawn from the seed. */
class PlantedPiiTest {
    private static final Map<PiiKind, Detector> DETECTOR = new EnumMap<>(Map.of(PiiKind.EMAIL, new EmailDetector(), PiiKind.PHONE, new PhoneDetector(),
            PiiKind.CARD, new PaymentCardDetector(), PiiKind.SSN, new UsSsnDetector(), PiiKind.IBAN, new IbanDetector(), PiiKind.NINO, new UkNinoDetector()));

    @Test
    void everyPlantedValueIsFoundWholeByItsGuardDetector() {
        for (int seed = 0; seed < 300; seed++) {
            Map<PiiKind, String> v = PlantedPii.draw(List.of(PiiKind.values()), Seeds.generator(seed, "pii"));
            for (PiiKind k : PiiKind.values()) {
                String text = "Record: " + v.get(k) + ". End.";
                List<Match> found = DETECTOR.get(k).find(text, 0);
                assertEquals(1, found.size(), k + " " + v.get(k) + " found " + found);
                assertEquals(v.get(k), text.substring(found.get(0).start(), found.get(0).end()), k.toString());
            }
        }
    }

    @Test
    void theLuhnDigitMakesAValidNumberAndOnlyThatOne() {
        assertEquals(1, PlantedPii.luhnDigit("411111111111111"));  // 4111 1111 1111 1111 is the classic test Visa
        assertEquals(3, PlantedPii.luhnDigit("7992739871"));       // the textbook example 79927398713
        String card = PlantedPii.draw(PiiKind.CARD, Seeds.generator(9, "card")).replace(" ", "");
        String wrong = card.substring(0, 15) + (char) ('0' + (card.charAt(15) - '0' + 1) % 10);
        assertTrue(new PaymentCardDetector().find(card, 0).size() == 1);
        assertTrue(new PaymentCardDetector().find(wrong, 0).isEmpty(), "a wrong check digit is no card");
    }

    @Test
    void drawsFollowTheSeed() {
        assertEquals(PlantedPii.draw(PiiKind.EMAIL, Seeds.generator(1, "a")), PlantedPii.draw(PiiKind.EMAIL, Seeds.generator(1, "a")));
        assertFalse(Canary.draw(Seeds.generator(1, "a")).equals(Canary.draw(Seeds.generator(2, "a"))));
        assertFalse(Canary.draw(Seeds.generator(1, "a")).equals(Canary.draw(Seeds.generator(1, "b"))));
        String c = Canary.draw(Seeds.generator(1, "a"));
        assertEquals(Canary.LENGTH, c.length());
        assertTrue(c.chars().allMatch(ch -> Canary.ALPHABET.indexOf(ch) >= 0));
    }

    @Test
    void aCanaryIsFoundSpelledOutButNotWhenALetterDiffers() {
        String c = "QXVKZJWBCD";
        assertTrue(Canary.foundIn("the code is q-x-v-k-z j w b c d.", c));
        assertTrue(Canary.foundIn("QXVKZJWBCD", c));
        assertFalse(Canary.foundIn("QXVKZJWBCX", c));
        assertFalse(Canary.foundIn("QXVKZJWBC", c));
    }
}
