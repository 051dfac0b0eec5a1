package io.quantix.shell.internal;

import java.util.List;
import java.util.stream.Stream;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Tab completion of object names, read live from the services when the user presses tab. */
abstract class NameCompleter implements Completer {

    protected abstract Stream<String> names(CommandLine line);

    @Override
    public int complete(Session session, CommandLine line, List<String> candidates) {
        return new StringsCompleter(names(line).toList()).complete(session, line, candidates);
    }
}
