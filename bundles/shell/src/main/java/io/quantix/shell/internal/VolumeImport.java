package io.quantix.shell.internal;

import io.quantix.api.QuantixException;
import io.quantix.api.Validation;
import io.quantix.api.Volume;
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
@Command(scope = "qx", name = "volume-import", description = "Imports a qcow2 or raw disk image file of the node as a new volume (checked; no backing files)")
public class VolumeImport extends PoolAction {
    @Argument(index = 1, name = "name", required = true, description = "name of the new volume")
    String name;

    @Argument(index = 2, name = "file", required = true, description = "image file on the node")
    @Completion(FileCompleter.class)
    String file;

    @Option(name = "--format", aliases = "-f", description = "qcow2 (default) or raw: what the image is")
    String format = "qcow2";

    @Option(name = "--max-size", description = "refuse an image file larger than this (default 64T)")
    String maxSize = "64T";

    @Override
    protected Object run() {
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            Volume v = storage.importVolume(pool, name, VolumeCreate.format(format), in,
                    Validation.size("maximum size", maxSize));
            System.out.println("volume " + v.ref() + " imported: " + v.format().id() + ", " + Format.bytes(v.capacity()));
            return null;
        } catch (IOException e) {
            throw QuantixException.invalid("cannot read " + Validation.quote(file) + ": " + e.getMessage());
        }
    }
}
