package io.quantix.console.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The screens fit 80x24 whatever they show, and the renderer redraws only what changed. */
class ViewsTest {
    private static DashboardData data(String name, List<String> log, int running) {
        return new DashboardData("v0.1.0", name, "standalone", "10.77.0.2", 0.48, 2, 3L << 30, 16L << 30, running, 2,
                "1.2 GiB used of 40.0 GiB (1 pool)", 5 * 86400 + 3 * 3600, "off", log, 1, 2, false,
                "2026-12-03 06:58:23 UTC");
    }

    @Test
    void theDashboardFits80By24AndShowsWhatAPersonLooksFor() {
        Frame f = Views.dashboard(data("edge-01.lab", List.of("06:57:50 ERROR something broke", "06:57:51 WARN slow"), 1));
        assertEquals(Frame.ROWS, f.lines().size());
        f.lines().forEach(l -> assertTrue(l.text().length() <= Frame.COLS, l.text()));
        String text = f.text();
        assertTrue(text.contains("Management URL:  https://10.77.0.2:8443"), text);
        assertTrue(text.contains("[##########..........]  48%"), text);
        assertTrue(text.contains("3.0 GiB of 16.0 GiB"), text);
        assertTrue(text.contains("1 running of 2"), text);
        assertTrue(text.contains("5 days, 3 hours"), text);
        assertTrue(text.contains("1 error, 2 warnings"), text);
        assertTrue(f.lines().get(21).text().startsWith(" F2/N Network"), text);
        assertTrue(f.lines().get(22).text().contains("F12/E Emergency shell"), text);
    }

    @Test
    void longAndHostileTextIsCutAndNeutralised() {
        String evil = "x".repeat(300) + "\033[2J";
        Frame f = Views.dashboard(data(evil, List.of("06:00:00 INFO \033[31mred\033[0m " + "y".repeat(200)), 0));
        f.lines().forEach(l -> {
            assertTrue(l.text().length() <= Frame.COLS);
            assertFalse(l.text().contains("\033"), l.text());
        });
    }

    @Test
    void onlyChangedLinesAreRedrawn() {
        StringWriter out = new StringWriter();
        Renderer r = new Renderer(new PrintWriter(out), true, false);
        r.draw(Views.dashboard(data("edge-01.lab", List.of(), 1)));
        assertTrue(out.toString().contains("\033[2J"), "the first frame clears the screen");
        out.getBuffer().setLength(0);
        r.draw(Views.dashboard(data("edge-01.lab", List.of(), 2)));
        String second = out.toString();
        assertFalse(second.contains("\033[2J"), "no clear: no flicker");
        assertEquals(1, second.split("\033\\[\\d+;1H", -1).length - 1, "one changed line: " + second);
        assertTrue(second.contains("2 running of 2"));
        out.getBuffer().setLength(0);
        r.draw(Views.dashboard(data("edge-01.lab", List.of(), 2)));
        assertEquals("", out.toString(), "an unchanged frame writes nothing");
    }

    @Test
    void withoutColourThereAreNoStylesAndWithoutAddressingWholeFrames() {
        StringWriter out = new StringWriter();
        new Renderer(new PrintWriter(out), true, false).draw(Views.dashboard(data("n1", List.of(), 0)));
        assertFalse(out.toString().matches("(?s).*\033\\[[0-9;]*[1-9][0-9;]*m.*"), "no colour codes");
        StringWriter dumb = new StringWriter();
        new Renderer(new PrintWriter(dumb), false, true).draw(Views.dashboard(data("n1", List.of(), 0)));
        assertFalse(dumb.toString().contains("\033"), "TERM=dumb gets plain text");
        assertTrue(dumb.toString().contains("Management URL"));
    }
}
