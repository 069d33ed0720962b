package dev.vane.jinja;

import static dev.vane.model.chat.ChatMessage.assistant;
import static dev.vane.model.chat.ChatMessage.system;
import static dev.vane.model.chat.ChatMessage.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vane.model.chat.ChatFormat;
import dev.vane.model.chat.ChatFormatProvider.SpecialTokenTexts;
import dev.vane.model.chat.ChatMessage;
import dev.vane.model.chat.ChatTemplate;
import dev.vane.model.chat.ModelChatFormat;
import dev.vane.model.chat.ToolCall;
import dev.vane.model.chat.ToolCallFormat;
import dev.vane.model.json.Json;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Python-Jinja features chat templates use, the errors of bad templates, and how the SDK picks this format. */
class JinjaChatFormatTest {
    private static final SpecialTokenTexts TOKENS = new SpecialTokenTexts("<s>", "</s>");
    // No system message: a template that does not print one gets it merged into the next user message (as llama.cpp does).
    private static final List<ChatMessage> CHAT = List.of(user(" sys "), assistant("Hi"), user("Hello"));

    private static String render(String template, List<ChatMessage> chat) {
        return new JinjaChatFormat(template, TOKENS).renderText(chat, List.of(), true);
    }

    @Test
    void pythonStringAndListMethods() {
        assertEquals("sys|SYS|Sys|yes|no", render("{{ messages[0].content.strip() }}|{{ messages[0].content.strip().upper() }}|"
                + "{{ messages[0].content.strip().title() }}|{{ 'yes' if messages[1].content.startswith('H') else 'no' }}|"
                + "{{ 'yes' if messages[1].content.endswith(('x', 'y')) else 'no' }}", CHAT));
        assertEquals("a,b,|b|-x-", render("{% set p = 'a</t>b</t>'.split('</t>') %}{{ p | join(',') }}|{{ 'a</t>b'.split('</t>')[-1] }}|"
                + "{{ '\\n\\nx\\n'.lstrip('\\n').rstrip('\\n').replace('x', '-x-') }}", CHAT));
        assertEquals("user,assistant,user,", render("{% for m in messages[::-1] %}{{ m.role }},{% endfor %}", CHAT));
        assertEquals("2", render("{% set ns = namespace(last=messages|length - 1) %}{{ ns.last }}", CHAT));
        assertEquals("first:user last:user", render("{% for m in messages %}{% if loop.first %}first:{{ m.role }}{% endif %}"
                + "{% if loop.last %} last:{{ m.role }}{% endif %}{% endfor %}", CHAT));
    }

    @Test
    void theRealGptOssAndMistralTemplatesGiveTheirToolCallFormats() throws Exception {
        assertEquals(ToolCallFormat.HARMONY, JinjaChatFormat.toolCallFormatOf(TestModels.llamaCppTemplate("openai-gpt-oss-120b.jinja")));
        assertEquals(ToolCallFormat.MISTRAL, JinjaChatFormat.toolCallFormatOf(TestModels.llamaCppTemplate("mistralai-Mistral-Nemo-Instruct-2407.jinja")));
        for (String f : List.of("Mistral-Small-3.2-24B-Instruct-2506.jinja", "unsloth-mistral-Devstral-Small-2507.jinja", "mistralai-Ministral-3-14B-Reasoning-2512.jinja")) {
            assertEquals(ToolCallFormat.MISTRAL_ARGS, JinjaChatFormat.toolCallFormatOf(TestModels.llamaCppTemplate(f)), f);
        }
        // Harmony's markers without a functions recipient are no tool-call syntax.
        assertEquals(ToolCallFormat.NONE, JinjaChatFormat.toolCallFormatOf("{{ '<|start|>assistant<|channel|>final<|message|>' }}{{ 'to=' }}"));
        assertEquals(ToolCallFormat.HARMONY, JinjaChatFormat.toolCallFormatOf("{{ '<|start|>assistant to=' }}{{ \"functions.\" + name + '<|channel|>commentary ' }}"));
    }

    @Test
    void macroParametersWithDefaults() {
        // gpt-oss's template: a default after a whitespace-control sign; the keyword rewrite leaves definitions alone.
        assertEquals("a:no|b:yes", render("{%- macro f(x, strict=false) -%}{{ x }}:{{ 'yes' if strict else 'no' }}{%- endmacro -%}"
                + "{{ f('a') }}|{{ f('b', strict=messages|length > 1) }}", CHAT));
    }

