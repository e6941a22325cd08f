package io.deepserve.web;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.boot.autoconfigure.web.servlet.MultipartProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

import io.deepserve.config.DeepserveProperties;

/**
 * The filters that bound request bodies before Spring MVC reads them, after the API key check. Registered here rather
 * than as components, so that controller slice tests do not need the whole configuration. The in-flight budget comes
 * first, so that the multipart bodies parsed by the next filter are read through it.
 */
@Configuration(proxyBeanMethods = false)
class RequestBodyFilters {

	@Bean
	FilterRegistrationBean<MultipartLimitFilter> multipartLimitFilter(DeepserveProperties properties,
			ObjectMapper json, MultipartProperties multipart) {
		var registration = new FilterRegistrationBean<>(
				new MultipartLimitFilter(properties, json, multipart.getFileSizeThreshold()));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 21);
		return registration;
	}

	@Bean
	FilterRegistrationBean<InFlightBytesFilter> inFlightBytesFilter(DeepserveProperties properties,
			ObjectMapper json) {
		var registration = new FilterRegistrationBean<>(new InFlightBytesFilter(properties, json));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
		return registration;
	}

}
