package io.quantix.shell.internal;

import io.quantix.api.QuantixException;
import io.quantix.api.agent.ExecRequest;
import io.quantix.api.agent.ExecResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * Runs a program in the guest. Karaf stops reading options at the first argument, so {@code --timeout} after the VM
 * name is read here, up to the {@code --} that starts the command.
 */
@Service
@Command(scope = "qx", name = "vm-exec", description = "Runs a program in a VM through its guest agent and prints its"
        + " output and exit code: qx:vm-exec VM [--timeout S] -- CMD ARGS...")
public class VmExec extends AgentAction {
    @Option(name = "--timeout", aliases = "-t", description = "seconds before the program is killed (default 30)")
    int timeout = 30;

    @Argument(index = 1, name = "command", required = true, multiValued = true,
            description = "[--timeout S] -- the program and its arguments")
    List<String> command;

    @Override
    protected Object run() {
        List<String> words = new ArrayList<>(command);
        if (words.size() >= 2 && (words.get(0).equals("--timeout") || words.get(0).equals("-t"))) {
            try {
                timeout = Integer.parseInt(words.get(1));
            } catch (NumberFormatException e) {
                throw QuantixException.invalid("--timeout takes whole seconds, not " + words.get(1));
            }
            words = words.subList(2, words.size());
        }
        if (!words.isEmpty() && words.get(0).equals("--")) {
            words = words.subList(1, words.size());
        }
        if (words.isEmpty()) {
            throw QuantixException.invalid("no program to run: qx:vm-exec VM [--timeout S] -- CMD ARGS...");
        }
        ExecResult result = agents.exec(vm, ExecRequest.builder(words.get(0))
                .args(words.subList(1, words.size()).toArray(String[]::new))
                .timeout(Duration.ofSeconds(timeout)).build());
        System.out.print(result.stdoutText());
        if (result.stderr().length > 0) {
            System.out.print(result.stderrText());
        }
        System.out.println(outcome(result));
        return null;
    }

    static String outcome(ExecResult result) {
        String end = result.timedOut() ? "killed after its timeout (signal " + result.signal() + ")"
                : result.signal() != 0 ? "ended by signal " + result.signal()
                : result.exitCode() == 0 ? "exit code 0" : "FAILED: exit code " + result.exitCode();
        return "[pid " + result.pid() + " in the guest: " + end + (result.truncated() ? "; output truncated" : "")
                + "]";
    }
}
