package io.quantix.rest.internal;

import io.quantix.api.ConsoleType;
import io.quantix.api.MigrationSpec;
import io.quantix.api.SnapshotSpec;
import io.quantix.api.Validation;
import java.util.Optional;
import java.util.Set;

/**
 * Bodies of the VM change endpoints whose optional fields take a default, as {@link VmCreateRequest} does for
 * creation. Null only lives here, between JSON and the API record.
 */
final class VmChangeRequests {
    private VmChangeRequests() {
    }

    /** {@code POST /vms/{name}/snapshots}: only the name is required. */
    record SnapshotRequest(String name, Boolean includeMemory, Boolean diskOnly, String description,
            SnapshotSpec.Quiesce quiesce) {
        SnapshotSpec toSpec() {
            return new SnapshotSpec(name, Boolean.TRUE.equals(includeMemory), Boolean.TRUE.equals(diskOnly),
                    description == null ? "" : description, quiesce == null ? SnapshotSpec.Quiesce.AUTO : quiesce);
        }
    }

    /** {@code PUT /vms/{name}/media}: an absent or null iso ejects the medium. */
    record MediaRequest(String iso) {
    }

    /** {@code PUT /vms/{name}/tags}: the VM's new tags, all of them (an empty list removes every tag). */
    record TagsRequest(Set<String> tags) {
        TagsRequest {
            Validation.required("tags", tags);
        }
    }

    /** {@code POST /vms/{name}/console}. */
    record ConsoleRequest(ConsoleType type) {
        ConsoleRequest {
            Validation.required("type", type);
        }
    }

    /** {@code POST /vms/{name}/migration}: live unless said otherwise. */
    record MigrationRequest(String targetUri, Boolean live, String migrateUri, Long maxDowntimeMillis) {
        MigrationSpec toSpec() {
            return new MigrationSpec(targetUri, !Boolean.FALSE.equals(live), Optional.ofNullable(migrateUri),
                    maxDowntimeMillis == null ? 0 : maxDowntimeMillis);
        }
    }
}
