package io.deepserve.web;

import java.util.List;

import org.springframework.context.annotation.Configuration;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.json.MappingJackson2HttpMessageConverter;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * MVC reads JSON bodies with {@link RequestJson#strict}. A new converter rather than a changed one: Spring Boot's
 * converter and its mapper are shared with HTTP clients and with what reads stored JSON, which must stay tolerant of
 * fields they do not know.
 */
@Configuration(proxyBeanMethods = false)
class StrictRequestBodies implements WebMvcConfigurer {

	@Override
	public void extendMessageConverters(List<HttpMessageConverter<?>> converters) {
		for (int i = 0; i < converters.size(); i++) {
			if (converters.get(i) instanceof MappingJackson2HttpMessageConverter jackson) {
				MappingJackson2HttpMessageConverter strict = new MappingJackson2HttpMessageConverter(
						RequestJson.strict(jackson.getObjectMapper()));
				strict.setSupportedMediaTypes(jackson.getSupportedMediaTypes());
				converters.set(i, strict);
			}
		}
	}

}
