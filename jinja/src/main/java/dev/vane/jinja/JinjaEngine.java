package dev.vane.jinja;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.time.Clock;

/**
 * A jinjava set up as Hugging Face's transformers sets up Jinja for chat templates (trim_blocks,
 * lstrip_blocks), with Python's operator precedence and whitespace control, Python's str / list /
 * dict methods and iterable / sequence tests, HF's tojson, raise_exception and strftime_now.
 */
final class JinjaEngine {
    private JinjaEngine() {}

    static Jinjava create() {
        Jinjava jinjava = new Jinjava(config(Clock.systemDefaultZone()));
        function(jinjava, new ELFunctionDefinition("", "raise_exception", TemplateFunctions.class, "raiseException", String.class));
        function(jinjava, new ELFunctionDefinition("", "strftime_now", TemplateFunctions.class, "strftimeNow", String.class));
        jinjava.getGlobalContext().registerFilter(new TojsonFilter());
        jinjava.getGlobalContext().registerExpTest(PythonIterableExpTest.ITERABLE);
        jinjava.getGlobalContext().registerExpTest(PythonIterableExpTest.SEQUENCE);
        return jinjava;
    }

    /** The render settings, with clock as the time strftime_now reads (its instant and time zone). */
    static JinjavaConfig config(Clock clock) {
        return JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withFailOnUnknownTokens(false)
                .withMaxOutputSize(64L << 20)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withEvaluateMapKeys(true)
                        .withKeepNullableLoopValues(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .build())
                .withElResolver(new PythonMethods(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE))
                .withDateTimeProvider(clock::millis)
                .withTimeZone(clock.getZone())
                .build();
    }

    // A function is also a global variable, as in Python's Jinja, so that templates' "strftime_now is
    // defined" holds (jinjava keeps functions apart from variables; a call still finds the function).
    private static void function(Jinjava jinjava, ELFunctionDefinition f) {
        jinjava.getGlobalContext().registerFunction(f);
        jinjava.getGlobalContext().put(f.getLocalName(), f);
    }
}
