package io.berth.runtime;

/**
 * Creation failed because the runtime name ({@code berth-NAME}) is held by an object this agent
 * does not own: a container or domain someone else made, or another agent's. Creation never
 * overwrites, so retrying cannot help until a person renames or removes one of them; the
 * reconciler reports it once and does not retry (a later change, resync or event may try again).
 */
public class NameTaken extends RuntimeFailure {

    public NameTaken(String workload, String message, Throwable cause) {
        super(workload, message, cause);
    }

    public NameTaken(String workload, String message) {
        super(workload, message);
    }
}
