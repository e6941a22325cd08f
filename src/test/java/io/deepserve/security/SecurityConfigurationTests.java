package io.deepserve.security;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.boot.web.client.RestTemplateBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import io.deepserve.DeepserveApplication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each security setting on a small application of its own: listening beyond loopback without keys is refused at
 * start unless anonymous access is asked for by name; a key over its rate is told when to come back.
 */
class SecurityConfigurationTests {

	@TempDir
	Path dataDir;

	@Test
	void refusesToListenOnEveryInterfaceWithoutKeys() {
		assertThatThrownBy(() -> start("--server.address=0.0.0.0").close())
			.hasRootCauseInstanceOf(InsecureConfigurationException.class)
			.rootCause()
			.hasMessageContaining("0.0.0.0")
			.hasMessageContaining("no API keys");
	}

	@Test
	void refusesAManagementPortOnEveryInterfaceWithoutKeys() {
		assertThatThrownBy(() -> start("--management.server.port=0").close())
			.hasRootCauseInstanceOf(InsecureConfigurationException.class)
			.rootCause()
			.hasMessageContaining("management.server.port")
			.hasMessageContaining("every interface");
		try (ConfigurableApplicationContext app = start("--management.server.port=0",
				"--management.server.address=127.0.0.1")) {
			assertThat(app.isRunning()).isTrue();
		}
	}

	@Test
	void theManagementPortChecksKeysLikeTheMainPort() {
		try (ConfigurableApplicationContext app = start("--management.server.port=0",
				"--management.server.address=0.0.0.0", "--deepserve.security.api-keys[0].name=ops",
				"--deepserve.security.api-keys[0].sha256=" + ApiKeySecurityTests.sha("k"),
				"--deepserve.security.api-keys[0].roles=admin")) {
			String management = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.management.port");
			TestRestTemplate anonymous = new TestRestTemplate(new RestTemplateBuilder().rootUri(management));
			TestRestTemplate keyed = new TestRestTemplate(new RestTemplateBuilder().rootUri(management)
				.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer k"));
			ResponseEntity<String> refused = anonymous.getForEntity("/actuator/metrics", String.class);
			assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
			assertThat(refused.getBody()).contains("\"code\":\"unauthorized\"");
			assertThat(keyed.getForEntity("/actuator/metrics", String.class).getStatusCode())
				.isEqualTo(HttpStatus.OK);
			assertThat(anonymous.getForEntity("/actuator/health/liveness", String.class).getStatusCode())
				.isEqualTo(HttpStatus.OK);
		}
	}

	@Test
	void refusesKeyedInferenceWithoutKeys() {
		assertThatThrownBy(() -> start("--deepserve.security.inference-requires-key=true").close())
			.hasRootCauseInstanceOf(InsecureConfigurationException.class);
	}

	@Test
	void startsOnEveryInterfaceWhenAnonymousAccessIsExplicit() {
		try (ConfigurableApplicationContext app = start("--server.address=0.0.0.0",
				"--deepserve.security.allow-anonymous=true")) {
			assertThat(((WebServerApplicationContext) app).getWebServer().getPort()).isPositive();
		}
	}

	@Test
	void startsOnEveryInterfaceWithKeys() {
		try (ConfigurableApplicationContext app = start("--server.address=0.0.0.0",
				"--deepserve.security.api-keys[0].name=ops",
				"--deepserve.security.api-keys[0].sha256=" + ApiKeySecurityTests.sha("k"),
				"--deepserve.security.api-keys[0].roles=admin,infer")) {
			assertThat(app.isRunning()).isTrue();
		}
	}

	@Test
	void aKeyOverItsRateIs429WithRetryAfter() {
		try (ConfigurableApplicationContext app = start("--deepserve.security.rate-limit-per-key=1",
				"--deepserve.security.api-keys[0].name=ops",
				"--deepserve.security.api-keys[0].sha256=" + ApiKeySecurityTests.sha("k"),
				"--deepserve.security.api-keys[0].roles=admin")) {
			int port = ((WebServerApplicationContext) app).getWebServer().getPort();
			TestRestTemplate http = new TestRestTemplate(new RestTemplateBuilder()
				.rootUri("http://127.0.0.1:" + port)
				.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer k"));
			assertThat(http.getForEntity("/api/v1/models", String.class).getStatusCode()).isEqualTo(HttpStatus.OK);
			ResponseEntity<String> limited = http.getForEntity("/api/v1/models", String.class);
			assertThat(limited.getStatusCode()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
			assertThat(limited.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
			assertThat(limited.getBody()).contains("\"code\":\"rate_limited\"");
			assertThat(http.getForEntity("/actuator/health/liveness", String.class).getStatusCode())
				.as("probes are never limited").isEqualTo(HttpStatus.OK);
		}
	}

	@Test
	void theStartupReportSaysWhatToDo() {
		FailureAnalysis analysis = new InsecureConfigurationFailureAnalyzer()
			.analyze(new IllegalStateException(new InsecureConfigurationException("exposed", "add keys")));
		assertThat(analysis.getDescription()).isEqualTo("exposed");
		assertThat(analysis.getAction()).isEqualTo("add keys");
	}

	private ConfigurableApplicationContext start(String... args) {
		String[] all = new String[args.length + 3];
		all[0] = "--deepserve.data-dir=" + dataDir;
		all[1] = "--server.port=0";
		all[2] = "--deepserve.engine.load-at-startup=false";
		System.arraycopy(args, 0, all, 3, args.length);
		return new SpringApplicationBuilder(DeepserveApplication.class).run(all);
	}

}
