package io.quantix.shell.internal;

import io.quantix.api.StoragePool;
import io.quantix.api.service.StorageService;
import java.util.stream.Stream;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;

@Service
public class PoolNameCompleter extends NameCompleter {
    @Reference
    StorageService storage;

    @Override
    protected Stream<String> names(CommandLine line) {
        return storage.listPools().stream().map(StoragePool::name);
    }
}
