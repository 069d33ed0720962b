package dev.vane.bindings;

/** The vane_status codes of vane.h. Values are fixed forever. */
public final class VaneStatus {
    private VaneStatus() {}

    public static final int OK = 0;
    public static final int INVALID_ARGUMENT = -1;
    public static final int UNSUPPORTED = -2;
    public static final int BUFFER_TOO_SMALL = -3;
    public static final int NON_FINITE = -4;
    public static final int OUT_OF_RANGE = -5;
    public static final int OUT_OF_MEMORY = -6;
    public static final int INTERNAL = -7;

    /** The symbolic name of a status, e.g. "VANE_E_NON_FINITE". */
    public static String name(int status) {
        return switch (status) {
            case OK -> "VANE_OK";
            case INVALID_ARGUMENT -> "VANE_E_INVALID_ARGUMENT";
            case UNSUPPORTED -> "VANE_E_UNSUPPORTED";
            case BUFFER_TOO_SMALL -> "VANE_E_BUFFER_TOO_SMALL";
            case NON_FINITE -> "VANE_E_NON_FINITE";
            case OUT_OF_RANGE -> "VANE_E_OUT_OF_RANGE";
            case OUT_OF_MEMORY -> "VANE_E_OUT_OF_MEMORY";
            case INTERNAL -> "VANE_E_INTERNAL";
            default -> "VANE_STATUS(" + status + ")";
        };
    }
}
