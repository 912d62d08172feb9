package io.berth.e2e;

import io.berth.testing.Agent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Every command answers --help with its usage and exit 0, as README promises. */
class HelpIT {

    final Agent agent = new Agent("e2e-help");

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"validate", "plan", "apply", "get", "delete", "convert"}) {
            Agent.Result r = agent.run(command, "--help");
            assertThat(r.exit()).as(command + ": " + r).isZero();
            assertThat(r.out()).as(command).contains("Usage: agent " + command);
        }
        Agent.Result top = agent.run("--help");
        assertThat(top.exit()).isZero();
        assertThat(top.out()).contains("validate", "plan", "apply", "get", "delete", "convert");
    }

    @Test
    void unknownCommandsAndOptionsExitOneWithUsage() {
        Agent.Result r = agent.run("apply", "--no-such-option", "-f", "manifests/local");
        assertThat(r.exit()).as("1, never plan's 2 for changes: " + r).isEqualTo(1);
        assertThat(r.err()).contains("Unknown option: '--no-such-option'");
    }
}
