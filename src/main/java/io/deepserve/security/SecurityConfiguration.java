package io.deepserve.security;

import java.net.InetAddress;
import java.net.UnknownHostException;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

import io.deepserve.config.DeepserveProperties;

@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

	private static final String SCHEME = "apiKey";

	/**
	 * Built while the web server is created, before it listens and before the engine or the database start, so
	 * an unsafe configuration stops the process at once. TorchServe's management API listening on every
	 * interface without authentication (CVE-2023-43654) is the failure this prevents.
	 */
	@Bean
	ApiKeyFilter apiKeyFilter(DeepserveProperties properties, Environment environment, ObjectMapper json) {
		DeepserveProperties.Security security = properties.security();
		ApiKeys keys = ApiKeys.from(security);
		check(security, keys, "deepserve would listen on", environment.getProperty("server.address"),
				"replace models and run training");
		if (ManagementPortType.get(environment) == ManagementPortType.DIFFERENT) {
			// its own server, which binds every interface unless told otherwise
			check(security, keys, "the actuator would listen (management.server.port) on",
					environment.getProperty("management.server.address"), "read every metric");
		}
		log.info("API keys: {} configured; inference {}", security.apiKeys().size(),
				security.inferenceRequiresKey() ? "needs an infer or admin key" : "is open");
		return new ApiKeyFilter(keys, security.inferenceRequiresKey(),
				new KeyRateLimiter(security.rateLimitPerKey(), System::nanoTime), json);
	}

	@Bean
	FilterRegistrationBean<ApiKeyFilter> apiKeyFilterRegistration(ApiKeyFilter filter) {
		return registration(filter);
	}

	static FilterRegistrationBean<ApiKeyFilter> registration(ApiKeyFilter filter) {
		var registration = new FilterRegistrationBean<>(filter);
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
		return registration;
	}

	/** With keys configured, Swagger UI gets an Authorize button and every operation shows that it takes a key. */
	@Bean
	OpenApiCustomizer bearerKeyInApiDocs(DeepserveProperties properties) {
		return api -> {
			if (properties.security().apiKeys().isEmpty()) {
				return;
			}
			api.schemaRequirement(SCHEME, new SecurityScheme().type(SecurityScheme.Type.HTTP)
				.scheme("bearer")
				.description("an API key: admin for writes, infer or admin for inference, read or admin for reads"));
			api.addSecurityItem(new SecurityRequirement().addList(SCHEME));
		};
	}

	private static void check(DeepserveProperties.Security security, ApiKeys keys, String listener, String address,
			String risk) {
		if (keys.isEmpty() && security.inferenceRequiresKey()) {
			throw new InsecureConfigurationException(
					"deepserve.security.inference-requires-key=true, but no API keys are configured",
					"Configure deepserve.security.api-keys (see README, Security) or set inference-requires-key=false.");
		}
		if (keys.isEmpty() && !security.allowAnonymous() && !isLoopback(address)) {
			throw new InsecureConfigurationException(listener + " "
					+ (address == null || address.isBlank() ? "every interface" : address)
					+ " with no API keys configured: anyone who can reach it could " + risk + ".",
					"Configure deepserve.security.api-keys (see README, Security), or listen on loopback only "
							+ "(server.address=127.0.0.1, and management.server.address=127.0.0.1 with a "
							+ "management.server.port), or accept the risk explicitly with "
							+ "deepserve.security.allow-anonymous=true.");
		}
	}

	private static boolean isLoopback(String address) {
		if (address == null || address.isBlank()) {
			return false;
		}
		try {
			return InetAddress.getByName(address).isLoopbackAddress();
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

}
