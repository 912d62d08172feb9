package io.berth.runtime;

/** The names of Berth's ownership marks (CONTRACT §4), shared by every runtime. */
public final class OwnershipLabels {
    public static final String MANAGED = "io.berth.managed";
    public static final String NAME = "io.berth.name";
    public static final String KIND = "io.berth.kind";
    public static final String SPEC_HASH = "io.berth.spec-hash";
    public static final String SOURCE = "io.berth.source";
    public static final String AGENT = "io.berth.agent";
    /** The applied spec in canonical JSON, so a plan can say which field changed, old → new. */
    public static final String SPEC = "io.berth.spec";

    /** What every runtime object name starts with: container {@code berth-web}, domain {@code berth-db}. */
    public static final String OBJECT_PREFIX = "berth-";

    /** Runtime object names are derived, so a repeated or interrupted apply finds what it made. */
    public static String objectName(String workloadName) {
        return OBJECT_PREFIX + workloadName;
    }

    private OwnershipLabels() {
    }
}
