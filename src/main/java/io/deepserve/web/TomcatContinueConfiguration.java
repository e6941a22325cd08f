package io.deepserve.web;

import org.apache.coyote.http11.AbstractHttp11Protocol;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tomcat answers {@code Expect: 100-continue} only once the application reads the body, not before it runs: a body
 * refused by its length or for an unknown model is then never sent at all (curl sends that header with any body over
 * 1 MB), instead of being uploaded and swallowed.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(AbstractHttp11Protocol.class)
class TomcatContinueConfiguration {

	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> continueOnRead() {
		return factory -> factory.addConnectorCustomizers(connector -> {
			if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http) {
				http.setContinueResponseTiming("onRead");
			}
		});
	}

}
