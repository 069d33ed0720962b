package dev.vane.model.chat;

/**
 * Chat templates as model files carry them (tokenizer.chat_template), copied from the models'
 * tokenizer_config.json or shortened to the part that holds llama.cpp's markers. Each is valid
 * Jinja, so llama.cpp parses it when it is put into a GGUF file.
 */
final class RealTemplates {
    private RealTemplates() {}

    /** meta-llama/Meta-Llama-3-8B-Instruct. */
    static final String LLAMA3_INSTRUCT = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
            + "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}"
            + "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

    /** meta-llama/Llama-2-7b-chat-hf: <<SYS>> and content.strip(). */
    static final String LLAMA2_CHAT = "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
            + "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}"
            + "{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
            + "{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}"
            + "{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
            + "{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

    /** A Llama 2 template with <<SYS>>, neither stripping contents nor repeating the BOS. */
    static final String LLAMA2_SYS = "{% for message in messages %}{% if message['role'] == 'system' %}"
            + "{{ '<<SYS>>\\n' + message['content'] + '\\n<</SYS>>\\n\\n' }}{% elif message['role'] == 'user' %}"
            + "{{ '[INST] ' + message['content'] + ' [/INST]' }}{% else %}{{ message['content'] + eos_token }}{% endif %}{% endfor %}";

    /** A Llama 2 template with <<SYS>> that puts a BOS before every [INST]. */
    static final String LLAMA2_SYS_BOS = "{% for message in messages %}{% if message['role'] == 'system' %}"
            + "{{ '<<SYS>>\\n' + message['content'] + '\\n<</SYS>>\\n\\n' }}{% elif message['role'] == 'user' %}"
            + "{{ bos_token + '[INST] ' + message['content'] + ' [/INST]' }}{% else %}{{ message['content'] + eos_token }}{% endif %}{% endfor %}";

    /** mistralai/Mistral-7B-Instruct-v0.1: [INST] without any system support, which llama.cpp reads as plain llama2. */
    static final String MISTRAL_INSTRUCT_V01 = "{{ bos_token }}{% for message in messages %}"
            + "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
            + "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}"
            + "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";

    /** Mistral's official v1 template (mistralai cookbook), the part with ' [INST] ' + system_message. */
    static final String MISTRAL_V1 = "{%- if messages[0]['role'] == 'system' %}{%- set system_message = messages[0]['content'] %}"
            + "{%- set loop_messages = messages[1:] %}{%- else %}{%- set loop_messages = messages %}{%- endif %}{{- bos_token }}"
            + "{%- for message in loop_messages %}{%- if message['role'] == 'user' %}{%- if loop.first and system_message is defined %}"
            + "{{- ' [INST] ' + system_message + '\\n\\n' + message['content'] + ' [/INST]' }}{%- else %}"
            + "{{- ' [INST] ' + message['content'] + ' [/INST]' }}{%- endif %}{%- elif message['role'] == 'assistant' %}"
            + "{{- ' ' + message['content'] + eos_token}}{%- endif %}{%- endfor %}";

    /** mistralai/Mistral-7B-Instruct-v0.3, shortened: [AVAILABLE_TOOLS] and "[INST] ". */
    static final String MISTRAL_V3 = "{%- for message in messages %}{%- if message[\"role\"] == \"user\" %}"
            + "{%- if tools is defined and tools %}{{- \"[AVAILABLE_TOOLS] \" + (tools | tojson) + \"[/AVAILABLE_TOOLS]\" }}{%- endif %}"
            + "{{- \"[INST] \" + message[\"content\"] + \"[/INST]\" }}{%- elif message[\"role\"] == \"assistant\" %}"
            + "{{- \" \" + message[\"content\"] | trim + eos_token }}{%- endif %}{%- endfor %}";

    /** mistralai/Mistral-Nemo-Instruct-2407 (v3 Tekken), shortened: [AVAILABLE_TOOLS] and "[INST]". */
    static final String MISTRAL_V3_TEKKEN = "{%- for message in messages %}{%- if message[\"role\"] == \"user\" %}"
            + "{%- if tools is defined and tools %}{{- \"[AVAILABLE_TOOLS]\" + (tools | tojson) + \"[/AVAILABLE_TOOLS]\" }}{%- endif %}"
            + "{{- \"[INST]\" + message[\"content\"] + \"[/INST]\" }}{%- elif message[\"role\"] == \"assistant\" %}"
            + "{{- message[\"content\"] + eos_token }}{%- endif %}{%- endfor %}";

