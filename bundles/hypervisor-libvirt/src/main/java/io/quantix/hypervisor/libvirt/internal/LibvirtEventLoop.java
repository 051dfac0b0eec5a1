package io.quantix.hypervisor.libvirt.internal;

import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libvirt's default event loop, which delivers domain events and notices a dead daemon connection. It is one
 * per process, shared by every backend instance, so it is reference-counted: it runs while any backend is open
 * and stops with the last, so no libvirt thread calls into this bundle's classes after it is stopped.
 * {@link #acquire()} must come before a connection is opened: the remote driver only watches its socket, and so
 * only reports events and a closed connection, if the loop was registered first.
 */
final class LibvirtEventLoop {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtEventLoop.class);
    private static final long STOP_WAIT_MILLIS = 5_000;

    private static int users;
    private static Thread thread;

    private LibvirtEventLoop() {
    }

    static synchronized void acquire() throws LibvirtException {
        Library.initEventLoop();
        if (users++ == 0) {
            thread = new Thread(LibvirtEventLoop::run, "quantix-libvirt-events");
            thread.setDaemon(true);
            // Callbacks parse XML, and JAXP looks its parser up through this loader: not whatever the activating
            // thread (a Karaf features thread, say) happened to carry.
            thread.setContextClassLoader(LibvirtEventLoop.class.getClassLoader());
            thread.start();
        }
    }

    static synchronized void release() {
        if (users == 0 || --users > 0) {
            return;
        }
        Thread stopping = thread;
        thread = null;
        long deadline = System.currentTimeMillis() + STOP_WAIT_MILLIS;
        try {
            // A stop that lands before the thread entered the loop is lost (the loop resets the flag): repeat it.
            while (stopping.isAlive() && System.currentTimeMillis() < deadline) {
                Library.stopEventLoop();
                stopping.join(100);
            }
        } catch (LibvirtException e) {
            LOG.warn("stopping libvirt's event loop failed: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopping.isAlive()) {
            LOG.warn("libvirt's event loop did not stop within {} ms", STOP_WAIT_MILLIS);
        }
    }

    private static void run() {
        try {
            Library.runEventLoop();
        } catch (LibvirtException e) {
            LOG.error("libvirt's event loop failed; VM events and reconnects stop until the backend restarts: {}",
                    e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
