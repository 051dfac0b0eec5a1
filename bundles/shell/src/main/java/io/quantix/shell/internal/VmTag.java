package io.quantix.shell.internal;

import io.quantix.api.QuantixException;
import io.quantix.api.Vm;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "vm-tag", description = "Shows or changes a VM's tags (security groups select VMs by them,"
        + " e.g. role=web): the tags given replace the VM's tags; --add and --remove change only those; none: shows them")
public class VmTag extends VmAction {
    @Argument(index = 1, name = "tags", multiValued = true, description = "the VM's tags from now on")
    List<String> tags;

    @Option(name = "--add", multiValued = true, description = "a tag to add")
    List<String> add;

    @Option(name = "--remove", multiValued = true, description = "a tag to remove")
    List<String> remove;

    @Override
    protected Object run() {
        boolean edit = add != null || remove != null;
        if (edit && tags != null) {
            throw QuantixException.invalid("give the new tags, or --add/--remove, not both");
        }
        Vm now = vms.get(vm);
        if (edit || tags != null) {
            Set<String> next = new TreeSet<>(edit ? now.spec().tags() : tags);
            if (add != null) {
                next.addAll(add);
            }
            if (remove != null) {
                next.removeAll(remove);
            }
            now = vms.retag(vm, next);
        }
        System.out.println("VM " + vm + " tags: " + (now.spec().tags().isEmpty() ? "(none)"
                : String.join(" ", new TreeSet<>(now.spec().tags()))));
        return null;
    }
}
