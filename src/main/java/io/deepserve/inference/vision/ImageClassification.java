package io.deepserve.inference.vision;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

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
import io.deepserve.inference.BatchHandler;
import io.deepserve.inference.ServingTask;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.Task;

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

	@Autowired
	public ImageClassification(DeepserveProperties properties) {
		this(properties.inference().channelsLastFromBatch());
	}

	/** @param channelsLastFromBatch batches of at least this many images go channels-last; 0 for never */
	public ImageClassification(int channelsLastFromBatch) {
		this.channelsLastFromBatch = channelsLastFromBatch;
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
	public BatchHandler<float[], float[]> newHandler(Model model, ModelVersion version, int channelsLastFromBatch) {
		boolean channelsLast = channelsLastFromBatch > 0 && offersChannelsLast(model, version);
		BatchTranslator translator = new BatchTranslator(version.preprocessing().imageSize(), version.labels().size(),
				channelsLast ? channelsLastFromBatch : 0);
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

		private boolean plainOnly;

		private ByteBuffer buffer = ByteBuffer.allocateDirect(0);

		/** Images in each input of the batch being run, and how many inputs it has. */
		private int[] counts = new int[0];

		private int inputs;

		/** One image in HWC order, on its way into the buffer. */
		private float[] interleaved = new float[0];

		BatchTranslator(int size, int classes, int channelsLastFrom) {
			this.size = size;
			this.classes = classes;
			this.channelsLastFrom = channelsLastFrom;
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
				return new NDList(ctx.getNDManager().create(batch, new Shape(total, 3, size, size),
						DataType.FLOAT32));
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
			return new NDList(nhwc.transpose(0, 3, 1, 2));
		}

		@Override
		public float[][] processOutput(TranslatorContext ctx, NDList output) {
			NDArray scores = output.get(0);
			Shape shape = scores.getShape();
			if (shape.dimension() != 2 || shape.get(1) != classes) {
				throw new IllegalStateException("the model answers with shape " + shape + "; its version has "
						+ classes + " labels, so (batch, " + classes + ") was expected");
			}
			float[] flat = scores.toFloatArray();
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
