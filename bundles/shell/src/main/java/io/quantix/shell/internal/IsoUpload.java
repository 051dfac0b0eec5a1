package io.quantix.shell.internal;

import io.quantix.api.IsoImage;
import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;

@Service
@Command(scope = "qx", name = "iso-upload", description = "Copies an ISO image file of the node into a pool's ISO library")
public class IsoUpload extends PoolAction {
    @Argument(index = 1, name = "name", required = true, description = "name in the library, e.g. debian-12.iso")
    String name;

    @Argument(index = 2, name = "file", required = true, description = "ISO file on the node")
    @Completion(FileCompleter.class)
    String file;

    @Option(name = "--max-size", description = "refuse a file larger than this (default 16G)")
    String maxSize = "16G";

    @Override
    protected Object run() {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            IsoImage iso = storage.uploadIso(pool, name, in, Validation.size("maximum size", maxSize));
            System.out.println("ISO image " + pool + "/" + iso.name() + " stored: " + Format.bytes(iso.sizeBytes()));
            return null;
        } catch (IOException e) {
            throw QuantixException.invalid("cannot read " + Validation.quote(file) + ": " + e.getMessage());
        }
    }
}
