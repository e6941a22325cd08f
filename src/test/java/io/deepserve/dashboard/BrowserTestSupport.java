package io.deepserve.dashboard;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import io.deepserve.ApplicationTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.util.FileSystemUtils;

/**
 * Debian's headless Chromium driven through Debian's chromedriver, one browser per test class. Both paths are given
 * explicitly so Selenium Manager never tries to download a browser or driver.
 */
abstract class BrowserTestSupport extends ApplicationTestSupport {

	static final Path SCREENSHOTS = Path.of("target", "screenshots");

	private static ChromeDriver driver;

	private static Path profile;

	@LocalServerPort
	int port;

	@BeforeEach
	void startBrowser() throws IOException {
		if (driver == null) {
			profile = Files.createTempDirectory("chromium-profile-");
			ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium")
				.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
						"--disable-background-networking", "--disable-component-update", "--disable-sync",
						"--window-size=1280,800", "--user-data-dir=" + profile);
			options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
			ChromeDriverService service = new ChromeDriverService.Builder()
				.usingDriverExecutable(new File("/usr/bin/chromedriver"))
				.usingAnyFreePort()
				.build();
			driver = new ChromeDriver(service, options);
			// --window-size counts the browser's own frame: pin the page's viewport to 1280 x 800 itself
			driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
					Map.of("width", 1280, "height", 800, "deviceScaleFactor", 1, "mobile", false));
		}
	}

	@AfterAll
	static void stopBrowser() {
		if (driver != null) {
			driver.quit();
			driver = null;
			FileSystemUtils.deleteRecursively(profile.toFile());
		}
	}

	ChromeDriver browser() {
		return driver;
	}

	/** Opens the dashboard at a tab ({@code models}, {@code training}, {@code try}, {@code datasets}). */
	void open(String tab) {
		driver.get("http://127.0.0.1:" + port + "/#" + tab);
		// a hash-only change would not reload the page; reload so every tab starts from the server's state
		driver.navigate().refresh();
		waitFor(By.cssSelector("#tab-" + tab + ".active"));
	}

	WebElement waitFor(By locator) {
		return waitFor(locator, Duration.ofSeconds(20));
	}

	WebElement waitFor(By locator, Duration timeout) {
		return new WebDriverWait(driver, timeout).until(ExpectedConditions.visibilityOfElementLocated(locator));
	}

	<T> T waitUntil(Duration timeout, java.util.function.Function<org.openqa.selenium.WebDriver, T> condition) {
		return new WebDriverWait(driver, timeout).pollingEvery(Duration.ofMillis(100)).until(condition);
	}

	Object js(String script, Object... args) {
		return ((JavascriptExecutor) driver).executeScript(script, args);
	}

	/** Saves what the browser shows as target/screenshots/{class}-{name}.png, kept as a build artifact. */
	Path screenshot(String name) {
		try {
			Files.createDirectories(SCREENSHOTS);
			Path target = SCREENSHOTS.resolve(getClass().getSimpleName() + "-" + name + ".png");
			Files.move(driver.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
			return target;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The console's errors since the last call (reading the log empties it). */
	List<String> consoleErrors() {
		return driver.manage()
			.logs()
			.get(LogType.BROWSER)
			.getAll()
			.stream()
			.filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
			.map(LogEntry::getMessage)
			.toList();
	}

}
