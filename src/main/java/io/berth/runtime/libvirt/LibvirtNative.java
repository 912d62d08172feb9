package io.berth.runtime.libvirt;

import java.util.List;
import java.nio.file.Path;
import java.nio.file.Files;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.PointerType;
import org.libvirt.Domain;

import java.lang.reflect.Field;

/**
 * The one libvirt call Berth needs that libvirt-java 0.5.4 does not wrap:
 * {@code virDomainSetMemoryParameters}, to set a running domain's memtune hard limit. Bound with
 * JNA directly against libvirt.so.0.
 */
final class LibvirtNative {

    /** sizeof(virTypedParameter): char field[80]; int type; (pad) union value (8 bytes). */
    static final int TYPED_PARAM_SIZE = 96;
    static final int FIELD_LENGTH = 80;
    static final int TYPE_ULLONG = 4;
    static final int AFFECT_LIVE = 1;

    interface Virt extends Library {
        int virDomainSetMemoryParameters(Pointer domain, Pointer params, int nparams, int flags);

        String virGetLastErrorMessage();
    }

    private static volatile Virt virt;

    private LibvirtNative() {
    }

    /**
     * Sets memtune hard_limit (KiB) on the running domain. Returns null on success, else libvirt's
     * message (read on the same thread: libvirt's last error is per thread).
     */
    static String setHardLimitLive(Domain domain, long kib) {
        Memory param = new Memory(TYPED_PARAM_SIZE);
        param.clear();
        byte[] name = "hard_limit".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        param.write(0, name, 0, name.length);
        param.setInt(FIELD_LENGTH, TYPE_ULLONG);
        param.setLong(FIELD_LENGTH + 8, kib);
        if (lib().virDomainSetMemoryParameters(pointer(domain), param, 1, AFFECT_LIVE) == 0) {
            return null;
        }
        String m = lib().virGetLastErrorMessage();
        return m == null ? "unknown libvirt error" : m;
    }

    private static Virt lib() {
        Virt v = virt;
        if (v == null) {
            v = Native.load("virt", Virt.class);
            virt = v;
        }
        return v;
    }

    /** libvirt-java keeps the native handle in a package-private field. */
    private static Pointer pointer(Domain domain) {
        try {
            Field f = Domain.class.getDeclaredField("vdp");
            f.setAccessible(true);
            return ((PointerType) f.get(domain)).getPointer();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("libvirt-java changed: no Domain.vdp", e);
        }
    }

    /** Whether libvirt's client library is installed (libvirt.so.0 in one of the usual library directories). */
    static boolean libraryInstalled() {
        for (String dir : List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
                "/lib64", "/lib", "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/local/lib")) {
            if (Files.exists(Path.of(dir, "libvirt.so.0"))) {
                return true;
            }
        }
        return false;
    }
}
