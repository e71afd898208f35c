package app;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** JSON structured logs, one object per line on stdout, with trace and span ids. */
public final class JsonLog {
    private static final Pattern TRACEPARENT = Pattern.compile("^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$");
    private static final SecureRandom RANDOM = new SecureRandom();
    private final String service;

    public JsonLog(String service) {
        this.service = service;
    }

    /** The W3C traceparent header's trace id with a new span id, or fresh ids. */
    public static String[] traceIds(String header) {
        Matcher m = TRACEPARENT.matcher(header == null ? "" : header);
        return new String[] {m.matches() ? m.group(1) : randomHex(16), randomHex(8)};
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public String format(String level, String message, Map<String, Object> fields) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("time", Instant.now().toString());
        record.put("level", level);
        record.put("service", service);
        record.put("message", message);
        record.putAll(fields);
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, Object> e : record.entrySet()) {
            if (out.length() > 1) out.append(',');
            out.append(quote(e.getKey())).append(':');
            Object v = e.getValue();
            out.append(v instanceof Number || v instanceof Boolean ? v.toString() : quote(String.valueOf(v)));
        }
        return out.append('}').toString();
    }

    public void info(String message, Map<String, Object> fields) {
        System.out.println(format("info", message, fields));
        System.out.flush();
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.append('"').toString();
    }
}
