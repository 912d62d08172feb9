package io.berth.api.dto;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;

/**
 * The Jackson settings of the daemon's API (Quarkus' default ObjectMapper: the JDK 8, java.time and
 * parameter-names modules, instants as ISO-8601 strings, unknown properties ignored), for the code
 * that reads or writes these records outside Quarkus: the CLI, conversions, tests.
 */
public final class Json {

    /** A mapper with the API's settings; thread-safe, do not reconfigure. */
    public static final ObjectMapper MAPPER = configure(new ObjectMapper());

    private Json() {
    }

    /** Applies the API's settings to {@code mapper} (e.g. one with a YAML factory or pretty printing) and returns it. */
    public static ObjectMapper configure(ObjectMapper mapper) {
        return mapper.registerModule(new Jdk8Module()).registerModule(new JavaTimeModule())
                .registerModule(new ParameterNamesModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }
}