    /** mistralai/Mistral-Small-24B-Instruct-2501 (v7), shortened: [SYSTEM_PROMPT]. */
    static final String MISTRAL_V7 = "{{- bos_token }}{%- for message in messages %}{%- if message['role'] == 'user' %}"
            + "{{- '[INST]' + message['content'] + '[/INST]' }}{%- elif message['role'] == 'system' %}"
            + "{{- '[SYSTEM_PROMPT]' + message['content'] + '[/SYSTEM_PROMPT]' }}{%- elif message['role'] == 'assistant' %}"
            + "{{- message['content'] + eos_token }}{%- endif %}{%- endfor %}";

    /** Qwen/Qwen2-7B-Instruct (ChatML). */
    static final String QWEN2 = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
            + "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
            + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /** A Zephyr-style template that writes <|user|> and <|endoftext|> and builds the other headers from the role. */
    static final String ZEPHYR_BY_ROLE = "{% for message in messages %}{% if message['role'] == 'user' %}"
            + "{{ '<|user|>\\n' + message['content'] + '<|endoftext|>\\n' }}{% else %}"
            + "{{ '<|' + message['role'] + '|>\\n' + message['content'] + '<|endoftext|>\\n' }}{% endif %}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|' + 'assistant' + '|>\\n' }}{% endif %}";

    /** HuggingFaceH4/zephyr-7b-beta: it names <|assistant|> and <|user|> and no </s>, which llama.cpp reads as glmedge. */
    static final String ZEPHYR_7B_BETA = "{% for message in messages %}\n{% if message['role'] == 'user' %}\n"
            + "{{ '<|user|>\\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n"
            + "{{ '<|system|>\\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n"
            + "{{ '<|assistant|>\\n'  + message['content'] + eos_token }}\n{% endif %}\n"
            + "{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}";

    /** google/gemma-7b-it. */
    static final String GEMMA_IT = "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
            + "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}"
            + "{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}";

    /** microsoft/Phi-3-mini-4k-instruct. */
    static final String PHI3 = "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\\n' + message['content'] + '<|end|>\\n'}}"
            + "{% elif message['role'] == 'user' %}{{'<|user|>\\n' + message['content'] + '<|end|>\\n'}}{% elif message['role'] == 'assistant' %}"
            + "{{'<|assistant|>\\n' + message['content'] + '<|end|>\\n'}}{% endif %}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% else %}{{ eos_token }}{% endif %}";

    /** microsoft/phi-4: it contains ChatML's <|im_start|>, but its <|im_sep|> makes it another format. */
    static final String PHI4 = "{% for message in messages %}{% if (message['role'] == 'system') %}"
            + "{{'<|im_start|>system<|im_sep|>' + message['content'] + '<|im_end|>'}}{% elif (message['role'] == 'user') %}"
            + "{{'<|im_start|>user<|im_sep|>' + message['content'] + '<|im_end|>'}}{% elif (message['role'] == 'assistant') %}"
            + "{{'<|im_start|>assistant<|im_sep|>' + message['content'] + '<|im_end|>'}}{% endif %}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant<|im_sep|>' }}{% endif %}";

    /**
     * openai/gpt-oss-20b (harmony), shortened to its main loop: the system header, the developer
     * message and the user and assistant turns with their channels (no tools).
     */
    static final String GPT_OSS = "{{- \"<|start|>system<|message|>\" }}{{- \"You are ChatGPT, a large language model trained by OpenAI.\\n\" }}"
            + "{{- \"Knowledge cutoff: 2024-06\\n\" }}{%- if reasoning_effort is not defined %}{%- set reasoning_effort = \"medium\" %}{%- endif %}"
            + "{{- \"Reasoning: \" + reasoning_effort + \"\\n\\n\" }}"
            + "{{- \"# Valid channels: analysis, commentary, final. Channel must be included for every message.\" }}{{- \"<|end|>\" }}"
            + "{%- if messages[0].role == \"developer\" or messages[0].role == \"system\" %}{%- set developer_message = messages[0].content %}"
            + "{%- set loop_messages = messages[1:] %}{%- else %}{%- set developer_message = \"\" %}{%- set loop_messages = messages %}{%- endif %}"
            + "{%- if developer_message %}{{- \"<|start|>developer<|message|>\" }}{{- \"# Instructions\\n\\n\" }}{{- developer_message }}"
            + "{{- \"\\n\\n\" }}{{- \"<|end|>\" }}{%- endif %}"
            + "{%- for message in loop_messages -%}{%- if message.role == 'assistant' -%}{%- if loop.last and not add_generation_prompt %}"
            + "{{- \"<|start|>assistant<|channel|>final<|message|>\" + message.content + \"<|return|>\" }}{%- else %}"
            + "{{- \"<|start|>assistant<|channel|>final<|message|>\" + message.content + \"<|end|>\" }}{%- endif %}"
            + "{%- elif message.role == 'user' -%}{{- \"<|start|>user<|message|>\" + message.content + \"<|end|>\" }}{%- endif -%}{%- endfor -%}"
            + "{%- if add_generation_prompt -%}<|start|>assistant{%- endif -%}";
}
