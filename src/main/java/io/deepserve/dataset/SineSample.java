package io.deepserve.dataset;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Random;

/**
 * The {@code sine} sample: a daily series with a linear trend, yearly and weekly seasonality and Gaussian noise,
 * as a CSV with columns {@code date} and {@code value}. The same seed gives the same bytes.
 */
final class SineSample {

	private static final LocalDate START = LocalDate.of(2020, 1, 1);

	private SineSample() {
	}

	static void write(Path csv, int rows, long seed) throws IOException {
		Random random = new Random(seed);
		try (BufferedWriter out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
			out.write("date,value\n");
			for (int t = 0; t < rows; t++) {
				double value = 100 + 0.02 * t + 10 * Math.sin(2 * Math.PI * t / 365.25)
						+ 3 * Math.sin(2 * Math.PI * t / 7) + 1.5 * random.nextGaussian();
				out.write(START.plusDays(t) + String.format(Locale.ROOT, ",%.4f\n", value));
			}
		}
	}

}
