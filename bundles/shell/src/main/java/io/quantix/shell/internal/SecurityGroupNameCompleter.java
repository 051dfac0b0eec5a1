package io.quantix.shell.internal;

import io.quantix.api.SecurityGroup;
import io.quantix.api.service.SecurityGroupService;
import java.util.stream.Stream;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;

@Service
public class SecurityGroupNameCompleter extends NameCompleter {
    @Reference
    SecurityGroupService groups;

    @Override
    protected Stream<String> names(CommandLine line) {
        return groups.list().stream().map(SecurityGroup::name);
    }
}
