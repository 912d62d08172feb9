package io.berth.runtime.libvirt;

import io.berth.runtime.RuntimeFailure;
import io.berth.runtime.RuntimeUnavailableException;
import io.berth.util.DaemonThreads;
import org.libvirt.Error;
import org.libvirt.LibvirtException;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every libvirt call with a timeout (libvirt's client calls block without one; a stuck libvirtd
 * must not stall Berth) and libvirt's errors translated: an answer from libvirtd is the
 * workload's failure, no answer is the runtime being unavailable. Thread-safe.
 */
final class LibvirtCalls implements AutoCloseable {

    interface Call<T> {
        T call() throws LibvirtException, java.io.IOException;
    }

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String uri;
    private final ExecutorService threads = DaemonThreads.cached("libvirt");

    LibvirtCalls(String uri) {
        this.uri = uri;
        quietLibvirt();
    }

    /** libvirt prints every error to stderr unless a callback takes them; Berth reports them itself. */
    private static void quietLibvirt() {
        if (System.getProperty("jna.encoding") == null) {
            // Strings to libvirt in UTF-8 whatever the locale (too late if JNA was loaded before: Main sets it first).
            System.setProperty("jna.encoding", "UTF-8");
        }
        try {
            org.libvirt.Connect.setErrorCallback((userData, error) -> { });
        } catch (LibvirtException | LinkageError e) {
            // libvirt missing: the first real call reports it
        }
    }

    <T> T call(String workload, String what, Call<T> call) {
        Future<T> f = threads.submit(call::call);
        try {
            return f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new RuntimeUnavailableException("libvirtd at " + uri + " did not answer " + what + " for "
                    + workload + " within " + TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeFailure(workload, workload + ": interrupted during " + what, e);
        } catch (ExecutionException e) {
            throw translate(workload, what, e.getCause());
        }
    }

    void run(String workload, String what, Call<?> call) {
        call(workload, what, call);
    }

    RuntimeException translate(String workload, String what, Throwable e) {
        if (e instanceof RuntimeFailure || e instanceof RuntimeUnavailableException) {
            return (RuntimeException) e;
        }
        if (e instanceof LibvirtException le) {
            if (lostConnection(le)) {
                return unavailable(e);
            }
            return new RuntimeFailure(workload, workload + ": " + what + ": " + le.getMessage(), le);
        }
        if (e instanceof UnsatisfiedLinkError || e instanceof NoClassDefFoundError) {
            return new RuntimeUnavailableException("libvirt is not installed on this host (libvirt.so.0 not found);"
                    + " deploy/host-setup.sh installs it", e);
        }
        return new RuntimeFailure(workload, workload + ": " + what + ": " + e, e);
    }

    /**
     * libvirtd cannot be reached, or the connection to it broke (libvirtd stopped or restarted
     * under it: "Cannot write data: Broken pipe", "End of file while reading data", "client socket
     * is closed" — errors of the RPC layer, not of the hypervisor).
     */
    static boolean lostConnection(LibvirtException le) {
        Error error = le.getError();
        if (error == null) {
            return false;
        }
        Error.ErrorNumber code = error.getCode();
        boolean transport = code == Error.ErrorNumber.VIR_ERR_SYSTEM_ERROR || code == Error.ErrorNumber.VIR_ERR_INTERNAL_ERROR;
        return code == Error.ErrorNumber.VIR_ERR_NO_CONNECT
                || transport && error.getDomain() == Error.ErrorDomain.VIR_FROM_RPC
                || code == Error.ErrorNumber.VIR_ERR_SYSTEM_ERROR && String.valueOf(le.getMessage()).contains("socket");
    }

    RuntimeUnavailableException unavailable(Throwable e) {
        return new RuntimeUnavailableException("cannot reach libvirtd at " + uri + ": " + e.getMessage()
                + " (is libvirtd running? deploy/host-setup.sh starts it)", e);
    }

    static boolean isNoDomain(Throwable e) {
        Throwable c = e instanceof RuntimeFailure && e.getCause() != null ? e.getCause() : e;
        return c instanceof LibvirtException le && le.getError() != null
                && le.getError().getCode() == Error.ErrorNumber.VIR_ERR_NO_DOMAIN;
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
