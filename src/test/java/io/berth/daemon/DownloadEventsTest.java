package io.berth.daemon;

import io.berth.images.ImageProgress;
import io.berth.images.ImageProgress.Phase;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Downloads as daemon events at coarse steps: the start, each quarter, the end, a failure. */
class DownloadEventsTest {

    static final String URL = "https://mirror.example.org/base.qcow2";

    @Test
    void aDownloadIsAStartThreeQuartersAndAnEndAndAFailureItsReason() {
        List<String> events = new ArrayList<>();
        DownloadEvents d = new DownloadEvents((name, type, message) -> events.add(name + " " + type + " " + message));
        long total = 100L << 20;
        d.accept(new ImageProgress("db", URL, Phase.started, 0, total, null));
        for (int percent = 1; percent <= 100; percent++) {
            d.accept(new ImageProgress("db", URL, Phase.progress, total * percent / 100, total, null));
        }
        d.accept(new ImageProgress("db", URL, Phase.done, total, total, null));
        d.accept(new ImageProgress("web", URL, Phase.failed, 0, -1, "web: base image " + URL + " not used: HTTP 404"));

        assertThat(events).containsExactly(
                "db ImageDownloading downloading " + URL + " (100.0 MiB)",
                "db ImageDownloading " + URL + ": 25.0 MiB of 100.0 MiB (25%)",
                "db ImageDownloading " + URL + ": 50.0 MiB of 100.0 MiB (50%)",
                "db ImageDownloading " + URL + ": 75.0 MiB of 100.0 MiB (75%)",
                "db ImageDownloaded " + URL + ": 100.0 MiB, sha256 verified",
                "web ImageDownloadFailed web: base image " + URL + " not used: HTTP 404");
    }

    @Test
    void aPullIsTheSameStepsAsItsOwnEvents() {
        List<String> events = new ArrayList<>();
        DownloadEvents d = new DownloadEvents((name, type, message) -> events.add(name + " " + type + " " + message));
        String image = "127.0.0.1:5000/shop/app:1";
        long total = 16L << 20;
        d.accept(new ImageProgress("app", image, Phase.started, 0, -1, null, ImageProgress.Source.pull));
        for (int percent = 1; percent <= 100; percent++) {
            d.accept(new ImageProgress("app", image, Phase.progress, total * percent / 100, total, null, ImageProgress.Source.pull));
        }
        d.accept(new ImageProgress("app", image, Phase.done, total, total, null, ImageProgress.Source.pull));
        d.accept(new ImageProgress("web", image, Phase.failed, 0, -1, "web: image " + image + " could not be pulled (x)",
                ImageProgress.Source.pull));

        assertThat(events).containsExactly(
                "app ImagePulling pulling image " + image,
                "app ImagePulling " + image + ": 4.0 MiB of 16.0 MiB (25%)",
                "app ImagePulling " + image + ": 8.0 MiB of 16.0 MiB (50%)",
                "app ImagePulling " + image + ": 12.0 MiB of 16.0 MiB (75%)",
                "app ImagePulled " + image + ": 16.0 MiB downloaded",
                "web ImagePullFailed web: image " + image + " could not be pulled (x)");
    }
}
