package io.deepserve.security;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import io.deepserve.config.DeepserveProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keys arrive as environment variables from a Secret; the README's variable names must bind. */
class ApiKeyBindingTests {

	@Test
	void keysBindFromEnvironmentVariables() {
		String hash = ApiKeySecurityTests.sha("k");
		DeepserveProperties properties = bind(Map.of("DEEPSERVE_SECURITY_APIKEYS_0_NAME", "ci",
				"DEEPSERVE_SECURITY_APIKEYS_0_SHA256", hash, "DEEPSERVE_SECURITY_APIKEYS_0_ROLES", "admin,infer",
				"DEEPSERVE_SECURITY_APIKEYS_1_NAME", "shop", "DEEPSERVE_SECURITY_APIKEYS_1_SHA256",
				ApiKeySecurityTests.sha("s"), "DEEPSERVE_SECURITY_APIKEYS_1_ROLES", "infer",
				"DEEPSERVE_SECURITY_INFERENCEREQUIRESKEY", "true"));
		assertThat(properties.security().inferenceRequiresKey()).isTrue();
		assertThat(properties.security().apiKeys()).hasSize(2);
		ApiKeys keys = ApiKeys.from(properties.security());
		assertThat(keys.authenticate("k")).hasValueSatisfying(c -> {
			assertThat(c.name()).isEqualTo("ci");
			assertThat(c.roles()).containsExactlyInAnyOrder(Role.ADMIN, Role.INFER);
		});
		assertThat(keys.authenticate("s")).hasValueSatisfying(c -> assertThat(c.isAdmin()).isFalse());
		assertThat(keys.authenticate(hash)).as("the hash itself is not a key").isEmpty();
	}

	@Test
	void aNameUsedTwiceIsRefused() {
		DeepserveProperties properties = bind(Map.of("DEEPSERVE_SECURITY_APIKEYS_0_NAME", "ci",
				"DEEPSERVE_SECURITY_APIKEYS_0_SHA256", ApiKeySecurityTests.sha("a"),
				"DEEPSERVE_SECURITY_APIKEYS_0_ROLES", "admin", "DEEPSERVE_SECURITY_APIKEYS_1_NAME", "ci",
				"DEEPSERVE_SECURITY_APIKEYS_1_SHA256", ApiKeySecurityTests.sha("b"),
				"DEEPSERVE_SECURITY_APIKEYS_1_ROLES", "infer"));
		assertThatThrownBy(() -> ApiKeys.from(properties.security())).hasMessageContaining("'ci' is used twice");
	}

	private static DeepserveProperties bind(Map<String, Object> variables) {
		StandardEnvironment environment = new StandardEnvironment();
		// the name makes Spring map DEEPSERVE_X_0_Y the way it maps the real environment
		environment.getPropertySources()
			.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
					StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
		ConfigurationPropertySources.attach(environment);
		return Binder.get(environment).bindOrCreate("deepserve", DeepserveProperties.class);
	}

}
