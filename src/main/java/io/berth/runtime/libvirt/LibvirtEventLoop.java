package io.berth.runtime.libvirt;

import io.berth.util.DaemonThreads;
import org.libvirt.Library;
import org.libvirt.LibvirtException;

/**
 * libvirt's default event loop, once per process. libvirt delivers domain events, connection-close
 * callbacks and keepalive only through a registered event loop, and only on connections opened
 * after it was registered; once registered it must run for the rest of the process (libvirt may
 * still call back shortly after a connection is closed). So it is started on first need — by an
 * event watch, never by the CLI — and then runs forever on one daemon thread, which never holds
 * the JVM open. It is driven with {@code processEvent} in our own loop rather than
 * {@code Library.runEventLoop}, whose {@code stopEventLoop} is process-wide. Thread-safe.
 */
final class LibvirtEventLoop {

    private static final long ERROR_PAUSE_MS = 100;
    private static volatile boolean started; // written under the class's lock

    private LibvirtEventLoop() {
    }

    /**
     * Registers libvirt's default event loop and starts running it, unless done already. Call it
     * before opening a connection that needs events. Idempotent.
     */
    static synchronized void start() throws LibvirtException {
        if (started) {
            return;
        }
        Library.initEventLoop();
        DaemonThreads.fixed("libvirt-event-loop", 1).execute(LibvirtEventLoop::run);
        started = true;
    }

    /** Whether the loop runs: connections opened from now on are watched by it. */
    static boolean running() {
        return started;
    }

    private static void run() {
        while (true) {
            try {
                // Blocks in poll(2) until a socket, timer or keepalive needs attention, and runs
                // the callbacks (domain events, connection closed) on this thread.
                Library.processEvent();
            } catch (LibvirtException | RuntimeException e) {
                // One failed iteration (or a callback that threw): keep the loop alive, without spinning.
                try {
                    Thread.sleep(ERROR_PAUSE_MS);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }
}
