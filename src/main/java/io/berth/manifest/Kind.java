package io.berth.manifest;

/** The two kinds of workload a manifest may declare; the names are the manifest's {@code kind} values. */
public enum Kind {
    Container,
    VirtualMachine
}
