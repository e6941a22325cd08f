package io.deepserve.training;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.image.ImageDecoder;
import io.deepserve.inference.vision.ImageClassifier;
import io.deepserve.registry.ArtifactFormat;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.Preprocessing;
import io.deepserve.registry.Task;
import io.deepserve.task.vision.ImageTensors;
import io.deepserve.training.vision.ImageClassifierTrainer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A model trained on an imported base: the tensors its training loop validates on are the tensors it is served,
 * with the base's resize method and normalisation.
 */
class PreprocessingParityTests {

	private static final Preprocessing IMPORTED = new Preprocessing(224, 256, List.of(0.5f, 0.4f, 0.3f),
			List.of(0.2f, 0.25f, 0.3f), Preprocessing.BICUBIC);

	@Test
	void trainingAndServingMakeTheSameTensorOfTheSameImage() throws IOException {
		Hyperparameters hp = Hyperparameters.NONE.withImageSizeIfMissing(32).withDefaults();
		Preprocessing trained = ImageClassifierTrainer.preprocessing(hp, version(IMPORTED));
		byte[] png = png();
		DeepserveProperties properties = new Binder(new MapConfigurationPropertySource(Map.of()))
			.bindOrCreate("deepserve", DeepserveProperties.class);

		// training: an entry decoded as ImageFolder.read decodes it, through the loop's non-augmented path
		float[] training = new float[3 * 32 * 32];
		BufferedImage entry = ImageDecoder.toRgb(ImageDecoder.decode(new ByteArrayInputStream(png), "entry",
				properties.datasets().maxImagePixels()));
		new ImageTensors(trained).write(entry, null, training, 0);
		// serving: what classify makes of the same bytes for the version training registers
		float[] serving = new ImageClassifier(null, null, properties).preprocess(new ByteArrayInputStream(png),
				version(trained));

		assertThat(serving).isEqualTo(training);
		assertThat(trained).isEqualTo(new Preprocessing(32, null, IMPORTED.mean(), IMPORTED.std(), "bicubic"));
		float[] bilinear = new ImageTensors(new Preprocessing(32, null, IMPORTED.mean(), IMPORTED.std(), "bilinear"))
			.tensor(entry);
		assertThat(serving).as("the resize method matters for this image").isNotEqualTo(bilinear);
	}

	@Test
	void fromScratchTheStatisticsAreImageNetsAndTheResizeBilinear() {
		Hyperparameters hp = Hyperparameters.NONE.withImageSizeIfMissing(48).withDefaults();
		assertThat(ImageClassifierTrainer.preprocessing(hp, null)).isEqualTo(new Preprocessing(48, null,
				Preprocessing.IMAGENET_MEAN, Preprocessing.IMAGENET_STD, Preprocessing.BILINEAR));
	}

	/** A wide RGBA image with fine detail and a transparent corner. */
	private static byte[] png() throws IOException {
		BufferedImage image = new BufferedImage(83, 57, BufferedImage.TYPE_INT_ARGB);
		for (int x = 0; x < 83; x++) {
			for (int y = 0; y < 57; y++) {
				int alpha = x < 20 && y < 20 ? 0x40 : 0xff;
				image.setRGB(x, y, alpha << 24 | ((x * 37) & 0xff) << 16 | ((y * 53) & 0xff) << 8 | ((x ^ y) & 0xff));
			}
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ImageIO.write(image, "png", out);
		return out.toByteArray();
	}

	private static ModelVersion version(Preprocessing preprocessing) {
		return new ModelVersion("parity", 1, Task.IMAGE_CLASSIFICATION, "torchscript", ArtifactFormat.TORCHSCRIPT, null,
				List.of("a", "b"), preprocessing, null, null, null, null, null, 0, null, null, ModelVersion.Status.READY,
				null);
	}

}
