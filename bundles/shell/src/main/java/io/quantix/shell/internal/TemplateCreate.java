package io.quantix.shell.internal;

import io.quantix.api.Volume;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "template-create", description = "Makes a read-only template from a volume (the volume stays as it is)")
public class TemplateCreate extends PoolAction {
    @Argument(index = 1, name = "volume", required = true, description = "volume to copy")
    String volume;

    @Argument(index = 2, name = "template", required = true, description = "name of the template")
    String template;

    @Override
    protected Object run() {
        Volume v = storage.createTemplate(pool, volume, template);
        System.out.println("template " + v.ref() + " made from " + volume + "; clone it with qx:volume-clone");
        return null;
    }
}
