/** The small demo model and EmbeddedModel to load it; its GGUF file stays encapsulated in this module. */
module dev.vane.embedded {
    requires transitive dev.vane;

    exports dev.vane.embedded;
}
