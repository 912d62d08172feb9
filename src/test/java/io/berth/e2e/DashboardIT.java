package io.berth.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.testing.Agent;
import io.berth.testing.DaemonProcess;
import io.berth.testing.Docker;
import io.berth.testing.Manifests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard at {@code /} as an operator sees it, in a real headless Chromium (Debian's
 * {@code chromium} and {@code chromedriver}, installed by deploy/host-setup.sh): it asks for the
 * token and says clearly when it is wrong, lists every workload with its phase, and its CPU chart
 * follows a CPU burner capped at half a core. Leaves a screenshot in {@code target/dashboard.png}.
 */
class DashboardIT {

    static final Duration WAIT = Duration.ofSeconds(90);
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    static final ObjectMapper JSON = new ObjectMapper();
    // Selenium warns that it has no DevTools bindings for this Chromium; the test uses none.
    static final Logger CDP_FINDER = quiet("org.openqa.selenium.devtools.CdpVersionFinder");
    static final Logger CHROMIUM_DRIVER = quiet("org.openqa.selenium.chromium.ChromiumDriver");

    final String id = UUID.randomUUID().toString().substring(0, 6);
    final String agent = "e2e-dash-" + id;
    final String idle = "dash-idle-" + id;
    final String burner = "dash-burn-" + id;

    @TempDir
    Path manifests;
    @TempDir
    Path state;
    @TempDir
    Path gitDir;

    DaemonProcess daemon;
    String revision;
    WebDriver browser;

    @BeforeEach
    void start() throws Exception {
        Files.writeString(manifests.resolve("workloads.yaml"), Manifests.containerYaml(idle, "250m", "48Mi", Manifests.SLEEP)
                + "---\n" + Manifests.containerYaml(burner, "500m", "32Mi", Manifests.BURN));
        // A git source too (declaring nothing yet): the page shows the revision in force.
        io.berth.testing.GitRepo repo = io.berth.testing.GitRepo.create(gitDir);
        repo.write("README.md", "the fleet\n");
        revision = repo.commit("fleet: nothing yet");
        daemon = DaemonProcess.start(manifests, state, agent, Map.of("BERTH_STATS_INTERVAL", "1s",
                "BERTH_GIT_URL", repo.url()));
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (daemon != null) {
            daemon.close();
        }
        Docker.removeAgentContainers(agent);
    }

