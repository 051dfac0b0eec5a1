package io.quantix.shell.internal;

import io.quantix.api.SecurityGroup;
import io.quantix.api.SecurityRule;
import io.quantix.api.service.SecurityGroupService;
import java.util.List;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "sg-create", description = "Creates a security group, or replaces the rules of one")
public class SgCreate extends QxAction {
    @Reference
    SecurityGroupService groups;

    @Argument(name = "name", required = true, description = "security group name")
    String name;

    @Option(name = "--applies-to", required = true, description = "the tag of the VMs it protects, e.g. role=db")
    String appliesTo;

    @Option(name = "--rule", multiValued = true,
            description = "what may come in: <tcp|udp|icmp|any>[:PORT[-PORT]] from <CIDR|tag:TAG>, e.g. \"tcp:22 from 0.0.0.0/0\"")
    List<String> rules = List.of();

    @Override
    protected Object run() {
        SecurityGroup g = groups.put(new SecurityGroup(name, appliesTo, rules.stream().map(SecurityRule::parse).toList()));
        System.out.println("security group " + g.name() + " for tag " + g.appliesTo() + ": " + g.rules().size() + " rules");
        return null;
    }
}
