package dev.vane.model;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * Vane's JDK Flight Recorder events (category "Vane"), recorded only while a recording that
 * enables them runs (docs/OBSERVABILITY.md). Each is begun where its work starts ({@code start()})
 * and committed by {@link Telemetry}, which sets its fields only when {@code shouldCommit()} says
 * the recording wants it. The transient t0 is the start's System.nanoTime, for the observers.
 */
final class JfrEvents {
    private JfrEvents() {}

    @Name("dev.vane.ModelLoad")
    @Label("Model Load")
    @Category("Vane")
    @Description("A model's files read and its weights assembled")
    @StackTrace(false)
    static final class ModelLoad extends Event {
        @Label("Source") @Description("The model file or checkpoint directory")
        String source;
        @Label("Format") @Description("gguf or safetensors")
        String format;
        @Label("Weight Format") @Description("How the matrices are held (AS_IS or a requantization)")
        String weightFormat;
        @Label("Weight Bytes") @DataAmount
        long weightBytes;
        transient long t0;

        static ModelLoad start() {
            ModelLoad e = new ModelLoad();
            e.begin();
            e.t0 = System.nanoTime();
            return e;
        }
    }

    @Name("dev.vane.PrefillChunk")
    @Label("Prefill Chunk")
    @Category("Vane")
    @Description("Tokens one session ran on its own in one forward pass (a chunk of a prompt)")
    @StackTrace(false)
    static final class PrefillChunk extends Event {
        @Label("Tokens")
        int tokens;
        @Label("Start Position") @Description("The session's position before the chunk")
        long startPosition;
        transient long t0;

        static PrefillChunk start() {
            PrefillChunk e = new PrefillChunk();
            e.begin();
            e.t0 = System.nanoTime();
            return e;
        }
    }

    @Name("dev.vane.DecodeStep")
    @Label("Decode Step")
    @Category("Vane")
    @Description("One decode pass over the sessions stepped together")
    @StackTrace(false)
    static final class DecodeStep extends Event {
        @Label("Batch Size") @Description("Sessions in the pass")
        int batchSize;
        @Label("Tokens") @Description("Rows of the pass (a session's pending token and its new one are two)")
        int tokens;
        transient long t0;

        static DecodeStep start() {
            DecodeStep e = new DecodeStep();
            e.begin();
            e.t0 = System.nanoTime();
            return e;
        }
    }

    @Name("dev.vane.Generation")
    @Label("Generation")
    @Category("Vane")
    @Description("One generation, from its start (the prompt's run) to its result")
    @StackTrace(false)
    static final class Generation extends Event {
        @Label("Prompt Tokens")
        int promptTokens;
        @Label("Generated Tokens")
        int generatedTokens;
        @Label("Time To First Token") @Description("The prompt's run and the first draw") @Timespan(Timespan.NANOSECONDS)
        long timeToFirstToken;
        @Label("Stop Reason")
        String stopReason;

        static Generation start() {
            Generation e = new Generation();
            e.begin();
            return e;
        }
    }
}
