package dev.vane.internal;

import dev.vane.VaneException;
import dev.vane.bindings.VaneNative;
import dev.vane.bindings.VaneStatus;

/** Status checking for downcalls. Internal: not part of the API. */
public final class Native {
    private Native() {}

    /** Throws VaneException with libvane's message unless status is VANE_OK. */
    public static void check(int status) {
        if (status != VaneStatus.OK) {
            String message = VaneNative.lastError();  // read first: nothing else may run on this thread in between
            throw new VaneException(status, message);
        }
    }

    /**
     * For {@code catch (Throwable t) { throw Native.rethrow(t); }} around invokeExact: unchecked
     * exceptions and errors pass through unchanged.
     */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("unexpected checked exception from a downcall", t);
    }
}
