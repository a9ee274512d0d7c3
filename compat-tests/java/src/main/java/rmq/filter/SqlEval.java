/*
 * Differential-test oracle for the rmq `filter` crate: compiles SQL92 expressions with
 * the real rocketmq-filter 4.9.7 (FilterFactory.INSTANCE.get("SQL92").compile(expr)) and
 * evaluates them against property maps through the broker's MessageEvaluationContext,
 * exactly like ExpressionMessageFilter.isMatchedByCommitLog does. Also exposes
 * BloomFilter.createByFn(f, n).generate(key) for the bloom-filter port.
 *
 * Usage: java rmq.filter.SqlEval <input-file>
 *
 * Input (UTF-8, one record per line, fields separated by TAB, strings hex-encoded UTF-8):
 *   M <mapName> [<keyHex>=<valueHex>]...   declare a property map (in order)
 *   E <exprHex>                            an expression, evaluated against every map
 *   B <f> <n> <keyHex>                     bloom filter sizing + bit positions of key
 * Output (one record per line, TAB separated):
 *   C <exprIndex> OK | C <exprIndex> ERR <exception class>
 *   R <exprIndex> <mapIndex> TRUE|FALSE|NULL|ERROR|OTHER
 *   B <f> <n> <k> <m> <pos,pos,...>  |  B <f> <n> ERR
 */
package rmq.filter;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.rocketmq.broker.filter.MessageEvaluationContext;
import org.apache.rocketmq.filter.FilterFactory;
import org.apache.rocketmq.filter.expression.Expression;
import org.apache.rocketmq.filter.util.BloomFilter;
import org.apache.rocketmq.filter.util.BloomFilterData;

public class SqlEval {

    private static String unhex(String hex) {
        byte[] b = new byte[hex.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, false, "UTF-8");
        List<Map<String, String>> maps = new ArrayList<Map<String, String>>();
        int exprIndex = 0;
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(new FileInputStream(args[0]), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                if (f[0].equals("M")) {
                    Map<String, String> m = new HashMap<String, String>();
                    for (int i = 2; i < f.length; i++) {
                        if (f[i].isEmpty()) {
                            continue;
                        }
                        int eq = f[i].indexOf('=');
                        m.put(unhex(f[i].substring(0, eq)), unhex(f[i].substring(eq + 1)));
                    }
                    maps.add(m);
                } else if (f[0].equals("E")) {
                    String sql = unhex(f[1]);
                    Expression expr;
                    try {
                        expr = FilterFactory.INSTANCE.get("SQL92").compile(sql);
                    } catch (Throwable t) {
                        out.println("C\t" + exprIndex + "\tERR\t" + t.getClass().getName());
                        exprIndex++;
                        continue;
                    }
                    out.println("C\t" + exprIndex + "\tOK");
                    for (int j = 0; j < maps.size(); j++) {
                        String r;
                        try {
                            Object v = expr.evaluate(new MessageEvaluationContext(maps.get(j)));
                            if (v == null) {
                                r = "NULL";
                            } else if (v instanceof Boolean) {
                                r = ((Boolean) v) ? "TRUE" : "FALSE";
                            } else {
                                r = "OTHER";
                            }
                        } catch (Throwable t) {
                            r = "ERROR";
                        }
                        out.println("R\t" + exprIndex + "\t" + j + "\t" + r);
                    }
                    exprIndex++;
                } else if (f[0].equals("B")) {
                    int fr = Integer.parseInt(f[1]);
                    int n = Integer.parseInt(f[2]);
                    try {
                        BloomFilter bf = BloomFilter.createByFn(fr, n);
                        BloomFilterData d = bf.generate(unhex(f[3]));
                        StringBuilder sb = new StringBuilder();
                        for (int p : d.getBitPos()) {
                            if (sb.length() > 0) {
                                sb.append(',');
                            }
                            sb.append(p);
                        }
                        out.println("B\t" + fr + "\t" + n + "\t" + bf.getK() + "\t" + bf.getM() + "\t" + sb);
                    } catch (Throwable t) {
                        out.println("B\t" + fr + "\t" + n + "\tERR");
                    }
                } else {
                    throw new IllegalArgumentException("bad input line: " + line);
                }
            }
        }
        out.flush();
    }
}
