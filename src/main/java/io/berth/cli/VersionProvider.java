package io.berth.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar's manifest (set by the build), "dev" when run from classes. */
public class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = VersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {"berth " + (v == null ? "dev" : v)};
    }
}
