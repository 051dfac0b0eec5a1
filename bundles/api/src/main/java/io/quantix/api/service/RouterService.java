package io.quantix.api.service;

import io.quantix.api.Router;
import java.util.List;

/** Routers with their uplink, SNAT, floating IPs and load balancers. Definitions survive restarts and driver swaps. */
public interface RouterService {

    List<Router> list();

    Router get(String name);

    /** Creates the router or replaces its definition; its networks must exist and share one driver. */
    Router put(Router router);

    void delete(String name);
}
