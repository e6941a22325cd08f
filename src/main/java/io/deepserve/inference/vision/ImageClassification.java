package io.deepserve.inference.vision;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.dataset.Dataset;
import io.deepserve.dataset.DatasetService;
import io.deepserve.dataset.ImageFolder;
import io.deepserve.inference.BatchHandler;
import io.deepserve.inference.ServingTask;
import io.deepserve.nn.ReducedPrecision;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.Task;
import io.deepserve.task.vision.ImageTensors;

/**
 * Image classification on the workload manager: an input is one preprocessed CHW image, or several one after
 * another (the ten crops of test-time augmentation), an output its class probabilities in label order, the mean of
 * its images' probabilities when it has several. So the crops of one request are one queue entry that runs in one
 * batch, beside whatever other requests share it. A batch becomes one NCHW tensor of all its images; every NDArray
 * lives in the predictor's per-call manager and is freed when the call returns.
 * <p>
 * A TorchScript classifier on the CPU gets batches of at least {@code channels-last-from-batch} images in
 * channels-last memory order (still shaped NCHW): PyTorch's oneDNN convolutions then skip converting every
 * activation to and from their own layout. That made ResNet-18 about 15% faster at batch 8, and slower at batch 1,
 * where converting the weights each call costs more than it saves (see BENCHMARKS.md). A model that cannot take
 * such a tensor (one that calls {@code view} on its input, say) fails its first such batch; the batch is run again
 * in plain order, and if that works, so is every later one on that worker. Tuning at load
 * ({@code deepserve.inference.autotune}) measures both orders and may switch channels-last off for a version.
 */
@Component
public class ImageClassification implements ServingTask<float[], float[]> {

	private static final Logger log = LoggerFactory.getLogger(ImageClassification.class);

	private final int channelsLastFromBatch;

	/** Where the held-out images for a reduced precision's agreement come from; null offers no reduced precision. */
	private final DatasetService datasets;

	@Autowired
	public ImageClassification(DeepserveProperties properties, DatasetService datasets) {
		this(properties.inference().channelsLastFromBatch(), datasets);
	}

	/** @param channelsLastFromBatch batches of at least this many images go channels-last; 0 for never */
	public ImageClassification(int channelsLastFromBatch) {
		this(channelsLastFromBatch, null);
	}

	public ImageClassification(int channelsLastFromBatch, DatasetService datasets) {
		this.channelsLastFromBatch = channelsLastFromBatch;
		this.datasets = datasets;
	}

	@Override
	public Task task() {
		return Task.IMAGE_CLASSIFICATION;
	}

	@Override
	public BatchHandler<float[], float[]> newHandler(Model model, ModelVersion version) {
		return newHandler(model, version, channelsLastFromBatch);
	}

	@Override
	public int channelsLastFromBatch() {
		return channelsLastFromBatch;
	}

	/** A TorchScript classifier on the CPU; networks trained here ran within a few percent in either order. */
	@Override
	public boolean offersChannelsLast(Model model, ModelVersion version) {
		return version.isTorchScript() && !model.getNDManager().getDevice().isGpu();
	}

	@Override
	public boolean autotunes() {
		return true;
	}

	@Override
	public boolean offersReducedPrecision() {
		return datasets != null;
	}

	/**
	 * The dataset's {@code val/} images when its zip has them, otherwise images from all of it, taken class by class
	 * in turn (in zip order) so that every class is in the sample, and preprocessed as the version's requests are.
	 */
	@Override
	public List<float[]> agreementSample(ModelVersion version, String dataset, int max) {
		Dataset found = datasets.resolve(dataset);
		try (ImageFolder images = datasets.openImages(found.id())) {
			List<ImageFolder.Entry> entries = images.entries();
			if (entries.stream().anyMatch(e -> "val".equals(e.split()))) {
				entries = entries.stream().filter(e -> "val".equals(e.split())).toList();
			}
			Map<String, Deque<ImageFolder.Entry>> byClass = new LinkedHashMap<>();
			entries.forEach(e -> byClass.computeIfAbsent(e.label(), k -> new ArrayDeque<>()).add(e));
			ImageTensors tensors = new ImageTensors(version.preprocessing());
			List<float[]> sample = new ArrayList<>();
			while (sample.size() < max && byClass.values().stream().anyMatch(q -> !q.isEmpty())) {
				for (Deque<ImageFolder.Entry> queue : byClass.values()) {
					if (!queue.isEmpty() && sample.size() < max) {
						sample.add(tensors.tensor(images.read(queue.poll())));
					}
				}
			}
			return sample;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read dataset " + found.id(), ex);
		}
	}

