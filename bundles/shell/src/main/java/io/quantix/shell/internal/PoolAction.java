package io.quantix.shell.internal;

import io.quantix.api.service.StorageService;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

/** A storage command: it acts in one pool, named by its first argument (completed with the node's pool names). */
abstract class PoolAction extends QxAction {
    @Reference
    StorageService storage;

    @Argument(index = 0, name = "pool", required = true, description = "pool name")
    @Completion(PoolNameCompleter.class)
    String pool;
}
