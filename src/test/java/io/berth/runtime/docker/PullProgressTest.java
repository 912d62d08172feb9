package io.berth.runtime.docker;

import io.berth.images.ImageProgress;
import io.berth.images.ImageProgress.Phase;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pull's stream summed over its layers, fed the messages Docker 20.10 sent for a two-layer image
 * (one already here, one of 16 MiB): downloads count, extraction and the tag's lines do not, a
 * layer reported complete counts in full, and every step is a pull of that image.
 */
class PullProgressTest {

    static final String IMAGE = "127.0.0.1:5000/shop/app:1";

    @Test
    void layersAreSummedAsTheyDownloadAndExtractionIsNotCounted() {
        List<ImageProgress> seen = new ArrayList<>();
        PullProgress p = new PullProgress("app", IMAGE, seen::add);
        p.started();
        p.item("1", "Pulling from shop/app", null, null);
        p.item("05a2f91e1269", "Already exists", null, null);
        p.item("efd258abfebc", "Pulling fs layer", null, null);
        p.item("efd258abfebc", "Downloading", 196_608L, 16_782_487L);
        p.item("efd258abfebc", "Downloading", 8_000_000L, 16_782_487L);
        p.item("efd258abfebc", "Verifying Checksum", null, null);
        p.item("efd258abfebc", "Download complete", null, null);
        p.item("efd258abfebc", "Extracting", 196_608L, 16_782_487L);
        p.item("efd258abfebc", "Pull complete", null, null);
        p.item(null, "Digest: sha256:314de4de", null, null);
        p.done();

        assertThat(seen).allMatch(ImageProgress::pull).allMatch(s -> s.url().equals(IMAGE) && s.workload().equals("app"));
        assertThat(seen).extracting(ImageProgress::phase)
                .containsExactly(Phase.started, Phase.progress, Phase.progress, Phase.progress, Phase.done);
        assertThat(seen).extracting(ImageProgress::bytes).containsExactly(0L, 196_608L, 8_000_000L, 16_782_487L, 16_782_487L);
        assertThat(seen.get(2).total()).isEqualTo(16_782_487L);
        assertThat(seen.get(2).amount()).isEqualTo("7.6 MiB of 16.0 MiB (47%)");
        assertThat(seen.getFirst().total()).as("nothing told yet").isEqualTo(-1);
    }

    @Test
    void aFailureCarriesItsMessageAndABrokenWatcherDoesNotBreakThePull() {
        List<ImageProgress> seen = new ArrayList<>();
        PullProgress p = new PullProgress("app", IMAGE, seen::add);
        p.failed("app: image " + IMAGE + " could not be pulled (manifest unknown)");
        assertThat(seen).singleElement().satisfies(s -> {
            assertThat(s.phase()).isEqualTo(Phase.failed);
            assertThat(s.message()).contains("manifest unknown");
        });

        PullProgress broken = new PullProgress("app", IMAGE, s -> {
            throw new IllegalStateException("terminal closed");
        });
        broken.started();
        broken.item("a", "Downloading", 1L, 2L);
        broken.done();
    }
}
