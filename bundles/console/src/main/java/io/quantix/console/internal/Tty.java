package io.quantix.console.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.jline.keymap.BindingReader;
import org.jline.keymap.KeyMap;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;

/**
 * Keys from the console's terminal, in raw mode with the terminal's signals off: Ctrl-C, Ctrl-\ and Ctrl-Z arrive as
 * keys the console ignores or reads as "back", never as a signal that could stop the node or leave a shell behind.
 * Function keys are read as the terminal's terminfo says they are sent, plus the xterm, VT220 and Linux console
 * sequences, since a serial terminal's TERM is often not the terminal at the other end.
 */
final class Tty {
    enum Key { F2, F3, F4, F5, F7, F10, F12, CHAR, ENTER, BACKSPACE, CLEAR_LINE, CTRL_C, ESC, OTHER, TIMEOUT }

    /** A key and, for {@link Key#CHAR}, the character typed. */
    record Press(Key key, char ch) {
        boolean is(char c) {
            return key == Key.CHAR && Character.toLowerCase(ch) == Character.toLowerCase(c);
        }
    }

    private final Terminal terminal;
    private final Renderer renderer;
    private final BindingReader bindings;
    private final KeyMap<Key> keys = new KeyMap<>();
    private Attributes saved;

    Tty(Terminal terminal, Renderer renderer) {
        this.terminal = terminal;
        this.renderer = renderer;
        this.bindings = new BindingReader(terminal.reader());
        bind(Key.F2, Capability.key_f2, "\033OQ", "\033[12~", "\033[[B");
        bind(Key.F3, Capability.key_f3, "\033OR", "\033[13~", "\033[[C");
        bind(Key.F4, Capability.key_f4, "\033OS", "\033[14~", "\033[[D");
        bind(Key.F5, Capability.key_f5, "\033[15~", "\033[[E");
        bind(Key.F7, Capability.key_f7, "\033[18~");
        bind(Key.F10, Capability.key_f10, "\033[21~");
        bind(Key.F12, Capability.key_f12, "\033[24~");
        for (char c = 32; c < 127; c++) {
            keys.bind(Key.CHAR, String.valueOf(c));
        }
        keys.setUnicode(Key.CHAR);
        keys.bind(Key.ENTER, "\r", "\n");
        keys.bind(Key.BACKSPACE, "\177", "\b");
        keys.bind(Key.CLEAR_LINE, KeyMap.ctrl('U'));
        keys.bind(Key.CTRL_C, KeyMap.ctrl('C'), KeyMap.ctrl('\\'), KeyMap.ctrl('Z'), KeyMap.ctrl('D'));
        keys.bind(Key.ESC, "\033");
        keys.setNomatch(Key.OTHER);
        keys.setAmbiguousTimeout(300);
    }

    private void bind(Key key, Capability capability, String... fallbacks) {
        String fromTerminfo = KeyMap.key(terminal, capability);
        if (fromTerminfo != null && !fromTerminfo.isEmpty()) {
            keys.bind(key, fromTerminfo);
        }
        for (String sequence : fallbacks) {
            if (keys.getBound(sequence) == null) {
                keys.bind(key, sequence);
            }
        }
    }

    /** Raw mode without signals; {@link #restore} gives the terminal back as it was (for a shell). */
    void raw() {
        saved = terminal.enterRawMode();
        Attributes attributes = new Attributes(terminal.getAttributes());
        attributes.setLocalFlag(Attributes.LocalFlag.ISIG, false);
        attributes.setLocalFlag(Attributes.LocalFlag.ECHO, false);
        attributes.setLocalFlag(Attributes.LocalFlag.ICANON, false);
        attributes.setLocalFlag(Attributes.LocalFlag.IEXTEN, false);
        attributes.setInputFlag(Attributes.InputFlag.IXON, false);
        attributes.setControlChar(Attributes.ControlChar.VMIN, 1);
        attributes.setControlChar(Attributes.ControlChar.VTIME, 0);
        terminal.setAttributes(attributes);
        for (Terminal.Signal signal : Terminal.Signal.values()) {
            if (signal != Terminal.Signal.WINCH) {
                terminal.handle(signal, Terminal.SignalHandler.SIG_IGN);
            }
        }
    }

    /** The terminal's modes from before {@link #raw}: cooked, echoing, with signals. */
    void restore() {
        if (saved != null) {
            terminal.setAttributes(saved);
        }
    }

    Terminal terminal() {
        return terminal;
    }

    /** The next key, or {@link Key#TIMEOUT} after {@code timeoutMillis} (0: wait for one). */
    Press read(long timeoutMillis) {
        try {
            if (timeoutMillis > 0) {
                int peek = bindings.peekCharacter(timeoutMillis);
                if (peek == NonBlockingReader.READ_EXPIRED) {
                    return new Press(Key.TIMEOUT, '\0');
                }
                if (peek == NonBlockingReader.EOF) {
                    throw new UncheckedIOException(new IOException("the console's terminal was closed"));
                }
            }
            Key key = bindings.readBinding(keys, null, true);
            if (key == null) {
                throw new UncheckedIOException(new IOException("the console's terminal was closed"));
            }
            String last = bindings.getLastBinding();
            return new Press(key, key == Key.CHAR && last != null && !last.isEmpty() ? last.charAt(0) : '\0');
        } catch (java.io.IOError e) {
            // JLine's reader wraps the terminal's IOException so
            throw new UncheckedIOException(new IOException(e.getMessage(), e));
        }
    }

    /**
     * A line typed at a row and column of the current frame, echoed there ('*' for each character when masked).
     * Empty when the person pressed Ctrl-C or Esc: "back". At most {@code max} characters. A negative row echoes
     * where the cursor is (the emergency shell's scrolling prompt).
     */
    Optional<char[]> line(int row, int col, boolean masked, int max) {
        StringBuilder typed = new StringBuilder();
        boolean flow = row < 0 || !renderer.addressable();
        if (!flow) {
            renderer.writeAt(row, col, "");
        }
        try {
            while (true) {
                Press press = read(0);
                switch (press.key()) {
                    case ENTER -> {
                        if (flow) {
                            terminal.writer().print("\r\n");
                            terminal.flush();
                        }
                        char[] out = new char[typed.length()];
                        typed.getChars(0, typed.length(), out, 0);
                        return Optional.of(out);
                    }
                    case CTRL_C, ESC -> {
                        return Optional.empty();
                    }
                    case BACKSPACE -> {
                        if (typed.length() > 0) {
                            typed.setLength(typed.length() - 1);
                            if (flow) {
                                terminal.writer().print("\b \b");
                                terminal.flush();
                            }
                        }
                    }
                    case CLEAR_LINE -> typed.setLength(0);
                    case CHAR -> {
                        if (typed.length() < max) {
                            typed.append(press.ch());
                        }
                    }
                    default -> {
                        // function keys mean nothing inside a field
                    }
                }
                String echo = masked ? "*".repeat(typed.length()) : typed.toString();
                if (!flow) {
                    renderer.writeAt(row, col, echo.length() > Frame.COLS - col - 1
                            ? echo.substring(echo.length() - (Frame.COLS - col - 1)) : echo);
                } else if (press.key() == Key.CHAR) {
                    terminal.writer().print(masked ? '*' : press.ch());
                    terminal.flush();
                }
            }
        } finally {
            // the typed text was a copy: clear it, it may be a password
            for (int i = 0; i < typed.length(); i++) {
                typed.setCharAt(i, '\0');
            }
        }
    }
}
