package io.quantix.api.service;

import io.quantix.api.SecurityGroup;
import java.util.List;

/**
 * Security groups. Definitions survive restarts and driver swaps; every network driver with
 * {@link io.quantix.api.Capability#SECURITY_GROUPS} enforces all of them on its ports.
 */
public interface SecurityGroupService {

    List<SecurityGroup> list();

    SecurityGroup get(String name);

    /** Creates the group or replaces its rules; all-or-nothing across drivers. */
    SecurityGroup put(SecurityGroup group);

    void delete(String name);
}
