/**
 * The Vane SDK: tensors, number formats, kernels and the model runtime. Exports its public
 * packages; dev.vane.internal (argument checks and native-call plumbing) is not exported, and the
 * JSON reader dev.vane.model.json only to vane-jinja, which renders templates with the same values.
 * Run on the module path with {@code --enable-native-access=dev.vane,dev.vane.bindings}.
 */
@SuppressWarnings("module")  // dev.vane.jinja is compiled after this module
module dev.vane {
    requires dev.vane.bindings;
    requires jdk.jfr;
    // MachineCeilings asks com.sun.management for the physical memory, as on the class path.
    requires java.management;
    requires jdk.management;

    exports dev.vane;
    exports dev.vane.attention;
    exports dev.vane.moe;
    exports dev.vane.quant;
    exports dev.vane.model;
    exports dev.vane.model.chat;
    exports dev.vane.model.gguf;
    exports dev.vane.model.grammar;
    exports dev.vane.model.quantize;
    exports dev.vane.model.safetensors;
    exports dev.vane.model.tokenizer;
    exports dev.vane.model.json to dev.vane.jinja;

    // Model.chatFormat() finds vane-jinja's template renderer this way.
    uses dev.vane.model.chat.ChatFormatProvider;
}
