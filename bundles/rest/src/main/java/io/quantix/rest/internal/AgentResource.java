package io.quantix.rest.internal;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.agent.ExecRequest;
import io.quantix.api.agent.ExecResult;
import io.quantix.api.service.GuestAgentService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code /vms/{name}/agent}: the VM's guest agent, a thin adapter over {@link GuestAgentService}. A VM whose
 * hypervisor has no agent channel (the simulated node) answers 501 UNSUPPORTED; an agent that does not answer, 503.
 */
final class AgentResource {
    /**
     * The body of {@code POST /vms/{name}/agent/exec}: the program and its arguments, NAME=value environment entries,
     * standard input as text, and whole seconds before it is killed (30 if absent).
     */
    record ExecBody(List<String> command, List<String> env, String stdin, Integer timeoutSeconds) {
        ExecBody {
            command = Validation.list("command", command);
            if (command.isEmpty()) {
                throw QuantixException.invalid("'command' names the program to run");
            }
            env = env == null ? List.of() : Validation.list("env", env);
        }

        ExecRequest toRequest() {
            return new ExecRequest(command.get(0), command.subList(1, command.size()), env,
                    stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(timeoutSeconds == null ? 30 : timeoutSeconds));
        }
    }

    /** How the program ended, its output as UTF-8 text. */
    record ExecReply(long pid, boolean timedOut, int exitCode, int signal, String stdout, String stderr,
            boolean truncated) {
        static ExecReply of(ExecResult r) {
            return new ExecReply(r.pid(), r.timedOut(), r.exitCode(), r.signal(), r.stdoutText(), r.stderrText(),
                    r.truncated());
        }
    }

    /** The body of {@code POST /vms/{name}/agent/password}; its text never shows, not even in a log of the request. */
    record PasswordBody(String user, String password) {
        @Override
        public String toString() {
            return "PasswordBody[user=" + user + "]";
        }
    }

    private final GuestAgentService agents;

    AgentResource(GuestAgentService agents) {
        this.agents = agents;
    }

    List<Route> routes() {
        return List.of(
                Route.secured("GET", "/vms/{name}/agent", c -> Reply.ok(agents.status(c.name("name", "VM")))),
                Route.secured("POST", "/vms/{name}/agent/exec", c -> {
                    String vm = c.name("name", "VM");
                    return Reply.ok(ExecReply.of(agents.exec(vm, c.body(ExecBody.class).toRequest())));
                }),
                Route.secured("POST", "/vms/{name}/agent/fsfreeze",
                        c -> Reply.ok(Map.of("filesystems", agents.freeze(c.name("name", "VM"))))),
                Route.secured("POST", "/vms/{name}/agent/fsthaw",
                        c -> Reply.ok(Map.of("filesystems", agents.thaw(c.name("name", "VM"))))),
                Route.secured("POST", "/vms/{name}/agent/sync-time", c -> {
                    agents.syncTime(c.name("name", "VM"));
                    return Reply.noContent();
                }),
                Route.secured("POST", "/vms/{name}/agent/password", c -> {
                    String vm = c.name("name", "VM");
                    PasswordBody body = c.body(PasswordBody.class);
                    char[] password = Validation.required("password", body.password()).toCharArray();
                    try {
                        agents.setPassword(vm, body.user(), password);
                    } finally {
                        Arrays.fill(password, '\0');
                    }
                    return Reply.noContent();
                }));
    }
}
