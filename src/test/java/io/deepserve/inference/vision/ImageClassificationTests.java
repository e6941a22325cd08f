package io.deepserve.inference.vision;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.deepserve.inference.BatchHandler;
import io.deepserve.registry.ArtifactFormat;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.Preprocessing;
import io.deepserve.registry.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

/**
 * The image-classification batch handler on TorchScript fixtures: which memory order a batch reaches the model in,
 * that the order does not change the answers, and that a model which cannot take channels-last still answers.
 */
class ImageClassificationTests {

	@TempDir
	Path dir;

	@Test
	void batchesFromTheThresholdUpGoChannelsLastAndSmallerOnesPlain() throws Exception {
		// the probe answers "plain" (label 0) or "channels-last" (label 1) after looking at its input's strides
		try (Model model = load("layout-probe.pt")) {
			ModelVersion version = version(8, 2);
			try (BatchHandler<float[], float[]> handler = new ImageClassification(4).newHandler(model, version)) {
				assertThat(top(handler.run(images(1, 8)))).containsOnly(0);
				assertThat(top(handler.run(images(3, 8)))).containsOnly(0);
				assertThat(top(handler.run(images(4, 8)))).containsOnly(1);
				assertThat(top(handler.run(images(8, 8)))).containsOnly(1);
			}
			try (BatchHandler<float[], float[]> never = new ImageClassification(0).newHandler(model, version)) {
				assertThat(top(never.run(images(8, 8)))).containsOnly(0);
			}
		}
	}

	@Test
	void aBatchThatFailsInEitherOrderLeavesTheNextOnesChannelsLast() throws Exception {
		// the probe fails, whatever the order, on an input holding a NaN
		try (Model model = load("layout-probe.pt")) {
			List<float[]> poisoned = images(4, 8);
			poisoned.get(2)[5] = Float.NaN;
			try (BatchHandler<float[], float[]> handler = new ImageClassification(4).newHandler(model, version(8, 2))) {
				assertThatThrownBy(() -> handler.run(poisoned)).hasMessageContaining("NaN");
				assertThat(top(handler.run(images(4, 8)))).containsOnly(1);
			}
		}
	}

	@Test
	void aChannelsLastBatchGetsTheSameProbabilitiesAsEachImageAlone() throws Exception {
		try (Model model = load("tiny-classifier.pt")) {
			List<float[]> images = images(5, 32);
			try (BatchHandler<float[], float[]> handler = new ImageClassification(2).newHandler(model, version(32, 3))) {
				List<float[]> batched = handler.run(images);
				for (int i = 0; i < images.size(); i++) {
					float[] alone = handler.run(List.of(images.get(i))).get(0);
					assertThat(batched.get(i)).containsExactly(alone, offset(1e-5f));
				}
			}
		}
	}

	@Test
	void aModelThatCannotTakeChannelsLastIsAnsweredInPlainOrderFromItsFirstBatchOn() throws Exception {
		// the model flattens its input with view, which fails on a channels-last tensor
		try (Model model = load("view-classifier.pt")) {
			List<float[]> images = images(4, 8);
			List<float[]> alone = new ArrayList<>();
			try (BatchHandler<float[], float[]> plain = new ImageClassification(0).newHandler(model, version(8, 3))) {
				assertThat(plain.run(images)).hasSize(4);
				for (float[] image : images) {
					alone.add(plain.run(List.of(image)).get(0));
				}
			}
			try (BatchHandler<float[], float[]> handler = new ImageClassification(2).newHandler(model, version(8, 3))) {
				for (int round = 0; round < 2; round++) {
					List<float[]> batched = handler.run(images);
					for (int i = 0; i < images.size(); i++) {
						assertThat(batched.get(i)).containsExactly(alone.get(i),
								offset(1e-5f));
					}
				}
			}
		}
	}

	/** Ten-crop TTA: one input holding several images runs with the rest of its batch and answers their mean. */
	@Test
	void anInputOfSeveralImagesAnswersTheMeanOfTheirProbabilities() throws Exception {
		try (Model model = load("tiny-classifier.pt")) {
			List<float[]> images = images(4, 32);
			int each = images.get(0).length;
			float[] group = new float[3 * each];
			for (int i = 0; i < 3; i++) {
				System.arraycopy(images.get(i + 1), 0, group, i * each, each);
			}
			for (int channelsLastFrom : new int[] { 0, 2 }) {
				try (BatchHandler<float[], float[]> handler = new ImageClassification(channelsLastFrom)
					.newHandler(model, version(32, 3))) {
					List<float[]> outputs = handler.run(List.of(images.get(0), group));

					assertThat(outputs).hasSize(2);
					assertThat(outputs.get(0)).containsExactly(handler.run(List.of(images.get(0))).get(0),
							offset(1e-5f));
					float[] mean = new float[3];
					for (int i = 1; i < 4; i++) {
						float[] alone = handler.run(List.of(images.get(i))).get(0);
						for (int k = 0; k < 3; k++) {
							mean[k] += alone[k] / 3;
						}
					}
					assertThat(outputs.get(1)).containsExactly(mean, offset(1e-5f));
					assertThat(outputs.get(1)).isNotEqualTo(outputs.get(0));
				}
			}
		}
	}

	private Model load(String fixture) throws IOException, MalformedModelException {
		Path file = dir.resolve(fixture);
		try (InputStream in = getClass().getResourceAsStream("/fixtures/" + fixture)) {
			Files.copy(in, file);
		}
		Model model = Model.newInstance(fixture, "PyTorch");
		model.load(file);
		return model;
	}

	private static ModelVersion version(int imageSize, int classes) {
		List<String> labels = new ArrayList<>();
		for (int i = 0; i < classes; i++) {
			labels.add("c" + i);
		}
		return new ModelVersion("m", 1, Task.IMAGE_CLASSIFICATION, "torchscript", ArtifactFormat.TORCHSCRIPT,
				null, labels, new Preprocessing(imageSize, null, null, null), null, null, null, null, null, 0, null,
				null, ModelVersion.Status.READY, null);
	}

	private static List<float[]> images(int count, int size) {
		Random random = new Random(count);
		List<float[]> images = new ArrayList<>();
		for (int n = 0; n < count; n++) {
			float[] image = new float[3 * size * size];
			for (int i = 0; i < image.length; i++) {
				image[i] = (float) random.nextGaussian();
			}
			images.add(image);
		}
		return images;
	}

	/** The most probable label of each output. */
	private static List<Integer> top(List<float[]> outputs) {
		List<Integer> top = new ArrayList<>();
		for (float[] probabilities : outputs) {
			int best = 0;
			for (int i = 1; i < probabilities.length; i++) {
				if (probabilities[i] > probabilities[best]) {
					best = i;
				}
			}
			top.add(best);
		}
		return top;
	}

}
