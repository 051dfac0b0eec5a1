package io.quantix.core.internal;

import io.quantix.api.Capability;
import io.quantix.api.QuantixEvent;
import io.quantix.api.QuantixException;
import io.quantix.api.SecurityGroup;
import io.quantix.api.SecurityRule;
import io.quantix.api.Validation;
import io.quantix.api.service.SecurityGroupService;
import io.quantix.api.spi.NetworkDriver;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Security groups: definitions in Config Admin ({@code etc/io.quantix.securitygroup~<name>.cfg}, one
 * {@code rule.<n>} line per rule in its text form), enforced by every bound driver that can. A change reaches
 * all such drivers or none: a driver that fails makes the others go back to the previous rules.
 */
@Component(service = {SecurityGroupService.class, SecurityGroupManager.class})
public class SecurityGroupManager implements SecurityGroupService {
    static final String FACTORY_PID = "io.quantix.securitygroup";

    private final BackendRegistry backends;
    private final Events events;
    private final DefinitionStore<SecurityGroup> store;
    private final NetworkTombstones tombstones;

    @Activate
    public SecurityGroupManager(@Reference BackendRegistry backends, @Reference Events events,
            @Reference ConfigurationAdmin configAdmin, @Reference NetworkTombstones tombstones) {
        this.backends = backends;
        this.tombstones = tombstones;
        this.events = events;
        this.store = new DefinitionStore<>(configAdmin, FACTORY_PID, SecurityGroupManager::decode, SecurityGroupManager::encode);
    }

    @Override
    public List<SecurityGroup> list() {
        return store.list().stream().sorted(Comparator.comparing(SecurityGroup::name)).toList();
    }

    @Override
    public SecurityGroup get(String name) {
        Validation.name("security group", name);
        return store.find(name, SecurityGroup::name).orElseThrow(() -> QuantixException.notFound("security group", name));
    }

    @Override
    public synchronized SecurityGroup put(SecurityGroup group) {
        Optional<SecurityGroup> previous = store.find(group.name(), SecurityGroup::name);
        UndoLog undo = new UndoLog();
        try {
            for (Map.Entry<String, NetworkDriver> d : enforcing().entrySet()) {
                NetworkDriver driver = d.getValue();
                driver.ensureSecurityGroup(group);
                undo.done("security group " + group.name() + " on " + d.getKey(), () -> previous.ifPresentOrElse(
                        driver::ensureSecurityGroup, () -> driver.removeSecurityGroup(group.name())));
            }
        } catch (RuntimeException e) {
            throw undo.rollback(e);
        }
        tombstones.defined(NetworkTombstones.Kind.SECURITY_GROUP, group.name());
        store.save(group.name(), group);
        events.publish(QuantixEvent.Kind.NETWORK, previous.isPresent() ? "SECURITY_GROUP_UPDATED" : "SECURITY_GROUP_CREATED",
                group.name(), "security group with " + group.rules().size() + " rules for tag '" + group.appliesTo() + "'");
        return group;
    }

    @Override
    public synchronized void delete(String name) {
        SecurityGroup group = get(name);
        for (NetworkDriver driver : enforcing().values()) {
            driver.removeSecurityGroup(group.name());
        }
        // a driver that is away removes it when it returns
        tombstones.deleted(NetworkTombstones.Kind.SECURITY_GROUP, name, backends.networks.snapshot().keySet());
        store.delete(name);
        events.publish(QuantixEvent.Kind.NETWORK, "SECURITY_GROUP_DELETED", name, "security group deleted");
    }

    private Map<String, NetworkDriver> enforcing() {
        Map<String, NetworkDriver> out = new HashMap<>(backends.networks.snapshot());
        out.values().removeIf(d -> !d.capabilities().contains(Capability.SECURITY_GROUPS));
        return out;
    }

    static SecurityGroup decode(Map<String, String> p) {
        List<SecurityRule> rules = new ArrayList<>();
        for (int i = 0; p.containsKey("rule." + i); i++) {
            rules.add(SecurityRule.parse(p.get("rule." + i)));
        }
        return new SecurityGroup(p.get(DefinitionStore.NAME), p.get("appliesTo"), rules);
    }

    static Map<String, String> encode(SecurityGroup group) {
        Map<String, String> p = new HashMap<>();
        p.put("appliesTo", group.appliesTo());
        for (int i = 0; i < group.rules().size(); i++) {
            p.put("rule." + i, group.rules().get(i).toString());
        }
        return p;
    }
}
