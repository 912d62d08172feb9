package io.berth.convert;

/**
 * What this Berth can run, for the few Compose features that depend on it. The one place to switch
 * a feature on when Berth gains it: {@link #SECRETS} turns Compose file secrets into
 * {@code spec.secrets} entries instead of reporting them as not carried.
 */
final class BerthSupport {

    /** Whether manifests accept {@code spec.secrets: [{name, file, mountPath, mode}]} (CONTRACT §6.3). */
    static final boolean SECRETS = true;

    static final String SECRETS_MISSING = "secrets: not supported by this Berth yet";

    private BerthSupport() {
    }
}
