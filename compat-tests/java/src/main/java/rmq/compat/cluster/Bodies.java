package rmq.compat.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Message bodies of the cluster drivers: {@code "<index>|"} followed by pseudo-random printable
 * bytes (incompressible enough that the client's zlib compression of bodies over 4 KiB still
 * leaves records of very different sizes), deterministic per index so a consumer can check
 * every byte.
 */
final class Bodies {
    private Bodies() {
    }

    /** Body length of message {@code i}: 16 B .. ~20 KiB, with a few larger ones. */
    static int size(long i) {
        if (i % 97 == 0) {
            return 64 * 1024 + (int) (i % 1000);
        }
        return 16 + (int) ((i * 7919L) % 20000L);
    }

    static byte[] body(long i) {
        byte[] head = (i + "|").getBytes(StandardCharsets.US_ASCII);
        int n = Math.max(size(i), head.length);
        byte[] b = Arrays.copyOf(head, n);
        long x = i * 0x9E3779B97F4A7C15L + 1;
        for (int k = head.length; k < n; k++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b[k] = (byte) (33 + (int) ((x >>> 33) % 94));
        }
        return b;
    }

    /** The index a body claims, or -1. */
    static long index(byte[] body) {
        int bar = -1;
        for (int k = 0; k < body.length && k < 24; k++) {
            if (body[k] == '|') {
                bar = k;
                break;
            }
        }
        if (bar <= 0) {
            return -1;
        }
        try {
            return Long.parseLong(new String(body, 0, bar, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static boolean check(byte[] body) {
        long i = index(body);
        return i >= 0 && Arrays.equals(body, body(i));
    }
}
