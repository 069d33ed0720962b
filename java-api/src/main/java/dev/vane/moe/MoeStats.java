package dev.vane.moe;

/**
 * What one {@link MoeLayer#forward(dev.vane.Tensor, dev.vane.Tensor)} call did: the tokens each
 * expert ran, and where the time went (seconds, measured in native code).
 *
 * @param tokensPerExpert tokens routed to each expert
 * @param routeSeconds    router GEMM and gating
 * @param groupSeconds    grouping the (token, expert) pairs by expert and gathering their rows
 * @param expertsSeconds  the expert FFNs (and the shared expert)
 * @param combineSeconds  the weighted sums into y
 */
public record MoeStats(long[] tokensPerExpert, double routeSeconds, double groupSeconds, double expertsSeconds,
        double combineSeconds) {
    public MoeStats {
        tokensPerExpert = tokensPerExpert.clone();
    }

    @Override
    public long[] tokensPerExpert() {
        return tokensPerExpert.clone();
    }

    public double totalSeconds() {
        return routeSeconds + groupSeconds + expertsSeconds + combineSeconds;
    }

    /** Routing, grouping and combining as a share of the layer's time (the MoE machinery's cost). */
    public double overheadShare() {
        double total = totalSeconds();
        return total == 0 ? 0 : (routeSeconds + groupSeconds + combineSeconds) / total;
    }
}
