package io.deepserve.security;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * With {@code management.server.port} the actuator runs in a child context with a server of its own, which the main
 * context's filters do not reach: the same key filter (one rate limit per key across both) is registered there.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
class ManagementPortSecurity {

	@Bean
	FilterRegistrationBean<ApiKeyFilter> managementApiKeyFilter(ApiKeyFilter filter) {
		return SecurityConfiguration.registration(filter);
	}

}
