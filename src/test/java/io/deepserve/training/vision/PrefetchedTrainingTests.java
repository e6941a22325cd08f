package io.deepserve.training.vision;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import ai.djl.Device;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import io.deepserve.config.DeepserveProperties.PrefetchMode;
import io.deepserve.dataset.ImageFolder;
import io.deepserve.dataset.ShapeFolders;
import io.deepserve.nn.Architectures;
import io.deepserve.training.Hyperparameters;
import io.deepserve.training.TrainingJob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The same augmented job with each batch's images staged on the prefetch thread and on the training thread trains
 * the same network: the prefetch thread draws the augmentation the training thread would have drawn. The default
 * ({@code auto}) prefetches on a GPU only, so a CPU job here makes its batches on the training thread.
 */
class PrefetchedTrainingTests {

	/** 3 classes of 8 images, a quarter held out for validation: 18 training images, 5 batches of 4 per epoch. */
	private static final int BATCHES_PER_EPOCH = 5;

	private static final int EPOCHS = 2;

	@TempDir
	Path dir;

	private record Run(List<TrainingJob.EpochResult> epochs, String inputLog) {
	}

	@Test
	void prefetchingChangesWhereTheImagesAreAugmentedNotWhatIsTrained() throws IOException {
		try (ImageFolder images = ShapeFolders.open(dir.resolve("shapes.zip"), List.of("x", "o", "square"), 8, 24,
				5)) {
			Run ahead = train(images, PrefetchMode.ALWAYS);
			// the default on the CPU: every batch staged on the training thread
			Run inline = train(images, PrefetchMode.AUTO);
			assertThat(ahead.inputLog()).startsWith("Training input: %d batches, %d made ahead"
				.formatted(EPOCHS * BATCHES_PER_EPOCH, EPOCHS * (BATCHES_PER_EPOCH - 1)));
			assertThat(inline.inputLog()).startsWith("Training input: %d batches, 0 made ahead"
				.formatted(EPOCHS * BATCHES_PER_EPOCH));
			for (int e = 0; e < EPOCHS; e++) {
				TrainingJob.EpochResult a = ahead.epochs().get(e);
				TrainingJob.EpochResult b = inline.epochs().get(e);
				assertThat(a.trainLoss()).as("epoch " + (e + 1)).isCloseTo(b.trainLoss(), within(1e-6));
				assertThat(a.valLoss()).as("epoch " + (e + 1)).isCloseTo(b.valLoss(), within(1e-6));
				assertThat(a.trainAccuracy()).as("epoch " + (e + 1)).isEqualTo(b.trainAccuracy());
			}
		}
	}

	private Run train(ImageFolder images, PrefetchMode prefetch) throws IOException {
		Hyperparameters hp = new ObjectMapper().readValue("""
				{"epochs": %d, "batchSize": 4, "learningRate": 0.01, "imageSize": 24, "augment": true,
				 "validationSplit": 0.25, "earlyStoppingPatience": 0, "seed": 11}""".formatted(EPOCHS),
				Hyperparameters.class)
			.withDefaults();
		EpochListener listener = new EpochListener();
		Logger log = (Logger) LoggerFactory.getLogger(ImageClassifierTrainer.class);
		ListAppender<ILoggingEvent> appender = new ListAppender<>();
		appender.start();
		log.addAppender(appender);
		try {
			new ImageClassifierTrainer(new Architectures(), 0, true, prefetch).train("resnet18", hp,
					ImageClassifierTrainer.preprocessing(hp, null), images, Device.cpu(),
					Files.createDirectories(dir.resolve("job-" + prefetch)), listener);
		}
		finally {
			log.detachAppender(appender);
		}
		String input = appender.list.stream()
			.map(ILoggingEvent::getFormattedMessage)
			.filter(message -> message.startsWith("Training input:"))
			.findFirst()
			.orElseThrow();
		return new Run(listener.epochs, input);
	}

}
