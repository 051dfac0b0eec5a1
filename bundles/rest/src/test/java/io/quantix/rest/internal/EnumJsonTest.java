package io.quantix.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantix.api.Firmware;
import io.quantix.api.VmSpec;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * REST writes and reads the API's enums by name: every value of every enum in the API packages (found by
 * scanning them, so a new enum is covered too) goes out as its name and comes back as itself. The gRPC adapter
 * broke on a new Firmware constant; this is the same check for REST.
 */
class EnumJsonTest {

    @Test
    void everyValueOfEveryApiEnumRoundTripsByName() throws Exception {
        List<Class<?>> enums = apiEnums();
        assertTrue(enums.size() >= 10, "found only " + enums);
        for (Class<?> type : enums) {
            for (Object value : type.getEnumConstants()) {
                String json = new String(Json.write(value), StandardCharsets.UTF_8);
                assertEquals("\"" + ((Enum<?>) value).name() + "\"", json, type.getName());
                assertEquals(value, Json.read(json.getBytes(StandardCharsets.UTF_8), type), type.getName());
            }
        }
    }

    @Test
    void aSecureBootVmIsWrittenAndReadBack() {
        VmSpec spec = VmSpec.builder("win1").firmware(Firmware.UEFI_SECURE_BOOT).build();
        assertEquals(spec, Json.read(Json.write(spec), VmSpec.class));
        assertEquals(Firmware.UEFI_SECURE_BOOT, Json.read("{\"name\":\"win1\",\"firmware\":\"UEFI_SECURE_BOOT\"}"
                .getBytes(StandardCharsets.UTF_8), VmCreateRequest.class).toSpec().firmware());
    }

    /** The enums (nested ones included) of io.quantix.api and its sub-packages, from the api bundle itself. */
    private static List<Class<?>> apiEnums() throws IOException, URISyntaxException, ClassNotFoundException {
        Path location = Path.of(Firmware.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(location)) {
            names.addAll(classNames(location));
        } else {
            try (FileSystem jar = FileSystems.newFileSystem(location)) {
                names.addAll(classNames(jar.getPath("/")));
            }
        }
        List<Class<?>> enums = new ArrayList<>();
        for (String name : names) {
            Class<?> type = Class.forName(name, false, Firmware.class.getClassLoader());
            if (type.isEnum()) {
                enums.add(type);
            }
        }
        return enums;
    }

    private static List<String> classNames(Path root) throws IOException {
        Path api = root.resolve("io/quantix/api");
        try (Stream<Path> files = Files.walk(api)) {
            return files.map(p -> root.relativize(p).toString()).filter(p -> p.endsWith(".class"))
                    .map(p -> p.substring(0, p.length() - ".class".length()).replace('/', '.')).toList();
        }
    }
}
