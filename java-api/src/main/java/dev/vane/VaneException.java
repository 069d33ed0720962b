package dev.vane;

import dev.vane.bindings.VaneStatus;

/** A native Vane call failed: carries the vane_status code and libvane's message. */
public class VaneException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public VaneException(int status, String message) {
        super(VaneStatus.name(status) + ": " + message);
        this.status = status;
    }

    /** The negative vane_status code (see vane.h). */
    public int status() {
        return status;
    }

    /** The symbolic status, e.g. "VANE_E_NON_FINITE". */
    public String statusName() {
        return VaneStatus.name(status);
    }
}
