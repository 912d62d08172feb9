package io.berth.cli;

import io.berth.manifest.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code agent validate -f PATH...}: offline; every error as file:line:col: field: message. */
@Command(name = "validate", mixinStandardHelpOptions = true, description = "Check manifests offline; print every error as file:line:col.")
public class ValidateCommand implements Callable<Integer> {

    @Mixin
    ManifestInput input;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<Workload> workloads = input.load(spec.commandLine().getErr());
        spec.commandLine().getOut().printf("%d workload%s valid.%n", workloads.size(), workloads.size() == 1 ? "" : "s");
        return ExitCodes.OK;
    }
}
