/**
 * Internal to Vane: libvane's downcall handles and the native loader. Only dev.vane reads them;
 * this is the module that calls the restricted methods (library lookup, downcalls), so it is the
 * one {@code --enable-native-access} must name on the module path.
 */
@SuppressWarnings("module")  // dev.vane is compiled after this module
module dev.vane.bindings {
    exports dev.vane.bindings to dev.vane;
}