    @Test
    void showsEveryWorkloadAndChartsThatFollowTheBurner() throws Exception {
        String token = Files.readString(state.resolve("token")).strip();
        browser = chromium();
        browser.get(daemon.url() + "/");

        // The page itself needs no token; it asks for one, and a wrong one is named as such.
        await("token form", () -> browser.findElement(By.id("login")).isDisplayed());
        login("not-the-token");
        await("wrong-token message", () -> {
            WebElement error = browser.findElement(By.id("login-error"));
            return error.isDisplayed() && error.getText().contains("Wrong token");
        });
        assertThat(browser.findElement(By.id("dashboard")).isDisplayed()).isFalse();

        login(token);
        await("dashboard shown", () -> browser.findElement(By.id("dashboard")).isDisplayed());
        assertThat(browser.getCurrentUrl()).doesNotContain(token);

        await("the git source's line", () -> browser.findElement(By.id("git")).getText()
                .contains("revision " + revision.substring(0, 12) + " \"fleet: nothing yet\" in force (applied "));

        // Every workload, with its phase, in the table and with a chart card.
        for (String name : List.of(idle, burner)) {
            await(name + " listed as Running", () -> phase(name).equals("Running"));
            assertThat(browser.findElements(By.cssSelector(".card[data-name='" + name + "'] canvas.cpu-chart")))
                    .hasSize(1);
        }
        assertThat(cell(burner, "kind")).isEqualTo("Container");
        // the limits as the sampler reports them (before a workload's first sample the table shows the declared ones)
        await("the burner's sampled CPU limit", () -> cell(burner, "cpu").endsWith("/ 0.50"));
        await("the idle one's sampled memory limit", () -> cell(idle, "memory").endsWith("/ 48.0 MiB"));

        // The burner's CPU chart moves: two readings 5 s apart differ, and the newest points sit
        // near its limit of half a core (the CFS quota caps it; a busy host may hold it lower
        // for a while, so wait for the quota to be what limits it).
        await("burner's CPU chart has points", () -> cpuSeries(burner).size() >= 2);
        List<double[]> first = cpuSeries(burner);
        Instant t1 = Instant.now();
        Thread.sleep(5_500);
        List<double[]> second = cpuSeries(burner);
        assertThat(Duration.between(t1, Instant.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
        double[] last1 = first.getLast();
        double[] last2 = second.getLast();
        assertThat(last2[0]).as("time of the newest point").isGreaterThanOrEqualTo(last1[0] + 4_000);
        assertThat(second.stream().filter(p -> p[0] > last1[0]).mapToDouble(p -> p[1]))
                .as("CPU values charted in the 5 s after a reading of %s", last1[1])
                .anyMatch(y -> y != last1[1]);
        assertThat(second.size()).isGreaterThan(first.size());

        await("burner near its 0.5 core limit", () -> {
            double median = recentMedian(cpuSeries(burner), 5);
            return median >= 0.3 && median <= 0.6;
        });
        double shown = Double.parseDouble(cell(burner, "cpu").split(" / ")[0]);
        assertThat(shown).as("CPU cores shown for the burner").isBetween(0.2, 0.65);

        // What the page shows is what the API says: the API's newest sample is a point of the chart.
        JsonNode sample = JSON.readTree(daemon.get("/api/v1/workloads/" + burner + "/stats", token).body());
        long at = Instant.parse(sample.get("sampledAt").asText()).toEpochMilli();
        double cores = sample.get("cpu").get("usageCores").asDouble();
        await("API sample in the chart", () -> cpuSeries(burner).stream()
                .anyMatch(p -> p[0] == at && Math.abs(p[1] - cores) < 1e-9));

        // The host panel shows capacity, allocation (at least our two limits) and use.
        WebElement hostCpu = browser.findElement(By.id("host-cpu"));
        assertThat(Double.parseDouble(hostCpu.getDomAttribute("data-capacity"))).isPositive();
        assertThat(Double.parseDouble(hostCpu.getDomAttribute("data-allocated"))).isGreaterThanOrEqualTo(0.75 - 1e-9);
        assertThat(hostCpu.getText()).contains("capacity", "allocated", "used");

        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Path shot = Agent.root().resolve("target/dashboard.png");
        Files.write(shot, png);
        assertThat(png.length).as("screenshot size").isGreaterThan(20_000);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).as("a PNG").isNotNull();
        assertThat(image.getWidth()).isGreaterThanOrEqualTo(1000);
        assertThat(distinctColours(image)).as("colours in the screenshot").isGreaterThan(50);

        // A reload keeps the token (this tab's session storage); the dark scheme, as at night.
        ((ChromeDriver) browser).executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        browser.navigate().refresh();
        await("dashboard again after a reload, without the form", () -> browser.findElement(By.id("dashboard")).isDisplayed()
                && cpuSeries(burner).size() >= 3);
        assertThat(browser.findElement(By.id("login")).isDisplayed()).isFalse();
        Files.write(Agent.root().resolve("target/dashboard-dark.png"),
                ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    private static Logger quiet(String name) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(Level.SEVERE);
        return logger;
    }

    private WebDriver chromium() {
        for (String exe : List.of(CHROMIUM, CHROMEDRIVER)) {
            assertThat(Path.of(exe)).as("%s (Debian's chromium and chromium-driver; deploy/host-setup.sh installs them)", exe)
                    .isExecutable();
        }
        // Explicit driver and browser: Selenium Manager has nothing to look up or download.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1100", "--force-color-profile=srgb");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
        return driver;
    }

    private void login(String token) {
        WebElement input = browser.findElement(By.id("token"));
        input.clear();
        input.sendKeys(token);
        browser.findElement(By.cssSelector("#login-form button[type=submit]")).click();
    }

    private String phase(String name) {
        List<WebElement> cells = browser.findElements(By.cssSelector("tr[data-name='" + name + "'] td.phase"));
        return cells.isEmpty() ? "" : cells.getFirst().getText();
    }

    private String cell(String name, String cls) {
        return browser.findElement(By.cssSelector("tr[data-name='" + name + "'] td." + cls)).getText();
    }

    /** The burner's CPU chart as Chart.js holds it: [epoch ms, cores] per point. */
    private List<double[]> cpuSeries(String name) {
        Object r = ((JavascriptExecutor) browser).executeScript("""
                const canvas = document.querySelector(".card[data-name='" + arguments[0] + "'] canvas.cpu-chart");
                const chart = canvas && Chart.getChart(canvas);
                return chart ? chart.data.datasets[0].data.map(p => [p.x, p.y]) : [];
                """, name);
        List<double[]> points = new ArrayList<>();
        for (Object p : (List<?>) r) {
            List<?> xy = (List<?>) p;
            points.add(new double[]{((Number) xy.get(0)).doubleValue(), ((Number) xy.get(1)).doubleValue()});
        }
        return points;
    }

    private static double recentMedian(List<double[]> points, int n) {
        if (points.size() < n) {
            return Double.NaN;
        }
        double[] ys = points.subList(points.size() - n, points.size()).stream().mapToDouble(p -> p[1]).sorted().toArray();
        return ys[n / 2];
    }

    private static int distinctColours(BufferedImage image) {
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                colours.add(image.getRGB(x, y));
            }
        }
        return colours.size();
    }

    /** The daemon's wait, tolerating elements not rendered yet, and showing the page's text if it fails. */
    private void await(String what, BooleanSupplier condition) throws Exception {
        try {
            daemon.await(what, WAIT, () -> {
                try {
                    return condition.getAsBoolean();
                } catch (RuntimeException e) {
                    return false; // e.g. an element not rendered yet
                }
            });
        } catch (AssertionError e) {
            String page = browser == null ? "" : "\npage text:\n" + browser.findElement(By.tagName("body")).getText();
            throw new AssertionError(e.getMessage() + page, e);
        }
    }
}
