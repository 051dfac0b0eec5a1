package io.quantix.api.spi;

import io.quantix.api.NetworkSpec;
import io.quantix.api.Router;
import io.quantix.api.SecurityGroup;
import java.util.List;
import java.util.Set;

/**
 * What a returning network driver is told: the definitions it serves (to ensure) and the names Quantix deleted
 * that it has not yet removed (to remove). Anything of Quantix's it finds that is in neither is left alone
 * (and may be logged): an empty definition list can mean "not loaded yet", never "delete everything".
 *
 * @param networks the networks the driver serves
 * @param groups every security group
 * @param routers the routers on the driver's networks
 * @param deletedNetworks networks deleted that the driver has not confirmed removing
 * @param deletedGroups security groups deleted while the driver was away
 * @param deletedRouters routers deleted that the driver has not confirmed removing
 */
public record Reconciliation(List<NetworkSpec> networks, List<SecurityGroup> groups, List<Router> routers,
        Set<String> deletedNetworks, Set<String> deletedGroups, Set<String> deletedRouters) {

    public Reconciliation {
        networks = List.copyOf(networks);
        groups = List.copyOf(groups);
        routers = List.copyOf(routers);
        deletedNetworks = Set.copyOf(deletedNetworks);
        deletedGroups = Set.copyOf(deletedGroups);
        deletedRouters = Set.copyOf(deletedRouters);
    }
}
