package rmq.golden;

import java.io.File;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.message.MessageId;
import org.apache.rocketmq.common.protocol.body.RegisterBrokerBody;
import org.apache.rocketmq.remoting.protocol.RemotingSerializable;

/**
 * The reverse direction: decodes bytes written by our Rust encoders with the real 4.9.7 classes.
 *
 * <p>Usage: {@code GoldenCheck <inDir> <outDir>}. {@code inDir/manifest.txt} has one line per
 * vector, {@code name kind class} ({@code -} for no class); the bytes are {@code inDir/name.bin}.
 * Kinds: {@code frame} ({@code RemotingCommand.decode} + {@code decodeCommandCustomHeader} of the
 * class), {@code message} ({@code MessageDecoder.decode} of records back to back), {@code batch}
 * ({@code MessageDecoder.decodeMessages}), {@code body} ({@code RemotingSerializable.decode} into
 * the class named by its fully qualified name, re-encoded to {@code outDir/name.json}),
 * {@code body-compressed} ({@code RegisterBrokerBody.decode(bytes, true)}, re-encoded as plain
 * JSON) and {@code msgid} (the bytes are an offset message id; {@code decodeMessageId}). For each
 * vector it writes {@code outDir/name.txt} in the format of {@link Dump}, or {@code error=...}.
 */
public class GoldenCheck {
    public static void main(String[] args) throws Exception {
        System.setProperty("rocketmq.remoting.version", "407");
        if (args.length != 2) {
            System.err.println("usage: GoldenCheck <inDir> <outDir>");
            System.exit(2);
        }
        File in = new File(args[0]);
        File out = new File(args[1]);
        if (!out.isDirectory() && !out.mkdirs()) {
            throw new IllegalStateException("cannot create " + out);
        }
        List<String> lines = Files.readAllLines(new File(in, "manifest.txt").toPath(), StandardCharsets.UTF_8);
        int n = 0;
        for (String line : lines) {
            if (line.trim().isEmpty()) {
                continue;
            }
            String[] p = line.trim().split(" ");
            String name = p[0];
            String kind = p[1];
            String cls = p.length > 2 ? p[2] : "-";
            byte[] bytes = Files.readAllBytes(new File(in, name + ".bin").toPath());
            StringBuilder sb = new StringBuilder("kind=" + kind + "\n");
            try {
                switch (kind) {
                    case "frame":
                        Dump.frame(sb, bytes, cls.equals("-") ? null : headerClass(cls));
                        break;
                    case "message":
                        Dump.messages(sb, bytes);
                        break;
                    case "batch":
                        Dump.batch(sb, bytes);
                        break;
                    case "body": {
                        Object o = RemotingSerializable.decode(bytes, Class.forName(cls));
                        Files.write(new File(out, name + ".json").toPath(), RemotingSerializable.encode(o));
                        Dump.line(sb, "decoded", o.getClass().getSimpleName());
                        break;
                    }
                    case "body-compressed": {
                        RegisterBrokerBody b = RegisterBrokerBody.decode(bytes, true);
                        Files.write(new File(out, name + ".json").toPath(), b.encode(false));
                        Dump.line(sb, "decoded", "RegisterBrokerBody");
                        break;
                    }
                    case "msgid": {
                        MessageId id = MessageDecoder.decodeMessageId(new String(bytes, StandardCharsets.UTF_8));
                        InetSocketAddress a = (InetSocketAddress) id.getAddress();
                        Dump.line(sb, "ip", Dump.hex(a.getAddress().getAddress()));
                        Dump.line(sb, "port", a.getPort());
                        Dump.line(sb, "offset", id.getOffset());
                        break;
                    }
                    default:
                        throw new IllegalArgumentException("unknown kind " + kind);
                }
            } catch (Throwable t) {
                Dump.line(sb, "error", t.toString());
            }
            try (Writer w = new OutputStreamWriter(new FileOutputStream(new File(out, name + ".txt")),
                StandardCharsets.UTF_8)) {
                w.write(sb.toString());
            }
            n++;
        }
        System.out.println("GOLDENCHECK vectors=" + n);
    }

    static Class<?> headerClass(String simple) throws ClassNotFoundException {
        String[] pkgs = {
            "org.apache.rocketmq.common.protocol.header.",
            "org.apache.rocketmq.common.protocol.header.namesrv.",
            "org.apache.rocketmq.common.protocol.header.filtersrv.",
        };
        for (String p : pkgs) {
            try {
                return Class.forName(p + simple);
            } catch (ClassNotFoundException e) {
                // try the next package
            }
        }
        throw new ClassNotFoundException(simple);
    }
}