	@Override
	public BatchHandler<float[], float[]> newHandler(Model model, ModelVersion version, int channelsLastFromBatch) {
		boolean channelsLast = channelsLastFromBatch > 0 && offersChannelsLast(model, version);
		ReducedPrecision casts = ModelVersion.BF16.equals(model.getProperty(PRECISION_PROPERTY))
				? ReducedPrecision.open(model.getNDManager()) : null;
		BatchTranslator translator = new BatchTranslator(version.preprocessing().imageSize(), version.labels().size(),
				channelsLast ? channelsLastFromBatch : 0, casts);
		BatchHandler<float[], float[]> handler = BatchHandler.of(model.newPredictor(translator));
		return new BatchHandler<>() {
			@Override
			public List<float[]> run(List<float[]> inputs) {
				try {
					return handler.run(inputs);
				}
				catch (RuntimeException ex) {
					if (!translator.givesChannelsLast(translator.images(inputs))) {
						throw ex;
					}
					translator.plainOnly(true);
					List<float[]> outputs;
					try {
						outputs = handler.run(inputs);
					}
					catch (RuntimeException again) {
						// the batch fails in either order, so the order was not the cause
						translator.plainOnly(false);
						throw again;
					}
					log.warn("{} failed a batch in channels-last order and not in plain order, so its batches go in "
							+ "plain NCHW order from now on: {}", version.ref(), ex.getMessage());
					return outputs;
				}
			}

			@Override
			public void rest() {
				handler.rest();
			}

			@Override
			public void close() {
				handler.close();
				if (casts != null) {
					casts.close();
				}
			}
		};
	}

	@Override
	public float[] warmupInput(ModelVersion version) {
		int size = version.preprocessing().imageSize();
		return new float[3 * size * size];
	}

	/**
	 * Owned by one predictor, so by one worker thread: the batch is written into a direct buffer that is reused
	 * from batch to batch and handed to PyTorch without a copy, instead of a new multi-megabyte Java array and a new
	 * direct buffer per batch (garbage that made the collector and the kernel compete with inference).
	 */
	private static final class BatchTranslator implements Translator<List<float[]>, float[][]> {

		private final int size;

		private final int classes;

		/** Batches of at least this many images go channels-last; 0 is never. */
		private final int channelsLastFrom;

		/** Casts each batch to bf16 for a network converted to it; null for a float32 one. */
		private final ReducedPrecision casts;

		private boolean plainOnly;

		private ByteBuffer buffer = ByteBuffer.allocateDirect(0);

		/** Images in each input of the batch being run, and how many inputs it has. */
		private int[] counts = new int[0];

		private int inputs;

		/** One image in HWC order, on its way into the buffer. */
		private float[] interleaved = new float[0];

		BatchTranslator(int size, int classes, int channelsLastFrom, ReducedPrecision casts) {
			this.size = size;
			this.classes = classes;
			this.channelsLastFrom = channelsLastFrom;
			this.casts = casts;
		}

		/** The batch as the network takes it: float32, or a bf16 copy (in the same memory order) for a bf16 one. */
		private NDList typed(NDArray batch) {
			return new NDList(casts == null ? batch : casts.toBfloat16(batch));
		}

