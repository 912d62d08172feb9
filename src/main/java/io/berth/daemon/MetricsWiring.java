package io.berth.daemon;

import io.berth.stats.Exposition;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The daemon's additions to Quarkus' Micrometer setup, as CDI beans that the extension applies to
 * its registries before the JVM and HTTP binders register: the exposition filter and the
 * process CPU counter of {@link Exposition}.
 */
@Singleton
public class MetricsWiring {

    @Produces
    @Singleton
    MeterFilter exposition() {
        return Exposition.filter();
    }

    @Produces
    @Singleton
    MeterBinder processCpu() {
        return Exposition.processCpu();
    }
}
