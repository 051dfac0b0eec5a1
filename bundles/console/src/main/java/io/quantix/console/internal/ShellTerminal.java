package io.quantix.console.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.EnumSet;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import org.apache.karaf.shell.api.console.SignalListener;
import org.jline.terminal.Attributes;
import org.jline.terminal.Cursor;
import org.jline.terminal.MouseEvent;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.utils.ColorPalette;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;

/**
 * The console's terminal lent to a Karaf shell session (the qx: shell opened from the dashboard): Karaf's session
 * wants a terminal that is both its own kind and JLine's. Everything is passed through, except {@link #close}: when
 * the shell ends, the terminal goes back to the dashboard rather than being closed.
 */
final class ShellTerminal implements org.apache.karaf.shell.api.console.Terminal, Terminal {
    private final Terminal terminal;

    ShellTerminal(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public void close() {
        // the shell is over; the terminal is the console's
    }

    // Karaf's terminal

    @Override
    public boolean isAnsiSupported() {
        return !"dumb".equals(terminal.getType());
    }

    @Override
    public boolean isEchoEnabled() {
        return terminal.echo();
    }

    @Override
    public void setEchoEnabled(boolean enabled) {
        terminal.echo(enabled);
    }

    @Override
    public void addSignalListener(SignalListener listener, org.apache.karaf.shell.api.console.Signal... signals) {
        // Karaf's shell registers its own handlers on the JLine side (handle)
    }

    @Override
    public void addSignalListener(SignalListener listener, EnumSet<org.apache.karaf.shell.api.console.Signal> signals) {
        // as above
    }

    @Override
    public void addSignalListener(SignalListener listener) {
        // as above
    }

    @Override
    public void removeSignalListener(SignalListener listener) {
        // as above
    }

    // JLine's terminal

    @Override
    public String getName() {
        return terminal.getName();
    }

    @Override
    public SignalHandler handle(Terminal.Signal signal, SignalHandler handler) {
        return terminal.handle(signal, handler);
    }

    @Override
    public void raise(Terminal.Signal signal) {
        terminal.raise(signal);
    }

    @Override
    public NonBlockingReader reader() {
        return terminal.reader();
    }

    @Override
    public PrintWriter writer() {
        return terminal.writer();
    }

    @Override
    public Charset encoding() {
        return terminal.encoding();
    }

    @Override
    public InputStream input() {
        return terminal.input();
    }

    @Override
    public OutputStream output() {
        return terminal.output();
    }

    @Override
    public boolean canPauseResume() {
        return terminal.canPauseResume();
    }

    @Override
    public void pause() {
        terminal.pause();
    }

    @Override
    public void pause(boolean wait) throws InterruptedException {
        terminal.pause(wait);
    }

    @Override
    public void resume() {
        terminal.resume();
    }

    @Override
    public boolean paused() {
        return terminal.paused();
    }

    @Override
    public Attributes enterRawMode() {
        return terminal.enterRawMode();
    }

    @Override
    public boolean echo() {
        return terminal.echo();
    }

    @Override
    public boolean echo(boolean echo) {
        return terminal.echo(echo);
    }

    @Override
    public Attributes getAttributes() {
        return terminal.getAttributes();
    }

    @Override
    public void setAttributes(Attributes attributes) {
        terminal.setAttributes(attributes);
    }

    @Override
    public Size getSize() {
        return terminal.getSize();
    }

    @Override
    public void setSize(Size size) {
        terminal.setSize(size);
    }

    @Override
    public int getWidth() {
        return terminal.getWidth();
    }

    @Override
    public int getHeight() {
        return terminal.getHeight();
    }

    @Override
    public void flush() {
        terminal.flush();
    }

    @Override
    public String getType() {
        return terminal.getType();
    }

    @Override
    public boolean puts(Capability capability, Object... params) {
        return terminal.puts(capability, params);
    }

    @Override
    public boolean getBooleanCapability(Capability capability) {
        return terminal.getBooleanCapability(capability);
    }

    @Override
    public Integer getNumericCapability(Capability capability) {
        return terminal.getNumericCapability(capability);
    }

    @Override
    public String getStringCapability(Capability capability) {
        return terminal.getStringCapability(capability);
    }

    @Override
    public Cursor getCursorPosition(IntConsumer discarded) {
        return terminal.getCursorPosition(discarded);
    }

    @Override
    public boolean hasMouseSupport() {
        return terminal.hasMouseSupport();
    }

    @Override
    public boolean trackMouse(MouseTracking tracking) {
        return terminal.trackMouse(tracking);
    }

    @Override
    public MouseTracking getCurrentMouseTracking() {
        return terminal.getCurrentMouseTracking();
    }

    @Override
    public MouseEvent readMouseEvent() {
        return terminal.readMouseEvent();
    }

    @Override
    public MouseEvent readMouseEvent(IntSupplier reader) {
        return terminal.readMouseEvent(reader);
    }

    @Override
    public MouseEvent readMouseEvent(String prefix) {
        return terminal.readMouseEvent(prefix);
    }

    @Override
    public MouseEvent readMouseEvent(IntSupplier reader, String prefix) {
        return terminal.readMouseEvent(reader, prefix);
    }

    @Override
    public boolean hasFocusSupport() {
        return terminal.hasFocusSupport();
    }

    @Override
    public boolean trackFocus(boolean tracking) {
        return terminal.trackFocus(tracking);
    }

    @Override
    public ColorPalette getPalette() {
        return terminal.getPalette();
    }
}
