package io.quantix.shell.internal;

import io.quantix.api.service.SecurityGroupService;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "sg-delete", description = "Deletes a security group")
public class SgDelete extends QxAction {
    @Reference
    SecurityGroupService groups;

    @Argument(name = "name", required = true, description = "security group name")
    @Completion(SecurityGroupNameCompleter.class)
    String name;

    @Override
    protected Object run() {
        groups.delete(name);
        System.out.println("security group " + name + " deleted");
        return null;
    }
}
