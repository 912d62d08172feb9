package io.berth.runtime;

/**
 * This agent's name: the identity written on every runtime object it creates ({@code io.berth.agent},
 * libvirt metadata), so that agents sharing an engine never touch each other's objects.
 */
public record Agent(String name) {
}
