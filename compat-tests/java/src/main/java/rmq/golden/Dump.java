package rmq.golden;

import com.alibaba.fastjson.JSON;
import com.alibaba.fastjson.JSONObject;
import com.alibaba.fastjson.parser.Feature;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.CommandCustomHeader;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;

/**
 * Prints what the real 4.9.7 classes decode from some bytes, as {@code key=value} lines.
 *
 * <p>Values are escaped: {@code \\ \n \r \t} and {@code \\uXXXX} (lowercase hex) for the other
 * C0 controls and DEL; everything else is raw UTF-8. Frame keys: {@code serialize, code,
 * language, version, opaque, flag, remark} (absent = null), {@code ext=present|absent},
 * {@code ext.K=V} (non-null values), {@code extnull=K} (keys whose value decoded as null),
 * {@code orderkey=K} (the ext keys in wire order, one line each), {@code body=HEX} (absent =
 * null), {@code hdrclass=C}, {@code hdr.K=V} (the typed header Java decodes, flattened back the
 * way {@code makeCustomHeaderToNet} does) or {@code hdrerror=...}.
 */
public final class Dump {
    private Dump() {
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.toString();
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        }
        return sb.toString();
    }

    static void line(StringBuilder sb, String k, Object v) {
        sb.append(k).append('=').append(v == null ? "" : esc(String.valueOf(v))).append('\n');
    }

    /** Decode a whole frame (with its length field) and print it. */
    static void frame(StringBuilder sb, byte[] bytes, Class<?> headerClass) throws Exception {
        ByteBuffer all = ByteBuffer.wrap(bytes);
        int length = all.getInt();
        line(sb, "lengthField", length);
        line(sb, "frameBytes", bytes.length);
        byte[] rest = new byte[bytes.length - 4];
        System.arraycopy(bytes, 4, rest, 0, rest.length);
        RemotingCommand cmd = RemotingCommand.decode(ByteBuffer.wrap(rest));
        command(sb, cmd);
        int ori = ByteBuffer.wrap(bytes, 4, 4).getInt();
        int hl = ori & 0xFFFFFF;
        byte[] header = new byte[hl];
        System.arraycopy(bytes, 8, header, 0, hl);
        for (String k : ((ori >>> 24) == 0 ? jsonOrder(header) : binaryOrder(header))) {
            line(sb, "orderkey", k);
        }
        if (headerClass != null) {
            header(sb, cmd, headerClass);
        }
    }

    static void command(StringBuilder sb, RemotingCommand cmd) {
        line(sb, "serialize", cmd.getSerializeTypeCurrentRPC());
        line(sb, "code", cmd.getCode());
        line(sb, "language", cmd.getLanguage() == null ? "null" : cmd.getLanguage().name());
        line(sb, "version", cmd.getVersion());
        line(sb, "opaque", cmd.getOpaque());
        line(sb, "flag", cmd.getFlag());
        if (cmd.getRemark() != null) {
            line(sb, "remark", cmd.getRemark());
        }
        HashMap<String, String> ext = cmd.getExtFields();
        line(sb, "ext", ext == null ? "absent" : "present");
        if (ext != null) {
            TreeMap<String, String> sorted = new TreeMap<>();
            for (Map.Entry<String, String> e : ext.entrySet()) {
                if (e.getKey() == null) {
                    line(sb, "extnullkey", e.getValue());
                } else if (e.getValue() == null) {
                    line(sb, "extnull", e.getKey());
                } else {
                    sorted.put(e.getKey(), e.getValue());
                }
            }
            for (Map.Entry<String, String> e : sorted.entrySet()) {
                line(sb, "ext." + esc(e.getKey()), e.getValue());
            }
        }
        if (cmd.getBody() != null) {
            line(sb, "body", hex(cmd.getBody()));
        }
    }

    static void header(StringBuilder sb, RemotingCommand cmd, Class<?> headerClass) {
        line(sb, "hdrclass", headerClass.getSimpleName());
        try {
            @SuppressWarnings("unchecked")
            CommandCustomHeader h = cmd.decodeCommandCustomHeader((Class<? extends CommandCustomHeader>) headerClass);
            RemotingCommand tmp = RemotingCommand.createRequestCommand(0, h);
            tmp.makeCustomHeaderToNet();
            TreeMap<String, String> m = new TreeMap<>(tmp.getExtFields());
            for (Map.Entry<String, String> e : m.entrySet()) {
                line(sb, "hdr." + esc(e.getKey()), e.getValue());
            }
        } catch (Throwable t) {
            line(sb, "hdrerror", t.toString());
        }
    }

    static List<String> jsonOrder(byte[] header) {
        JSONObject o = JSON.parseObject(new String(header, StandardCharsets.UTF_8), Feature.OrderedField);
        List<String> out = new ArrayList<>();
        JSONObject ext = o.getJSONObject("extFields");
        if (ext != null) {
            out.addAll(ext.keySet());
        }
        return out;
    }

    static List<String> binaryOrder(byte[] header) {
        ByteBuffer b = ByteBuffer.wrap(header);
        b.position(13);
        int remarkLen = b.getInt();
        b.position(b.position() + remarkLen);
        int extLen = b.getInt();
        int end = b.position() + extLen;
        List<String> out = new ArrayList<>();
        while (b.position() < end) {
            short kl = b.getShort();
            byte[] k = new byte[kl];
            b.get(k);
            int vl = b.getInt();
            b.position(b.position() + vl);
            out.add(new String(k, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Decode stored-message records back to back (MessageDecoder.decodes with decompression). */
    static void messages(StringBuilder sb, byte[] bytes) {
        ByteBuffer bb = ByteBuffer.wrap(bytes);
        int n = 0;
        while (bb.hasRemaining()) {
            int start = bb.position();
            MessageExt m = MessageDecoder.decode(bb, true, true, false);
            if (m == null) {
                line(sb, "decodeError", "at " + start);
                break;
            }
            message(sb, "m." + n + ".", m, bb.position() - start);
            n++;
        }
        line(sb, "count", n);
    }

    static void message(StringBuilder sb, String p, MessageExt m, int consumed) {
        line(sb, p + "consumed", consumed);
        line(sb, p + "storeSize", m.getStoreSize());
        line(sb, p + "bodyCRC", m.getBodyCRC());
        line(sb, p + "queueId", m.getQueueId());
        line(sb, p + "flag", m.getFlag());
        line(sb, p + "queueOffset", m.getQueueOffset());
        line(sb, p + "commitLogOffset", m.getCommitLogOffset());
        line(sb, p + "sysFlag", m.getSysFlag());
        line(sb, p + "bornTimestamp", m.getBornTimestamp());
        InetSocketAddress bh = (InetSocketAddress) m.getBornHost();
        line(sb, p + "bornHostIp", hex(bh.getAddress().getAddress()));
        line(sb, p + "bornHostPort", bh.getPort());
        line(sb, p + "storeTimestamp", m.getStoreTimestamp());
        InetSocketAddress sh = (InetSocketAddress) m.getStoreHost();
        line(sb, p + "storeHostIp", hex(sh.getAddress().getAddress()));
        line(sb, p + "storeHostPort", sh.getPort());
        line(sb, p + "reconsumeTimes", m.getReconsumeTimes());
        line(sb, p + "preparedTransactionOffset", m.getPreparedTransactionOffset());
        if (m.getBody() != null) {
            line(sb, p + "body", hex(m.getBody()));
        }
        line(sb, p + "topic", m.getTopic());
        line(sb, p + "msgId", m.getMsgId());
        props(sb, p, m.getProperties());
    }

    static void props(StringBuilder sb, String p, Map<String, String> props) {
        if (props == null) {
            return;
        }
        for (Map.Entry<String, String> e : new TreeMap<>(props).entrySet()) {
            line(sb, p + "prop." + esc(e.getKey()), e.getValue());
        }
    }

    /** Decode a batch body (MessageDecoder.decodeMessages). */
    static void batch(StringBuilder sb, byte[] bytes) throws Exception {
        List<Message> msgs = MessageDecoder.decodeMessages(ByteBuffer.wrap(bytes));
        line(sb, "count", msgs.size());
        for (int i = 0; i < msgs.size(); i++) {
            Message m = msgs.get(i);
            String p = "m." + i + ".";
            line(sb, p + "flag", m.getFlag());
            if (m.getBody() != null) {
                line(sb, p + "body", hex(m.getBody()));
            }
            props(sb, p, m.getProperties());
        }
    }
}
