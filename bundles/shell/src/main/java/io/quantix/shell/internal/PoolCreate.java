package io.quantix.shell.internal;

import io.quantix.api.QuantixException;
import io.quantix.api.StoragePool;
import io.quantix.api.StoragePoolSpec;
import io.quantix.api.Validation;
import io.quantix.api.service.StorageService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Service
@Command(scope = "qx", name = "pool-create", description = "Creates a storage pool after checking that its backend can use it")
public class PoolCreate extends QxAction {
    @Reference
    StorageService storage;

    @Argument(name = "name", required = true, description = "pool name")
    String name;

    @Option(name = "--backend", aliases = "-b", description = "storage backend (dir, nfs, ceph, iscsi)")
    @Completion(BackendNameCompleter.class)
    String backend = "dir";

    @Option(name = "--option", aliases = "-o", multiValued = true,
            description = "backend option KEY=VALUE, one per -o. dir: path=/srv/vms capacity=100G (both optional);"
                    + " nfs: server=HOST export=/srv/nfs [path=FOLDER]; iscsi: portal=HOST[:3260] target=IQN"
                    + " [chapUser=USER chapSecretFile=/0600/FILE]; ceph: monitors=HOST[:PORT],... [rbdPool=rbd]"
                    + " [user=admin] [keyring=/0600/FILE] (secrets only ever in files, never as options)")
    List<String> options = List.of();

    @Override
    protected Object run() {
        Map<String, String> opts = new LinkedHashMap<>();
        for (String o : options) {
            int eq = o.indexOf('=');
            if (eq < 1) {
                throw QuantixException.invalid("option " + Validation.quote(o) + " is not KEY=VALUE");
            }
            opts.put(o.substring(0, eq), o.substring(eq + 1));
        }
        StoragePool pool = storage.createPool(new StoragePoolSpec(name, backend, opts));
        System.out.println("pool " + pool.name() + " created: " + pool.status() + ", " + Format.bytes(pool.available())
                + " available");
        return null;
    }
}
