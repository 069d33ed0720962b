package dev.vane.model.chat;

/**
 * Which llama.cpp built-in template a Jinja chat template stands for, found as llama.cpp finds
 * it (llm_chat_detect_template): a template that is exactly a built-in name is that template;
 * otherwise marker substrings are tested in llama.cpp's order. The order matters (a Phi 4
 * template also contains ChatML's <|im_start|>), so every family llama.cpp knows is tested
 * here, including those Vane does not render.
 */
final class TemplateDetection {
    private TemplateDetection() {}

    /** Every built-in template name of llama.cpp (LLM_CHAT_TEMPLATES), rendered by Vane or not. */
    static final java.util.Set<String> LLAMA_CPP_NAMES = java.util.Set.of("chatml", "llama2", "llama2-sys", "llama2-sys-bos",
            "llama2-sys-strip", "mistral-v1", "mistral-v3", "mistral-v3-tekken", "mistral-v7", "mistral-v7-tekken", "phi3", "phi4",
            "falcon3", "zephyr", "monarch", "gemma", "orion", "openchat", "vicuna", "vicuna-orca", "deepseek", "deepseek2", "deepseek3",
            "deepseek-ocr", "command-r", "llama3", "chatglm3", "chatglm4", "glmedge", "minicpm", "exaone3", "exaone4", "exaone-moe",
            "rwkv-world", "granite", "granite-4.0", "granite-4.1", "gigachat", "megrez", "yandex", "bailing", "bailing-think", "bailing2",
            "llama4", "smolvlm", "hunyuan-moe", "gpt-oss", "hunyuan-dense", "hunyuan-vl", "kimi-k2", "seed_oss", "grok-2",
            "pangu-embedded", "solar-open");

    /**
     * The llama.cpp name of the template's family, or null when no marker matches (dots.llm1's
     * format, which llama.cpp recognises but names nothing, is "dots1").
     */
    static String llamaCppName(String t) {
        if (LLAMA_CPP_NAMES.contains(t)) return t;
        if (t.contains("<|im_start|>")) {
            if (t.contains("<|im_sep|>")) return "phi4";
            if (t.contains("<end_of_utterance>")) return "smolvlm";  // <|im_start|> is its BOS, the turns are not ChatML
            return "chatml";
        }
        if (t.startsWith("mistral") || t.contains("[INST]")) return mistralOrLlama2(t);
        if (t.contains("<|assistant|>") && t.contains("<|end|>")) return "phi3";
        if (t.contains("[gMASK]<sop>")) return "chatglm4";
        if (t.contains("<|assistant|>") && t.contains("<|user|>")) {
            if (t.contains("<|tool_declare|>")) return "exaone-moe";
            return t.contains("</s>") ? "falcon3" : "glmedge";
        }
        if (t.contains("<|{{ item['role'] }}|>") && t.contains("<|begin_of_image|>")) return "glmedge";
        if (t.contains("<|user|>") && t.contains("<|endoftext|>")) return "zephyr";
        if (t.contains("bos_token + message['role']")) return "monarch";
        if (t.contains("<start_of_turn>")) return "gemma";
        if (t.contains("'\\n\\nAssistant: ' + eos_token")) return "orion";
        if (t.contains("GPT4 Correct ")) return "openchat";
        if (t.contains("USER: ") && t.contains("ASSISTANT: ")) return t.contains("SYSTEM: ") ? "vicuna-orca" : "vicuna";
        if (t.contains("### Instruction:") && t.contains("<|EOT|>")) return "deepseek";
        if (t.contains("<|START_OF_TURN_TOKEN|>") && t.contains("<|USER_TOKEN|>")) return "command-r";
        if (t.contains("<|start_header_id|>") && t.contains("<|end_header_id|>")) return "llama3";
        if (t.contains("[gMASK]sop")) return "chatglm3";
        if (t.contains("<用户>")) return "minicpm";
        if (t.contains("'Assistant: ' + message['content'] + eos_token")) return "deepseek2";
        if (t.contains("<｜Assistant｜>") && t.contains("<｜User｜>") && t.contains("<｜end▁of▁sentence｜>")) return "deepseek3";
        if (t.contains("[|system|]") && t.contains("[|assistant|]") && t.contains("[|endofturn|]")) return t.contains("[|tool|]") ? "exaone4" : "exaone3";
        if (t.contains("rwkv-world") || t.contains("{{- 'User: ' + message['content']|trim + '\\n\\n' -}}")) return "rwkv-world";
        if (t.contains("<|start_of_role|>")) {
            if (t.contains("<tool_call>") || t.contains("<tools>")) return t.contains("g4_default_system_message") ? "granite-4.0" : "granite-4.1";
            return "granite";
        }
        if (t.contains("message['role'] + additional_special_tokens[0] + message['content'] + additional_special_tokens[1]")) return "gigachat";
        if (t.contains("<|role_start|>")) return "megrez";
        if (t.contains(" Ассистент:")) return "yandex";
        if (t.contains("<role>ASSISTANT</role>") && t.contains("'HUMAN'")) return "bailing";
        if (t.contains("<role>ASSISTANT</role>") && t.contains("\"HUMAN\"") && t.contains("<think>")) return "bailing-think";
        if (t.contains("<role>ASSISTANT</role>") && t.contains("<role>HUMAN</role>") && t.contains("<|role_end|>")) return "bailing2";
        if (t.contains("<|header_start|>") && t.contains("<|header_end|>")) return "llama4";
        if (t.contains("<|endofuserprompt|>")) return "dots1";
        if (t.contains("<|extra_0|>") && t.contains("<|extra_4|>")) return "hunyuan-moe";
        if (t.contains("<|start|>") && t.contains("<|channel|>")) return "gpt-oss";
        if (t.contains("<｜hy_Assistant｜>") && t.contains("<｜hy_begin▁of▁sentence｜>")) return "hunyuan-vl";
        if (t.contains("<｜hy_Assistant｜>") && t.contains("<｜hy_place▁holder▁no▁3｜>")) return "hunyuan-dense";
        if (t.contains("<|im_assistant|>assistant<|im_middle|>")) return "kimi-k2";
        if (t.contains("<seed:bos>")) return "seed_oss";
        if (t.contains("'Assistant: '  + message['content'] + '<|separator|>")) return "grok-2";
        if (t.contains("[unused9]系统：[unused10]")) return "pangu-embedded";
        if (t.contains("<|begin|>") && t.contains("<|end|>") && t.contains("<|content|>")) return "solar-open";
        return null;
    }

    /** The [INST] family: Mistral's official templates by their markers, otherwise Llama 2 and its variants. */
    private static String mistralOrLlama2(String t) {
        if (t.contains("[SYSTEM_PROMPT]")) return "mistral-v7";
        if (t.contains("' [INST] ' + system_message") || t.contains("[AVAILABLE_TOOLS]")) {
            if (t.contains(" [INST]")) return "mistral-v1";
            if (t.contains("\"[INST]\"")) return "mistral-v3-tekken";
            return "mistral-v3";
        }
        if (t.contains("content.strip()")) return "llama2-sys-strip";
        if (t.contains("bos_token + '[INST]")) return "llama2-sys-bos";
        if (t.contains("<<SYS>>")) return "llama2-sys";
        return "llama2";
    }
}
