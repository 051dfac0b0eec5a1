package io.quantix.shell.internal;

import io.quantix.api.Vm;
import io.quantix.api.service.VmService;
import java.util.stream.Stream;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;

@Service
public class VmNameCompleter extends NameCompleter {
    @Reference
    VmService vms;

    @Override
    protected Stream<String> names(CommandLine line) {
        return vms.list().stream().map(Vm::name);
    }
}
