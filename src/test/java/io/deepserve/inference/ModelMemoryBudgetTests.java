package io.deepserve.inference;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.boot.web.client.RestTemplateBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import io.deepserve.DeepserveApplication;
import io.deepserve.registry.RegistryHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two ways a version leaves memory besides an alias switch: unused for {@code idle-unload-after}, and pushed
 * out by {@code max-loaded-bytes}. Each runs in its own application, started with those settings.
 */
class ModelMemoryBudgetTests {

	private static final ObjectMapper JSON = new ObjectMapper();

	private final byte[] png = Images.encode(Images.pattern(32, 32, 7), "png");

	@Test
	void aVersionUnusedForTheIdleTimeIsUnloadedUnlessAnAliasServesItAndLoadsAgainOnUse() throws Exception {
		try (ConfigurableApplicationContext app = start("--deepserve.inference.idle-unload-after=1s")) {
			TestRestTemplate http = http(app);
			WorkloadManager manager = app.getBean(WorkloadManager.class);
			importTiny(http, "idle-tiny");
			importTiny(http, "aliased-tiny");
			HttpHeaders headers = new HttpHeaders();
			headers.setContentType(MediaType.APPLICATION_JSON);
			ResponseEntity<String> aliased = http.exchange("/api/v1/models/aliased-tiny/aliases/production",
					HttpMethod.PUT, new HttpEntity<>("{\"version\": 1}", headers), String.class);
			assertThat(aliased.getStatusCode()).as(aliased.getBody()).isEqualTo(HttpStatus.OK);

			// taken before the request, which marks the version used at some point after: the idle time counts
			// from there, and the second request below must not eat into it
			long used = System.nanoTime();
			classifyOk(http, "idle-tiny:1");
			classifyOk(http, "aliased-tiny");
			assertThat(manager.isLoaded("idle-tiny", 1)).isTrue();

			awaitTrue(() -> !manager.isLoaded("idle-tiny", 1), Duration.ofSeconds(15), "idle-tiny:1 unloaded");
			assertThat(Duration.ofNanos(System.nanoTime() - used)).as("not before the idle time")
				.isGreaterThanOrEqualTo(Duration.ofSeconds(1));
			Thread.sleep(1_500);
			assertThat(manager.isLoaded("aliased-tiny", 1)).as("an alias keeps its version loaded however idle")
				.isTrue();
			assertThat(gauge(http, "deepserve.inference.models.loaded")).isEqualTo(1);

			classifyOk(http, "idle-tiny:1");
			assertThat(manager.isLoaded("idle-tiny", 1)).as("loaded again on use").isTrue();
		}
	}

	@Test
	void beyondTheByteBudgetTheLeastRecentlyUsedVersionIsUnloaded() throws Exception {
		long each = Images.tinyTorchScript().length;
		long budget = each * 5 / 2;
		try (ConfigurableApplicationContext app = start("--deepserve.inference.max-loaded-models=10",
				"--deepserve.inference.max-loaded-bytes=" + budget + "B")) {
			TestRestTemplate http = http(app);
			WorkloadManager manager = app.getBean(WorkloadManager.class);
			for (int v = 1; v <= 3; v++) {
				importTiny(http, "bytes-tiny");
			}
			classifyOk(http, "bytes-tiny:1");
			classifyOk(http, "bytes-tiny:2");
			assertThat(gauge(http, "deepserve.inference.models.loaded.bytes")).isEqualTo(2 * each);
			classifyOk(http, "bytes-tiny:1"); // now version 2 is the least recently used
			classifyOk(http, "bytes-tiny:3");

			awaitTrue(() -> !manager.isLoaded("bytes-tiny", 2), Duration.ofSeconds(15), "bytes-tiny:2 unloaded");
			assertThat(manager.isLoaded("bytes-tiny", 1)).isTrue();
			assertThat(manager.isLoaded("bytes-tiny", 3)).isTrue();
			assertThat(gauge(http, "deepserve.inference.models.loaded.bytes")).isEqualTo(2 * each)
				.isLessThanOrEqualTo(budget);

			classifyOk(http, "bytes-tiny:2");
			awaitTrue(() -> !manager.isLoaded("bytes-tiny", 1), Duration.ofSeconds(15), "then bytes-tiny:1 unloaded");
		}
	}

	private static ConfigurableApplicationContext start(String... settings) throws Exception {
		Path dataDir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "test-data")), "budget-");
		List<String> args = new ArrayList<>(List.of("--deepserve.data-dir=" + dataDir.toAbsolutePath(),
				"--server.port=0", "--server.address=127.0.0.1"));
		args.addAll(List.of(settings));
		return new SpringApplicationBuilder(DeepserveApplication.class).run(args.toArray(String[]::new));
	}

	private static TestRestTemplate http(ConfigurableApplicationContext app) {
		return new TestRestTemplate(new RestTemplateBuilder()
			.rootUri("http://127.0.0.1:" + app.getBean(Environment.class).getProperty("local.server.port")));
	}

	private static void importTiny(TestRestTemplate http, String name) {
		ResponseEntity<String> created = RegistryHttp.importVersion(http, name, Images.tinyTorchScript(),
				Images.tinyMetadata(null));
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
	}

	private void classifyOk(TestRestTemplate http, String ref) {
		ResponseEntity<String> r = Images.classify(http, ref, png, MediaType.IMAGE_PNG);
		assertThat(r.getStatusCode()).as(ref + ": " + r.getBody()).isEqualTo(HttpStatus.OK);
	}

	private static long gauge(TestRestTemplate http, String name) throws Exception {
		return JSON.readTree(http.getForObject("/actuator/metrics/" + name, String.class))
			.at("/measurements/0/value")
			.asLong();
	}

	private static void awaitTrue(BooleanSupplier condition, Duration within, String what) throws InterruptedException {
		long until = System.nanoTime() + within.toNanos();
		while (!condition.getAsBoolean() && System.nanoTime() < until) {
			Thread.sleep(20);
		}
		assertThat(condition.getAsBoolean()).as(what).isTrue();
	}

}
