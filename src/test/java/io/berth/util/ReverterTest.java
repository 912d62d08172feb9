package io.berth.util;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReverterTest {

    private final List<String> log = new ArrayList<>();

    @Test
    void failureRunsUndosInReverseAndRethrowsTheOriginal() {
        IllegalStateException original = new IllegalStateException("start failed");
        assertThatThrownBy(() -> {
            try (Reverter revert = new Reverter()) {
                log.add("create");
                revert.add(() -> log.add("undo create"));
                log.add("define");
                revert.add(() -> log.add("undo define"));
                throw original;
            }
        }).isSameAs(original);
        assertThat(log).containsExactly("create", "define", "undo define", "undo create");
        assertThat(original.getSuppressed()).isEmpty();
    }

    @Test
    void successDisarms() {
        try (Reverter revert = new Reverter()) {
            revert.add(() -> log.add("undo"));
            revert.success();
        }
        assertThat(log).isEmpty();
    }

    @Test
    void stepsAddedAfterSuccessAreNotUndoneEither() {
        try (Reverter revert = new Reverter()) {
            revert.success();
            revert.add(() -> log.add("undo"));
        }
        assertThat(log).isEmpty();
    }

    @Test
    void undoFailuresAreSuppressedOnTheOriginalAndTheRestStillRun() {
        IllegalStateException original = new IllegalStateException("start failed");
        IllegalArgumentException undo1 = new IllegalArgumentException("remove failed");
        IllegalArgumentException undo2 = new IllegalArgumentException("delete disk failed");
        assertThatThrownBy(() -> {
            try (Reverter revert = new Reverter()) {
                revert.add(() -> log.add("first step undone"));
                revert.add(() -> {
                    throw undo2;
                });
                revert.add(() -> {
                    throw undo1;
                });
                throw original;
            }
        }).isSameAs(original);
        assertThat(log).containsExactly("first step undone");
        assertThat(original.getSuppressed()).containsExactly(undo1);
        assertThat(undo1.getSuppressed()).containsExactly(undo2);
    }

    @Test
    void closingWithoutSuccessOrFailureStillReverts() {
        Reverter revert = new Reverter();
        revert.add(() -> log.add("undo"));
        revert.close();
        revert.close(); // idempotent
        assertThat(log).containsExactly("undo");
    }

    @Test
    void anUndoFailureWithoutAnOriginalIsThrown() {
        Reverter revert = new Reverter();
        revert.add(() -> {
            throw new IllegalStateException("cannot undo");
        });
        assertThatThrownBy(revert::close).hasMessage("cannot undo");
    }
}
