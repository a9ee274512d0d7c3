package rmq.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of a sending tool, read as differences between two reports. */
final class SendStats {
    final LongAdder sends = new LongAdder();
    final LongAdder messages = new LongAdder();
    final LongAdder rtSumMs = new LongAdder();
    final LongAdder sendFailed = new LongAdder();
    final LongAdder responseFailed = new LongAdder();
    /** Largest RT since start. */
    final AtomicLong maxRtMs = new AtomicLong();
    /** Largest RT since the last report. */
    final AtomicLong windowMaxRtMs = new AtomicLong();

    void ok(long rtMs, int msgs) {
        sends.increment();
        messages.add(msgs);
        rtSumMs.add(rtMs);
        Common.updateMax(maxRtMs, rtMs);
        Common.updateMax(windowMaxRtMs, rtMs);
    }

    Snap snap() {
        Snap s = new Snap();
        s.nanos = System.nanoTime();
        s.sends = sends.sum();
        s.messages = messages.sum();
        s.rtSumMs = rtSumMs.sum();
        s.sendFailed = sendFailed.sum();
        s.responseFailed = responseFailed.sum();
        s.windowMaxRtMs = windowMaxRtMs.getAndSet(0);
        return s;
    }

    static final class Snap {
        long nanos;
        long sends;
        long messages;
        long rtSumMs;
        long sendFailed;
        long responseFailed;
        long windowMaxRtMs;

        double secondsSince(Snap earlier) {
            return Math.max(1e-9, (nanos - earlier.nanos) / 1e9);
        }

        long perSecond(long now, long then, Snap earlier) {
            return Math.round((now - then) / secondsSince(earlier));
        }

        double avgRtSince(Snap earlier) {
            long n = sends - earlier.sends;
            return n == 0 ? 0.0 : (double) (rtSumMs - earlier.rtSumMs) / n;
        }
    }
}
