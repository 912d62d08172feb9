package io.berth.cli;

import io.berth.manifest.ManifestSchema;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code agent schema}: prints the manifest format as JSON Schema (draft 2020-12), for editors'
 * {@code # yaml-language-server: $schema=...} modeline and other tools. Offline; the same bytes as
 * the shipped {@code deploy/schema/berth.schema.json}.
 */
@Command(name = "schema", mixinStandardHelpOptions = true,
        description = "Print the manifest format as JSON Schema (draft 2020-12), for editors and validators.")
public class SchemaCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(ManifestSchema.json());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
