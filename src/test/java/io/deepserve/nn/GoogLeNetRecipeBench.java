package io.deepserve.nn;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import io.deepserve.dataset.ShapeImages;

/**
 * Why the paper's GoogLeNet (no batch norm) stayed at chance on the shapes sample: 15 Adam steps on one fixed batch
 * of 12 shapes images (two of each of the six classes, 64 px), for each weight initialisation and learning rate
 * asked for, printing the main head's loss at every step, the largest gradient norm in the stem and in the main head, and
 * the share of the stem's outputs that ReLU zeroes, at the first and last step. A network that can learn memorises
 * the batch; one that cannot sits at ln 6 = 1.792. Not a test: a run takes a minute or two per setting on 2 cores.
 *
 * <pre>
 * java -cp "target/classes:target/test-classes:$(cat cp.txt)" io.deepserve.nn.GoogLeNetRecipeBench \
 *   default,xavier,normal001,smallheads 0.001,0.0001
 * </pre>
 * {@code default} is DJL's (He: normal, std sqrt(2 / fan-in)); {@code xavier} uniform, average fan;
 * {@code normal001} torchvision GoogLeNet's std 0.01 (not truncated); {@code smallheads} DJL's for the convolutions
 * and std 0.01 for the linear layers.
 */
public final class GoogLeNetRecipeBench {

	private static final List<String> SHAPES = List.of("x", "o", "triangle", "square", "plus", "diamond");

	private static final int SIZE = 64;

	private static final int IMAGES = 12;

	private static final int STEPS = 15;

	private GoogLeNetRecipeBench() {
	}

	public static void main(String[] args) throws Exception {
		String[] inits = (args.length > 0 ? args[0] : "default,xavier,normal001,smallheads").split(",");
		String[] rates = (args.length > 1 ? args[1] : "0.001,0.0001").split(",");
		float[] pixels = new float[IMAGES * 3 * SIZE * SIZE];
		float[] labels = new float[IMAGES];
		for (int i = 0; i < IMAGES; i++) {
			BufferedImage image = ImageIO.read(new ByteArrayInputStream(ShapeImages.png(SHAPES.get(i % 6), SIZE, i)));
			for (int y = 0; y < SIZE; y++) {
				for (int x = 0; x < SIZE; x++) {
					int rgb = image.getRGB(x, y);
					for (int c = 0; c < 3; c++) {
						float value = ((rgb >> (16 - 8 * c)) & 255) / 255f;
						pixels[((i * 3 + c) * SIZE + y) * SIZE + x] = (value - 0.45f) / 0.225f;
					}
				}
			}
			labels[i] = i % 6;
		}
		for (String init : inits) {
			for (String rate : rates) {
				System.out.println(run(init, Float.parseFloat(rate), pixels, labels));
			}
		}
	}

	private static String run(String init, float rate, float[] pixels, float[] labels) {
		Engine.getInstance().setRandomSeed(1);
		try (Model model = Model.newInstance("googlenet")) {
			model.setBlock(new GoogLeNet(SHAPES.size()));
			DefaultTrainingConfig config = new DefaultTrainingConfig(new AuxiliaryHeadsLoss())
				.optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(rate)).build());
			switch (init) {
				case "default" -> {
				}
				case "xavier" -> config.optInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
				case "normal001" -> config.optInitializer(new NormalInitializer(0.01f), Parameter.Type.WEIGHT);
				case "smallheads" -> linears(model.getBlock(), new NormalInitializer(0.01f));
				default -> throw new IllegalArgumentException("unknown initialisation " + init);
			}
			StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "init %s, Adam %s:", init, rate));
			try (Trainer trainer = model.newTrainer(config)) {
				trainer.initialize(new Shape(2, 3, SIZE, SIZE));
				NDManager manager = trainer.getManager();
				NDArray x = manager.create(pixels, new Shape(IMAGES, 3, SIZE, SIZE));
				NDArray y = manager.create(labels);
				for (int step = 0; step < STEPS; step++) {
					try (NDManager scope = manager.newSubManager();
							GradientCollector gradients = trainer.newGradientCollector()) {
						NDList out = trainer.forward(new NDList(x));
						float main = trainer.getLoss().evaluate(new NDList(y), new NDList(out.head())).getFloat();
						gradients.backward(trainer.getLoss().evaluate(new NDList(y), out));
						line.append(String.format(Locale.ROOT, " %.3f", main));
						if (step == 0 || step == STEPS - 1) {
							line.append(health(model.getBlock(), scope, x));
						}
					}
					trainer.step();
				}
			}
			return line.toString();
		}
	}

	/** Largest gradient norms in the stem and the main head, and the stem's share of zero outputs. */
	private static String health(Block net, NDManager scope, NDArray x) {
		double stem = 0;
		double heads = 0;
		for (var parameter : net.getParameters()) {
			NDArray array = parameter.getValue().getArray();
			if (!array.hasGradient()) {
				continue;
			}
			double norm = array.getGradient().norm().getFloat();
			stem = parameter.getKey().startsWith("01stem") ? Math.max(stem, norm) : stem;
			heads = parameter.getKey().contains("head") ? Math.max(heads, norm) : heads;
		}
		NDArray stemOut = net.getChildren().values().get(0).forward(new ParameterStore(scope, false), new NDList(x),
				false).head();
		float zeros = stemOut.eq(0).toType(DataType.FLOAT32, false).mean().getFloat();
		return String.format(Locale.ROOT, " [gradient norm stem %.1e head %.1e, stem zeros %.2f]", stem, heads, zeros);
	}

	private static void linears(Block block, Initializer init) {
		if (block instanceof Linear) {
			block.setInitializer(init, Parameter.Type.WEIGHT);
		}
		for (Block child : block.getChildren().values()) {
			linears(child, init);
		}
	}

}
