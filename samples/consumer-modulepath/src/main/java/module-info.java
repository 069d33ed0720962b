/** A user's application on the module path: it needs dev.vane (the SDK) and dev.vane.embedded (a model to run). */
module example.consumer {
    requires dev.vane.embedded;
}
