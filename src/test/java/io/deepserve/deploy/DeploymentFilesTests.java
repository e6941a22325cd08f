package io.deepserve.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Dockerfile and docker-compose.yml, checked without a container engine: that the pieces agree. The image
 * itself, and compose's rendering of the file, are tested with Docker by {@code io.deepserve.container.*IT}.
 */
class DeploymentFilesTests {

	private static final Pattern PINNED = Pattern.compile("[^:\\s]+:[A-Za-z0-9_][A-Za-z0-9_.-]*");

	@Test
	void composeServicesArePinnedHealthCheckedAndWiredTogether() throws IOException {
		Map<String, Map<String, Object>> services = map(compose().get("services"));
		assertThat(services).containsOnlyKeys("deepserve", "postgres", "minio", "minio-init");
		services.forEach((name, service) -> {
			String image = (String) service.get("image");
			assertThat(image).as(name).matches(PINNED).doesNotEndWith(":latest");
			Map<String, Map<String, Object>> dependsOn = map(service.getOrDefault("depends_on", Map.of()));
			dependsOn.forEach((dependency, condition) -> {
				assertThat(services).as(name + " depends on").containsKey(dependency);
				String expected = dependency.equals("minio-init") ? "service_completed_successfully"
						: "service_healthy";
				assertThat(condition).as(name + " waits for " + dependency).containsEntry("condition", expected);
				if (expected.equals("service_healthy")) {
					assertThat(services.get(dependency)).as(dependency).containsKey("healthcheck");
				}
			});
		});
		Map<String, Object> deepserve = services.get("deepserve");
		assertThat(deepserve).containsKey("healthcheck");
		assertThat(healthPath(String.valueOf(map(deepserve.get("healthcheck")).get("test"))))
			.isIn("/actuator/health/liveness", "/actuator/health/readiness");
		// published only on the host's loopback: the stack is for one machine unless a proxy is put in front
		assertThat((List<?>) deepserve.get("ports")).allSatisfy(p -> assertThat(p.toString()).startsWith("127.0.0.1:"));
	}

	@Test
	void composeGivesDeepserveAKeyHashNeverAKey() throws IOException {
		Map<String, String> env = environment("deepserve");
		assertThat(env.get("DEEPSERVE_SECURITY_APIKEYS_0_SHA256")).startsWith("${DEEPSERVE_ADMIN_KEY_SHA256:?");
		assertThat(env.values()).noneMatch(v -> v.matches("[0-9a-fA-F]{64}"));
		assertThat(env).containsEntry("DEEPSERVE_SECURITY_APIKEYS_0_ROLES", "admin");
	}

	/**
	 * Env names must be Spring Boot's form of a property (dots to underscores, dashes dropped): a misspelt one is
	 * silently ignored and the service runs on a default. Every such name in the Dockerfile, compose and k8s/ must
	 * bind, through Spring's own mapping, to a property deepserve has.
	 */
	@Test
	void everyEnvironmentNameBindsToAProperty() throws IOException {
		List<String> properties = List.of("deepserve.data-dir", "deepserve.roles", "deepserve.storage.type",
				"deepserve.storage.s3.endpoint", "deepserve.storage.s3.region", "deepserve.storage.s3.bucket",
				"deepserve.storage.s3.prefix", "deepserve.storage.s3.path-style-access",
				"deepserve.storage.s3.access-key", "deepserve.storage.s3.secret-key", "deepserve.training.lease-timeout",
				"deepserve.security.inference-requires-key", "deepserve.security.allow-anonymous",
				"deepserve.security.api-keys[0].name", "deepserve.security.api-keys[0].sha256",
				"deepserve.security.api-keys[0].roles", "deepserve.security.api-keys[1].name",
				"deepserve.security.api-keys[1].sha256", "deepserve.security.api-keys[1].roles",
				"spring.datasource.url", "spring.datasource.username", "spring.datasource.password", "server.address",
				"server.port");
		Set<String> names = new TreeSet<>();
		List<Path> files = new ArrayList<>(List.of(Path.of("Dockerfile"), Path.of("docker-compose.yml")));
		try (Stream<Path> k8s = Files.walk(Path.of("k8s"))) {
			k8s.filter(f -> f.toString().endsWith(".yaml")).forEach(files::add);
		}
		Pattern variable = Pattern.compile("\\b(?:DEEPSERVE|SPRING|SERVER)_[A-Z0-9_]*[A-Z0-9]\\b");
		for (Path file : files) {
			variable.matcher(Files.readString(file)).results().map(MatchResult::group).forEach(names::add);
		}
		// the compose file's own inputs, not the container's environment
		names.remove("DEEPSERVE_ADMIN_KEY");
		names.remove("DEEPSERVE_ADMIN_KEY_SHA256");
		assertThat(names).contains("DEEPSERVE_STORAGE_S3_PATHSTYLEACCESS", "DEEPSERVE_SECURITY_APIKEYS_1_ROLES");
		for (String name : names) {
			ConfigurationPropertySource source = ConfigurationPropertySources
				.from(new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
						Map.of(name, "x")))
				.iterator()
				.next();
			assertThat(properties).as(name + " sets none of deepserve's properties")
				.anyMatch(p -> source.getConfigurationProperty(ConfigurationPropertyName.of(p)) != null);
		}
	}

	@Test
	void theDockerfileBuildsEitherFlavourOnAnyBaseAndRunsAsTheUserKubernetesExpects() throws IOException {
		String dockerfile = Files.readString(Path.of("Dockerfile"));
		assertThat(dockerfile).contains("ARG BASE_IMAGE=").contains("FROM ${BASE_IMAGE}");
		assertThat(dockerfile).contains("ARG PYTORCH_FLAVOR=cpu").contains("-Dpytorch.flavor=${PYTORCH_FLAVOR}");
		assertThat(dockerfile).contains("extract --layers --launcher");
		Matcher user = Pattern.compile("(?m)^USER (\\d+):(\\d+)$").matcher(dockerfile);
		assertThat(user.find()).as("a numeric USER").isTrue();
		assertThat(Integer.parseInt(user.group(1))).isPositive();
		for (String deployment : List.of("serving-deployment.yaml", "trainer-deployment.yaml")) {
			assertThat(Files.readString(Path.of("k8s", "base", deployment))).as(deployment)
				.contains("runAsUser: " + user.group(1));
		}
		Matcher healthcheck = Pattern.compile("(?m)^HEALTHCHECK .*\\n(.*)$").matcher(dockerfile);
		assertThat(healthcheck.find()).isTrue();
		assertThat(healthPath(healthcheck.group(1))).isEqualTo("/actuator/health/liveness");
		assertThat(dockerfile).contains("SERVER_ADDRESS=0.0.0.0").contains("-Dai.djl.offline=true")
			.contains("DJL_CACHE_DIR=").contains("VOLUME /var/lib/deepserve");
	}

	private static String healthPath(String command) {
		Matcher path = Pattern.compile("GET (/\\S+) HTTP").matcher(command);
		assertThat(path.find()).as("a GET in " + command).isTrue();
		return path.group(1);
	}

	private static Map<String, String> environment(String service) throws IOException {
		Map<String, Object> raw = map(map(map(compose().get("services")).get(service)).get("environment"));
		Map<String, String> env = new HashMap<>();
		raw.forEach((k, v) -> env.put(k, String.valueOf(v)));
		return env;
	}

	private static Map<String, Object> compose() throws IOException {
		return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(Path.of("docker-compose.yml")));
	}

	@SuppressWarnings("unchecked")
	private static <V> Map<String, V> map(Object value) {
		return (Map<String, V>) value;
	}

}