    @Test
    void notBindsAsInPython() {
        // not binds more loosely than tests, comparisons and filters, more tightly than and / or.
        assertEquals("yes|yes|no|yes", render("{{ 'yes' if not undefined_name is defined else 'no' }}|{{ 'yes' if not 1 == 2 else 'no' }}|"
                + "{{ 'yes' if not messages|length > 1 else 'no' }}|{{ 'yes' if not false and not (1 > 2) else 'no' }}", CHAT));
        assertEquals("[True, False]|yes|yes", render("{{ [not 'a' in 'b', not not 0] | string | replace('true', 'True') | replace('false', 'False') }}|"
                + "{{ 'yes' if messages is not none else 'no' }}|{{ 'yes' if 'x' not in 'abc' else 'no' }}", CHAT));
        assertEquals("yes", render("{%- if not messages[0].role == 'assistant' -%} yes {%- endif -%}", CHAT));
    }

    @Test
    void stringsAndDictsAreIterableAsInPython() {
        assertEquals("True True True True False", render("{{ 'a' is iterable }} {{ {} is iterable }} {{ 'a' is sequence }} "
                + "{{ messages is iterable }} {{ 1 is iterable }}", CHAT).replace("true", "True").replace("false", "False"));
    }

    @Test
    void theFunctionsAreDefined() {
        assertEquals("yes yes", render("{{ 'yes' if strftime_now is defined else 'no' }} {{ 'yes' if raise_exception is defined else 'no' }}", CHAT));
    }

    @Test
    void tojsonAsPythonWritesIt() {
        assertEquals("{\"a\": [1, \"x\"], \"b\": {}}", render("{{ {'a': [1, 'x'], 'b': {} } | tojson }}", CHAT));
        assertEquals("{\n  \"a\": [\n    1\n  ]\n}", render("{{ {'a': [1]} | tojson(indent=2) }}", CHAT));
        assertEquals("\"\u00e9\\n\"", render("{{ '\u00e9\\n' | tojson }}", CHAT));
    }

    @Test
    void strftimeAsPythonWritesIt() {
        ZonedDateTime t = ZonedDateTime.of(2024, 7, 26, 9, 5, 3, 0, ZoneOffset.UTC);
        assertEquals("26 Jul 2024 09:05:03 Friday 100%", TemplateFunctions.strftime(t, "%d %b %Y %H:%M:%S %A 100%%"));
        assertTrue(render("{{ strftime_now('%Y') }}", CHAT).matches("\\d{4}"));
        // A given clock: its instant in its zone (23:30 UTC is 00:30 the next day in Paris).
        Clock clock = Clock.fixed(Instant.parse("2025-03-09T23:30:00Z"), ZoneId.of("Europe/Paris"));
        assertEquals("10 Mar 2025 00:30", new JinjaChatFormat("{{ strftime_now('%d %b %Y %H:%M') }}", TOKENS, clock).renderText(CHAT, List.of(), true));
    }

