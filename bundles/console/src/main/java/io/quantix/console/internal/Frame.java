package io.quantix.console.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * One screen of the console: exactly {@link #ROWS} lines of at most {@link #COLS} columns (a serial console's
 * 80x24), each with a style the renderer shows as colour, or not at all without colour. Longer text is cut, never
 * wrapped, so a line can never push the rest of the screen down.
 */
record Frame(List<Line> lines) {
    static final int COLS = 80;
    static final int ROWS = 24;

    enum Style { NORMAL, TITLE, GOOD, WARN, BAD, KEYS, DIM }

    record Line(String text, Style style) {
        Line {
            text = fit(text);
        }
    }

    Frame {
        lines = List.copyOf(lines);
        if (lines.size() != ROWS) {
            throw new IllegalArgumentException("a frame has " + ROWS + " lines, not " + lines.size());
        }
    }

    String text() {
        StringBuilder out = new StringBuilder();
        for (Line line : lines) {
            out.append(line.text().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /** Control characters become '?', so nothing from a log or a host name can move the cursor. */
    static String fit(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), COLS));
        for (int i = 0; i < text.length() && out.length() < COLS; i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ? '?' : c);
        }
        return out.toString();
    }

    static Builder builder() {
        return new Builder();
    }

    /** Lines top to bottom; {@link #footer} lines go to the bottom rows whatever the body's length. */
    static final class Builder {
        private final List<Line> body = new ArrayList<>();
        private final List<Line> footer = new ArrayList<>();

        Builder line(String text) {
            return line(text, Style.NORMAL);
        }

        Builder line(String text, Style style) {
            body.add(new Line(text, style));
            return this;
        }

        Builder blank() {
            return line("");
        }

        Builder footer(String text, Style style) {
            footer.add(new Line(text, style));
            return this;
        }

        int row() {
            return body.size();
        }

        Frame build() {
            List<Line> all = new ArrayList<>(body.subList(0, Math.min(body.size(), ROWS - footer.size())));
            while (all.size() < ROWS - footer.size()) {
                all.add(new Line("", Style.NORMAL));
            }
            all.addAll(footer.subList(0, Math.min(footer.size(), ROWS)));
            return new Frame(all.subList(0, ROWS));
        }
    }

    /** "Label:" padded to a column, then the value. */
    static String field(String label, String value) {
        return String.format("   %-16s %s", label + ":", value);
    }

    /** A bar of {@code width} cells, '#' for the used part: ASCII, so it survives any serial line. */
    static String bar(double fraction, int width) {
        double f = Double.isNaN(fraction) ? 0 : Math.max(0, Math.min(1, fraction));
        int used = (int) Math.round(f * width);
        return "[" + "#".repeat(used) + ".".repeat(width - used) + "]";
    }

    static String center(String text) {
        int pad = Math.max(0, (COLS - text.length()) / 2);
        return " ".repeat(pad) + text;
    }
}
