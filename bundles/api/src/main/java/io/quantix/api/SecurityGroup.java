package io.quantix.api;

import java.util.List;

/**
 * Inbound rules for the VMs that carry a tag. A VM with the tag accepts only what some group's rule allows
 * (default deny inbound); replies to allowed traffic and everything the VM sends out pass. Membership follows
 * the VMs' tags, so tagging a VM changes what reaches it without touching any rule.
 *
 * @param appliesTo the tag whose VMs the rules protect
 */
public record SecurityGroup(String name, String appliesTo, List<SecurityRule> rules) {
    /** Enough for real policies, small enough that one group stays one NB transaction. */
    public static final int MAX_RULES = 200;

    public SecurityGroup {
        Validation.name("security group", name);
        Validation.tag(appliesTo);
        rules = Validation.list("rules", rules);
        Validation.range("number of rules", rules.size(), 0, MAX_RULES);
        if (rules.stream().distinct().count() != rules.size()) {
            throw QuantixException.invalid("security group " + Validation.quote(name) + " lists a rule twice");
        }
    }
}