    @Test
    void aTemplateThatRaisesSaysWhy() {
        var e = assertThrows(TemplateRenderException.class, () -> render("{% if messages[1].role != 'user' %}{{ raise_exception('Conversation roles must alternate') }}{% endif %}", CHAT));
        assertEquals("the chat template refused the conversation: Conversation roles must alternate", e.getMessage());
        var bad = assertThrows(TemplateRenderException.class, () -> render("{% for m in messages %}{{ m.role }}", CHAT));
        assertTrue(bad.getMessage().startsWith("the chat template failed"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> render("{{ messages }}", List.of()));
    }

    @Test
    void systemMessagesOfATemplateWithoutASystemRoleOpenTheNextUserMessage() {
        String noSystem = "{% for m in messages %}{% if m.role == 'system' %}{{ raise_exception('no system role') }}{% endif %}[{{ m.role }}:{{ m.content }}]{% endfor %}";
        assertEquals("[user:a\nb\nHi]", render(noSystem, List.of(system("a"), system("b"), user("Hi"))));
    }

    @Test
    void theLeadingBosAndTrailingEosAreLeftToTheTokenizer() {
        assertEquals("[INST] Hi [/INST]", render("{{ bos_token }}[INST] {{ messages[0].content }} [/INST]", List.of(user("Hi"))));
        assertEquals("Hi", render("{{ messages[0].content }}{{ eos_token }}", List.of(user("Hi"))));
    }

    @Test
    void theSdkFindsThisProviderAndFallsBack() throws Exception {
        ChatFormat qwen = ModelChatFormat.choose(TestModels.realTemplate("qwen3"), TOKENS);
        assertInstanceOf(JinjaChatFormat.class, qwen);
        assertEquals(ToolCallFormat.HERMES, qwen.toolCallFormat());
        assertEquals(List.of("<|im_end|>"), qwen.stopTokens());
        assertEquals(List.of("<|eot_id|>"), ModelChatFormat.choose(TestModels.realTemplate("llama3"), TOKENS).stopTokens());
        // A template jinjava cannot render falls back to the built-in format its markers name, else ChatML.
        assertEquals(ChatTemplate.LLAMA3, ModelChatFormat.choose("{% for m in messages %}<|start_header_id|><|end_header_id|>", TOKENS));
        assertEquals(ChatTemplate.CHATML, ModelChatFormat.choose("{% if %}", TOKENS));
        assertEquals(ChatTemplate.CHATML, ModelChatFormat.choose(null, TOKENS));
    }

    @Test
    void llama32ToolCallsAreReadAsTheTemplateWritesThem() throws Exception {
        SpecialTokenTexts tokens = new SpecialTokenTexts("<|begin_of_text|>", "<|eot_id|>");
        ChatFormat llama = ModelChatFormat.choose(TestModels.realTemplate("llama3_2"), tokens);
        assertInstanceOf(JinjaChatFormat.class, llama);
        assertEquals(ToolCallFormat.LLAMA3_JSON, llama.toolCallFormat());
        // The call as the template writes it into the history parses back to the same call.
        ToolCall call = new ToolCall("call_1", "get_weather", "{\"city\": \"Paris\"}");
        String text = ((JinjaChatFormat) llama).renderText(List.of(user("Weather?"), ChatMessage.assistant("", List.of(call))), Conversations.TOOLS, false);
        String header = "<|start_header_id|>assistant<|end_header_id|>\n\n";
        String reply = text.substring(text.lastIndexOf(header) + header.length()).replace("<|eot_id|>", "");
        var parsed = llama.toolCallFormat().parse(reply);
        assertEquals("", parsed.content());
        assertEquals(List.of("get_weather"), parsed.toolCalls().stream().map(ToolCall::name).toList());
        assertEquals(Json.parse(call.arguments()), Json.parse(parsed.toolCalls().getFirst().arguments()));
        // The Llama 3 and 3.1 templates of the npm packages render no tools: no tool-call syntax.
        assertEquals(ToolCallFormat.NONE, ModelChatFormat.choose(TestModels.realTemplate("llama3_1"), tokens).toolCallFormat());
        assertEquals(ToolCallFormat.NONE, ModelChatFormat.choose(TestModels.realTemplate("llama3"), tokens).toolCallFormat());
    }

    @Test
    void mistralAndGptOssToolCallsAreReadAsTheTemplatesWriteThem() throws Exception {
        // Two calls as each template writes them into the history parse back to the same calls.
        ToolCall paris = new ToolCall("call0001a", "get_weather", "{\"city\":\"Paris\"}"), time = new ToolCall("call0002b", "get_time", "{}");
        List<ChatMessage> chat = List.of(user("Weather and time?"), ChatMessage.assistant("", List.of(paris, time)));
        for (String f : List.of("mistralai-Mistral-Nemo-Instruct-2407.jinja", "Mistral-Small-3.2-24B-Instruct-2506.jinja",
                "unsloth-mistral-Devstral-Small-2507.jinja", "mistralai-Ministral-3-14B-Reasoning-2512.jinja")) {
            JinjaChatFormat mistral = new JinjaChatFormat(TestModels.llamaCppTemplate(f), TOKENS);
            String text = mistral.renderText(chat, Conversations.TOOLS, false);
            String reply = text.substring(text.indexOf("[TOOL_CALLS]")).replace("</s>", "");
            var calls = mistral.toolCallFormat().parse(reply).toolCalls();
            assertEquals(List.of("get_weather", "get_time"), calls.stream().map(ToolCall::name).toList(), f + ": " + reply);
            assertEquals(Json.parse(paris.arguments()), Json.parse(calls.getFirst().arguments()), f);
        }
        JinjaChatFormat oss = new JinjaChatFormat(TestModels.llamaCppTemplate("openai-gpt-oss-120b.jinja"), TOKENS);
        String text = oss.renderText(chat, Conversations.TOOLS, false);
        String reply = text.substring(text.lastIndexOf("<|start|>assistant"));
        // gpt-oss's template writes a message's first call only (harmony has one call a message); ids are not written.
        assertEquals(List.of(new ToolCall(null, "get_weather", "{\"city\":\"Paris\"}")), oss.toolCallFormat().parse(reply).toolCalls(), reply);
    }

    @Test
    void contentsAreMarkedEvenWhereTheScaffoldingHoldsTheSameText() throws Exception {
        JinjaChatFormat qwen = new JinjaChatFormat(TestModels.realTemplate("qwen3"), TOKENS);
        var p = qwen.render(List.of(user("user"), assistant("<|im_end|>"), user("im_start")), List.of(), true);
        assertEquals(List.of("user", "<|im_end|>", "im_start"), p.contentSpans().stream().map(s -> p.text().substring(s.start(), s.end())).toList());
        assertEquals("<|im_start|>user\n".length(), p.contentSpans().getFirst().start());
    }
}
