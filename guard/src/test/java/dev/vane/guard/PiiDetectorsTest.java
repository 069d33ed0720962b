package dev.vane.guard;

import static dev.vane.guard.Detect.found;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PiiDetectorsTest {
    @Test void emails() {
        Detector d = new EmailDetector();
        assertEquals(List.of("jane.doe+news@example.co.uk"), found(d, "Write to jane.doe+news@example.co.uk today."));
        assertEquals(List.of("a@b.io", "x_y@mail.example.com"), found(d, "a@b.io, <x_y@mail.example.com>"));
        assertEquals(List.of(), found(d, "user@localhost, @handle, name@ and foo@bar (no TLD), 3 @ 4"));
        assertEquals("EMAIL", d.find("a@b.io", 0).get(0).category());
    }

    @Test void phones() {
        Detector d = new PhoneDetector();
        for (String p : List.of("+14155552671", "+44 20 7946 0958", "+1-202-555-0143", "+49 (30) 123456", "(415) 555-2671",
                "415-555-2671", "415.555.2671", "020 7946 0958", "07700 900123")) {
            assertEquals(List.of(p), found(d, "call " + p + " now"), p);
        }
        for (String notPhone : List.of("4155552671", "in 1999 and 2004", "2024-05-06", "ISBN 978-3-16-148410-0", "v1.2.3",
                "12:30", "+12", "3.14159265", "415-555-26710", "order 123-456-7890123")) {
            assertEquals(List.of(), found(d, "see " + notPhone + " here"), notPhone);
        }
    }

    @Test void paymentCardsNeedLuhnAndAKnownIssuer() {
        Detector d = new PaymentCardDetector();
        for (String c : List.of("4111 1111 1111 1111", "4111-1111-1111-1111", "5555555555554444", "2223003122003222",
                "378282246310005", "6011111111111117", "3530111333300000", "4222222222222")) {
            assertEquals(List.of(c), found(d, "card: " + c + "."), c);
        }
        assertEquals(List.of(), found(d, "card 4111 1111 1111 1112"), "Luhn fails");
        assertEquals(List.of(), found(d, "card 5555555555554445"), "Luhn fails");
        assertEquals(List.of(), found(d, "id 9111111111111110"), "valid Luhn, unknown issuer");
        assertEquals(List.of(), found(d, "37828224631000"), "Amex must be 15 digits");
        assertEquals(List.of(), found(d, "41111111111111110000000"), "too long");
        assertTrue(PaymentCardDetector.luhn("79927398713"));
        assertFalse(PaymentCardDetector.luhn("79927398710"));
    }

    @Test void ibansNeedTheChecksumAndTheCountryLength() {
        Detector d = new IbanDetector();
        for (String i : List.of("DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "GB82 WEST 1234 5698 7654 32",
                "NL91ABNA0417164300", "FR14 2004 1010 0505 0001 3M02 606", "NO9386011117947")) {
            assertEquals(List.of(i), found(d, "IBAN " + i + ", thanks"), i);
        }
        assertEquals(List.of("DE89 3704 0044 0532 0130 00"), found(d, "DE89 3704 0044 0532 0130 00 AND MORE"), "stops at the country length");
        assertEquals(List.of(), found(d, "DE88 3704 0044 0532 0130 00"), "wrong check digits");
        assertEquals(List.of(), found(d, "DE5137040044053201300"), "passes mod 97 but 21 chars, DE needs 22");
        assertEquals(List.of(), found(d, "DE813704004405320130000"), "passes mod 97 but 23 chars");
        assertEquals(List.of(), found(d, "XX89370400440532013000"), "no such country");
        assertEquals(List.of(), found(d, "de89370400440532013000"), "lower case");
    }

    @Test void usSocialSecurityNumbers() {
        Detector d = new UsSsnDetector();
        assertEquals(List.of("123-45-6789"), found(d, "SSN 123-45-6789."));
        assertEquals(List.of("536 22 1234"), found(d, "SSN 536 22 1234"));
        for (String bad : List.of("000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "123-00-4567", "123-45-0000",
                "123456789", "123-45 6789", "1123-45-6789", "123-45-67890")) {
            assertEquals(List.of(), found(d, "n " + bad + " n"), bad);
        }
    }

    @Test void ukNationalInsuranceNumbers() {
        Detector d = new UkNinoDetector();
        assertEquals(List.of("AB123456C"), found(d, "NI AB123456C"));
        assertEquals(List.of("JG 10 37 06 D"), found(d, "NI JG 10 37 06 D."));
        for (String bad : List.of("QQ123456C", "DA123456A", "AO123456A", "GB123456A", "NK123456A", "AB123456E", "ab123456c", "AB1234567C")) {
            assertEquals(List.of(), found(d, "NI " + bad), bad);
        }
    }
}
