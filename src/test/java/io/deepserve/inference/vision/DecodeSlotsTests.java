package io.deepserve.inference.vision;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.UnavailableException;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.Preprocessing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

/** Images are decoded only as many at a time as configured; a request that cannot get a slot soon is a 503. */
class DecodeSlotsTests {

	@Test
	void aDecodeThatCannotGetASlotInTimeIs503WithRetryAfter() throws Exception {
		DeepserveProperties properties = mock(DeepserveProperties.class);
		DeepserveProperties.Inference inference = mock(DeepserveProperties.Inference.class);
		when(properties.inference()).thenReturn(inference);
		when(inference.maxImagePixels()).thenReturn(1_000_000L);
		when(inference.maxConcurrentDecodes()).thenReturn(1);
		when(inference.decodeWait()).thenReturn(Duration.ofMillis(200));
		ImageClassifier classifier = new ImageClassifier(null, null, properties);
		ModelVersion version = mock(ModelVersion.class);
		when(version.preprocessing()).thenReturn(new Preprocessing(32, null, null, null));

		CountDownLatch reading = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		InputStream slow = new InputStream() {
			@Override
			public int read() {
				reading.countDown();
				try {
					release.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				return -1;
			}
		};
		CompletableFuture<float[]> first = CompletableFuture.supplyAsync(() -> classifier.preprocess(slow, version));
		assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();

		long start = System.nanoTime();
		assertThatThrownBy(() -> classifier.preprocess(new ByteArrayInputStream(new byte[] { 1 }), version))
			.isInstanceOf(UnavailableException.class)
			.satisfies(ex -> {
				assertThat(((UnavailableException) ex).code()).isEqualTo("decoder_busy");
				assertThat(((UnavailableException) ex).retryAfterSeconds()).isPositive();
			});
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

		release.countDown();
		assertThatThrownBy(first::join).hasCauseInstanceOf(InvalidInputException.class);
		// the slot came back with the first decode's failure
		assertThatThrownBy(() -> classifier.preprocess(new ByteArrayInputStream(new byte[] { 1 }), version))
			.isInstanceOf(InvalidInputException.class);
	}

}
