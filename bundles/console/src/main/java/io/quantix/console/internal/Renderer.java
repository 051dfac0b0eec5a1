package io.quantix.console.internal;

import java.io.PrintWriter;
import java.util.List;

/**
 * Draws frames on the terminal without flicker: the first frame clears the screen, every later one rewrites only
 * the lines that changed, by cursor address. A terminal without cursor addressing (TERM=dumb) gets the whole frame
 * again, only when it changed; without colour (NO_COLOR, or a terminal without colours) styles are left out.
 */
final class Renderer {
    private static final String ESC = "\033[";

    private final PrintWriter out;
    private final boolean addressable;
    private final boolean colour;
    private List<Frame.Line> shown;

    Renderer(PrintWriter out, boolean addressable, boolean colour) {
        this.out = out;
        this.addressable = addressable;
        this.colour = addressable && colour;
    }

    boolean addressable() {
        return addressable;
    }

    /** The next frame is drawn whole (after something else wrote on the screen). */
    void invalidate() {
        shown = null;
    }

    void draw(Frame frame) {
        List<Frame.Line> lines = frame.lines();
        if (!addressable) {
            if (!lines.equals(shown)) {
                out.print("\r\n");
                for (Frame.Line line : lines) {
                    out.print(line.text().stripTrailing() + "\r\n");
                }
            }
        } else {
            if (shown == null) {
                out.print(ESC + "0m" + ESC + "H" + ESC + "2J");
            }
            for (int i = 0; i < lines.size(); i++) {
                if (shown == null || !lines.get(i).equals(shown.get(i))) {
                    out.print(ESC + (i + 1) + ";1H" + styled(lines.get(i)) + ESC + "K");
                }
            }
        }
        shown = lines;
        out.flush();
    }

    /** Puts the cursor at a row and column (0-based), where typed text appears. */
    void cursor(int row, int col) {
        if (addressable) {
            out.print(ESC + (row + 1) + ";" + (col + 1) + "H");
            out.flush();
        }
    }

    /** Rewrites the rest of a row from a column: the line editor's echo. */
    void writeAt(int row, int col, String text) {
        if (addressable) {
            out.print(ESC + (row + 1) + ";" + (col + 1) + "H" + Frame.fit(text) + ESC + "K");
            out.flush();
        }
    }

    void clear() {
        if (addressable) {
            out.print(ESC + "0m" + ESC + "H" + ESC + "2J");
        } else {
            out.print("\r\n");
        }
        out.flush();
        shown = null;
    }

    private String styled(Frame.Line line) {
        if (!colour || line.style() == Frame.Style.NORMAL) {
            return line.text();
        }
        String sgr = switch (line.style()) {
            case TITLE -> "1;37;44";
            case GOOD -> "32";
            case WARN -> "33";
            case BAD -> "1;31";
            case KEYS -> "30;47";
            case DIM -> "2";
            case NORMAL -> "0";
        };
        // the title and key bars are full-width bands
        String text = line.style() == Frame.Style.TITLE || line.style() == Frame.Style.KEYS
                ? String.format("%-" + Frame.COLS + "s", line.text()) : line.text();
        return ESC + sgr + "m" + text + ESC + "0m";
    }
}
