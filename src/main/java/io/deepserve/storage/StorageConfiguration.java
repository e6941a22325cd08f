package io.deepserve.storage;

import java.io.IOException;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.deepserve.config.DeepserveProperties;

@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

	@Bean
	ArtifactStore artifactStore(DeepserveProperties properties) throws IOException {
		return switch (properties.storage().type()) {
			case FILESYSTEM -> new FileSystemArtifactStore(properties.artifactsDir());
			// a cache may be wiped at any time: everything under it is downloaded again and re-verified
			case S3 -> S3ArtifactStore.create(properties.storage().s3(), properties.cacheDir().resolve("s3"));
		};
	}

}
