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
 * Image classification on the workload manager: an input is one preprocessed CHW image, an output its class
 * probabilities in label order. A batch becomes one NCHW tensor; every NDArray lives in the predictor's
 * per-call manager and is freed when the call returns.
 * <p>
 * A TorchScript classifier on the CPU gets batches of at least {@code channels-last-from-batch} images in
 * channels-last memory order (still shaped NCHW): PyTorch's oneDNN convolutions then skip converting every
 * activation to and from their own layout. That made ResNet-18 about 15% faster at batch 8, and slower at batch 1,
 * where converting the weights each call costs more than it saves (see BENCHMARKS.md). A model that cannot take
 * such a tensor (one that calls {@code view} on its input, say) fails its first such batch; the batch is run again
 * in plain order, and if that works, so is every later one on that worker.
 */
@Component
public class ImageClassification implements ServingTask<float[], float[]> {

	private static final Logger log = LoggerFactory.getLogger(ImageClassification.class);

	private final int channelsLastFromBatch;

	@Autowired
	public ImageClassification(DeepserveProperties properties) {
		this(properties.inference().channelsLastFromBatch());
	}

	ImageClassification(int channelsLastFromBatch) {
		this.channelsLastFromBatch = channelsLastFromBatch;
	}

	@Override
	public Task task() {
		return Task.IMAGE_CLASSIFICATION;
	}

	@Override
	public BatchHandler<float[], float[]> newHandler(Model model, ModelVersion version) {
		boolean channelsLast = channelsLastFromBatch > 0 && version.isTorchScript()
				&& !model.getNDManager().getDevice().isGpu();
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
					if (!translator.givesChannelsLast(inputs.size())) {
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

		void plainOnly(boolean plainOnly) {
			this.plainOnly = plainOnly;
		}

		@Override
		public NDList processInput(TranslatorContext ctx, List<float[]> images) {
			int each = 3 * size * size;
			int bytes = images.size() * each * Float.BYTES;
			if (buffer.capacity() < bytes) {
				buffer = ByteBuffer.allocateDirect(bytes);
			}
			// a duplicate starts big-endian whatever the original's order; PyTorch reads native order
			ByteBuffer batch = buffer.duplicate().order(ByteOrder.nativeOrder());
			batch.clear().limit(bytes);
			FloatBuffer floats = batch.asFloatBuffer();
			if (!givesChannelsLast(images.size())) {
				for (float[] image : images) {
					floats.put(image);
				}
				return new NDList(ctx.getNDManager().create(batch, new Shape(images.size(), 3, size, size),
						DataType.FLOAT32));
			}
			int plane = size * size;
			if (interleaved.length != each) {
				interleaved = new float[each];
			}
			for (float[] image : images) {
				for (int i = 0, j = 0; i < plane; i++, j += 3) {
					interleaved[j] = image[i];
					interleaved[j + 1] = image[i + plane];
					interleaved[j + 2] = image[i + 2 * plane];
				}
				floats.put(interleaved);
			}
			// NHWC in memory, seen as NCHW: the strides are what tells PyTorch the layout
			NDArray nhwc = ctx.getNDManager().create(batch, new Shape(images.size(), size, size, 3), DataType.FLOAT32);
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
			int n = (int) shape.get(0);
			float[][] rows = new float[n][];
			for (int i = 0; i < n; i++) {
				float[] row = new float[classes];
				System.arraycopy(flat, i * classes, row, 0, classes);
				rows[i] = Probabilities.of(row);
			}
			return rows;
		}

		@Override
		public Batchifier getBatchifier() {
			// the batch is already one tensor
			return null;
		}

	}

}
