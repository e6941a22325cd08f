package io.deepserve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One running application with the engine, shared through Spring's context cache by every test class that extends
 * this: keep annotations and properties here, not on the subclasses. Each class uses model names of its own.
 */
// Spring Boot turns metrics export off in tests unless asked to keep it
@AutoConfigureObservability
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ApplicationTestSupport {

	/** Not a JUnit {@code @TempDir}: that would be deleted after the first class while the context lives on. */
	protected static final Path DATA_DIR = newDataDir();

	@Autowired
	protected TestRestTemplate http;

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("deepserve.data-dir", DATA_DIR::toString);
		// small enough that the byte-limit test sends little, large enough for every other test image
		registry.add("deepserve.inference.max-image-bytes", () -> "1MB");
		// surefire caps oneDNN at AVX2, where bf16 is right but slow; Bf16ServingTests serve it all the same
		registry.add("deepserve.engine.allow-slow-bf16", () -> "true");
		// a re-check under load could change a version's pool under a test that measures it; ServingRecheckTests
		// run it themselves
		registry.add("deepserve.inference.recheck-interval", () -> "0s");
	}

	private static Path newDataDir() {
		try {
			Path parent = Files.createDirectories(Path.of("target", "test-data"));
			return Files.createTempDirectory(parent, "app-").toAbsolutePath();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
