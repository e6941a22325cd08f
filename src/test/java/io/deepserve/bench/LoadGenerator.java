package io.deepserve.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A closed-loop HTTP load generator for {@code POST /classify} (or, with {@code -Dbench.contentType}, any POST):
 * {@code concurrency} clients each send the next body (a JPEG by default) as soon as the previous answer arrived,
 * for a warm-up and then a measured period. Prints one line of figures. Not a test: run by
 * {@code scripts/bench-serving.sh} and {@code scripts/bench-forecast.sh} in its own JVM.
 *
 * <pre>java -cp target/test-classes io.deepserve.bench.LoadGenerator URL IMAGE_DIR CONCURRENCY SECONDS [WARMUP_SECONDS]</pre>
 */
public final class LoadGenerator {

	private LoadGenerator() {
	}

	public static void main(String[] args) throws Exception {
		URI url = URI.create(args[0]);
		List<byte[]> images = new ArrayList<>();
		try (Stream<Path> files = Files.list(Path.of(args[1]))) {
			for (Path file : files.sorted().toList()) {
				images.add(Files.readAllBytes(file));
			}
		}
		int concurrency = Integer.parseInt(args[2]);
		Duration measured = Duration.ofSeconds(Long.parseLong(args[3]));
		Duration warmup = Duration.ofSeconds(args.length > 4 ? Long.parseLong(args[4]) : 3);
		// the forecast benchmark sends JSON bodies
		String contentType = System.getProperty("bench.contentType", "image/jpeg");

		HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		long warmUntil = System.nanoTime() + warmup.toNanos();
		long stopAt = warmUntil + measured.toNanos();
		long[][] latencies = new long[concurrency][];
		int[] counts = new int[concurrency];
		ConcurrentHashMap<Integer, AtomicLong> failures = new ConcurrentHashMap<>();
		CountDownLatch done = new CountDownLatch(concurrency);
		for (int c = 0; c < concurrency; c++) {
			int client0 = c;
			Thread thread = new Thread(() -> {
				long[] mine = new long[1 << 16];
				int n = 0;
				int next = client0;
				try {
					while (true) {
						long start = System.nanoTime();
						if (start >= stopAt) {
							break;
						}
						HttpRequest request = HttpRequest.newBuilder(url)
							.header("Content-Type", contentType)
							.POST(HttpRequest.BodyPublishers.ofByteArray(images.get(next++ % images.size())))
							.build();
						int status;
						try {
							status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
						}
						catch (Exception ex) {
							status = -1;
						}
						long end = System.nanoTime();
						if (start < warmUntil || end > stopAt) {
							continue;
						}
						if (status != 200) {
							failures.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
							continue;
						}
						if (n == mine.length) {
							mine = Arrays.copyOf(mine, n * 2);
						}
						mine[n++] = end - start;
					}
				}
				finally {
					latencies[client0] = mine;
					counts[client0] = n;
					done.countDown();
				}
			});
			thread.setDaemon(true);
			thread.start();
		}
		done.await();
		int total = Arrays.stream(counts).sum();
		long[] all = new long[total];
		int at = 0;
		for (int c = 0; c < concurrency; c++) {
			System.arraycopy(latencies[c], 0, all, at, counts[c]);
			at += counts[c];
		}
		Arrays.sort(all);
		double seconds = measured.toNanos() / 1e9;
		System.out.printf(Locale.ROOT, "concurrency=%d requests=%d throughput=%.1f/s p50=%.1fms p99=%.1fms failures=%s%n",
				concurrency, total, total / seconds, percentile(all, 0.50), percentile(all, 0.99), failures);
	}

	private static double percentile(long[] sorted, double p) {
		if (sorted.length == 0) {
			return Double.NaN;
		}
		int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
		return sorted[Math.max(0, index)] / 1e6;
	}

}
