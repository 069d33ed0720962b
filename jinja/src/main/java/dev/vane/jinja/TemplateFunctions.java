package dev.vane.jinja;

import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/** The functions chat templates call besides Jinja's own: raise_exception and strftime_now. */
public final class TemplateFunctions {
    private TemplateFunctions() {}

    /** raise_exception(message): the template refuses the conversation; the render fails with message. */
    public static Object raiseException(String message) {
        throw new TemplateRaisedException(message);
    }

    /**
     * strftime_now(format): the current local time in Python's strftime format (e.g. "%d %b %Y" gives
     * "26 Jul 2024"), by the clock of the render (the system's, or the one given to JinjaChatFormat).
     */
    public static String strftimeNow(String format) {
        JinjavaConfig c = JinjavaInterpreter.getCurrent().getConfig();
        return strftime(Instant.ofEpochMilli(c.getDateTimeProvider().getCurrentTimeMillis()).atZone(c.getTimeZone()), format);
    }

    /** Python's strftime of the directives templates use (%d %m %Y %y %b %B %a %A %H %I %M %S %p %j %e %%); others are kept as written. */
    static String strftime(ZonedDateTime t, String format) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                s.append(c);
                continue;
            }
            char d = format.charAt(++i);
            switch (d) {
                case 'd' -> s.append(String.format("%02d", t.getDayOfMonth()));
                case 'e' -> s.append(String.format("%2d", t.getDayOfMonth()));
                case 'm' -> s.append(String.format("%02d", t.getMonthValue()));
                case 'Y' -> s.append(t.getYear());
                case 'y' -> s.append(String.format("%02d", t.getYear() % 100));
                case 'b' -> s.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> s.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> s.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> s.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'H' -> s.append(String.format("%02d", t.getHour()));
                case 'I' -> s.append(String.format("%02d", (t.getHour() + 11) % 12 + 1));
                case 'M' -> s.append(String.format("%02d", t.getMinute()));
                case 'S' -> s.append(String.format("%02d", t.getSecond()));
                case 'p' -> s.append(t.getHour() < 12 ? "AM" : "PM");
                case 'j' -> s.append(String.format("%03d", t.getDayOfYear()));
                case '%' -> s.append('%');
                default -> s.append('%').append(d);
            }
        }
        return s.toString();
    }
}
