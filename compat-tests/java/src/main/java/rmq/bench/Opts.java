package rmq.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A small command-line parser for the load tools: {@code -x value} pairs, {@code -x} alone
 * (followed by another flag or nothing) means {@code true}. {@code --name=value} and
 * {@code --name value} are accepted too. Flags a tool does not know are reported on stderr
 * and otherwise ignored.
 */
final class Opts {
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> used = new TreeSet<>();

    Opts(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("-") || a.equals("-")) {
                System.err.printf("ignoring stray argument '%s'%n", a);
                continue;
            }
            String name = a.startsWith("--") ? a.substring(2) : a.substring(1);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length && !isFlag(args[i + 1])) {
                value = args[++i];
            } else {
                value = "true";
            }
            values.put(name, value);
        }
    }

    private static boolean isFlag(String s) {
        // a negative number is a value, not a flag
        return s.startsWith("-") && s.length() > 1 && !Character.isDigit(s.charAt(1));
    }

    boolean has(String name) {
        used.add(name);
        return values.containsKey(name);
    }

    String str(String name, String def) {
        used.add(name);
        String v = values.get(name);
        return v == null ? def : v;
    }

    int integer(String name, int def) {
        String v = str(name, null);
        if (v == null) {
            return def;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-" + name + ": not an integer: " + v);
        }
    }

    double real(String name, double def) {
        String v = str(name, null);
        if (v == null) {
            return def;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-" + name + ": not a number: " + v);
        }
    }

    boolean bool(String name, boolean def) {
        String v = str(name, null);
        if (v == null) {
            return def;
        }
        v = v.trim().toLowerCase();
        return v.equals("true") || v.equals("1") || v.equals("yes") || v.equals("y");
    }

    /** Report flags that were given but never asked for. Call after reading all options. */
    void warnUnused(String tool) {
        for (String k : values.keySet()) {
            if (!used.contains(k)) {
                System.err.printf("%s: ignoring unknown option -%s %s%n", tool, k, values.get(k));
            }
        }
    }

    /** True (after printing {@code usage}) if -h / --help was given. */
    boolean help(String usage) {
        if (values.containsKey("h") || values.containsKey("help")) {
            System.out.println(usage);
            return true;
        }
        return false;
    }
}