		boolean givesChannelsLast(int batch) {
			return !plainOnly && channelsLastFrom > 0 && batch >= channelsLastFrom;
		}

		/** Images in a batch of inputs, each of one image or several. */
		int images(List<float[]> inputs) {
			long values = 0;
			for (float[] input : inputs) {
				values += input.length;
			}
			return (int) (values / (3L * size * size));
		}

		void plainOnly(boolean plainOnly) {
			this.plainOnly = plainOnly;
		}

		@Override
		public NDList processInput(TranslatorContext ctx, List<float[]> images) {
			int each = 3 * size * size;
			if (counts.length < images.size()) {
				counts = new int[images.size()];
			}
			int total = 0;
			for (int i = 0; i < images.size(); i++) {
				float[] image = images.get(i);
				if (image.length == 0 || image.length % each != 0) {
					throw new IllegalArgumentException("an input of " + image.length + " values is not a whole "
							+ "number of 3x" + size + "x" + size + " images");
				}
				counts[i] = image.length / each;
				total += counts[i];
			}
			inputs = images.size();
			int bytes = total * each * Float.BYTES;
			if (buffer.capacity() < bytes) {
				buffer = ByteBuffer.allocateDirect(bytes);
			}
			// a duplicate starts big-endian whatever the original's order; PyTorch reads native order
			ByteBuffer batch = buffer.duplicate().order(ByteOrder.nativeOrder());
			batch.clear().limit(bytes);
			FloatBuffer floats = batch.asFloatBuffer();
			if (!givesChannelsLast(total)) {
				for (float[] image : images) {
					floats.put(image);
				}
				return typed(ctx.getNDManager().create(batch, new Shape(total, 3, size, size), DataType.FLOAT32));
			}
			int plane = size * size;
			if (interleaved.length != each) {
				interleaved = new float[each];
			}
			for (float[] image : images) {
				for (int at = 0; at < image.length; at += each) {
					for (int i = 0, j = 0; i < plane; i++, j += 3) {
						interleaved[j] = image[at + i];
						interleaved[j + 1] = image[at + i + plane];
						interleaved[j + 2] = image[at + i + 2 * plane];
					}
					floats.put(interleaved);
				}
			}
			// NHWC in memory, seen as NCHW: the strides are what tells PyTorch the layout
			NDArray nhwc = ctx.getNDManager().create(batch, new Shape(total, size, size, 3), DataType.FLOAT32);
			return typed(nhwc.transpose(0, 3, 1, 2));
		}

		@Override
		public float[][] processOutput(TranslatorContext ctx, NDList output) {
			NDArray scores = output.get(0);
			Shape shape = scores.getShape();
			if (shape.dimension() != 2 || shape.get(1) != classes) {
				throw new IllegalStateException("the model answers with shape " + shape + "; its version has "
						+ classes + " labels, so (batch, " + classes + ") was expected");
			}
			// a bf16 network answers in bf16; DJL converts any type to float32 (and leaves float32 as it is)
			float[] flat = scores.toType(DataType.FLOAT32, false).toFloatArray();
			float[][] rows = new float[inputs][];
			int image = 0;
			for (int i = 0; i < inputs; i++) {
				if (counts[i] == 1) {
					rows[i] = probabilities(flat, image++);
					continue;
				}
				double[] sum = new double[classes];
				for (int c = 0; c < counts[i]; c++) {
					float[] probabilities = probabilities(flat, image++);
					for (int k = 0; k < classes; k++) {
						sum[k] += probabilities[k];
					}
				}
				rows[i] = new float[classes];
				for (int k = 0; k < classes; k++) {
					rows[i][k] = (float) (sum[k] / counts[i]);
				}
			}
			return rows;
		}

		private float[] probabilities(float[] flat, int image) {
			float[] row = new float[classes];
			System.arraycopy(flat, image * classes, row, 0, classes);
			return Probabilities.of(row);
		}

		@Override
		public Batchifier getBatchifier() {
			// the batch is already one tensor
			return null;
		}

	}

}
