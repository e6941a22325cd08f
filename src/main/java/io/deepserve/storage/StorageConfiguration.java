package io.deepserve.storage;

import java.io.IOException;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.deepserve.config.DeepserveProperties;

@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

	@Bean
	ArtifactStore artifactStore(DeepserveProperties properties) throws IOException {
		return new FileSystemArtifactStore(properties.artifactsDir());
	}

}
