package io.deepserve.training;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.ParameterTracker;
import ai.djl.util.Pair;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fused optimizer step against the formulas it implements, computed here in double precision from the very
 * gradients it was given, and against DJL's own step on the same network, data and start.
 */
class FusedOptimizerTests {

	private static final int STEPS = 6;

	private static final float RATE = 0.01f;

	/** Inputs and targets of a small regression, the same every run. */
	private static final long SEED = 7;

	@Test
	void adamIsPyTorchsAdamAndZeroesTheGradients() throws Exception {
		Reference reference = new Reference("adam", 0f, (id, n) -> RATE);
		try (Net net = new Net(reference.settings, false)) {
			FusedOptimizer fused = net.fused();
			for (int step = 1; step <= STEPS; step++) {
				Map<String, float[]> grads = net.backward(step);
				reference.step(net.weights(), grads, step);
				assertThat(fused.step()).isTrue();
				assertClose(net.weights(), reference.weights, 1e-6);
				net.gradients().values()
					.forEach(g -> assertThat(g).as("gradients zeroed after the step").containsOnly(0f));
			}
			assertThat(fused.updates()).isEqualTo(STEPS);
		}
	}

	@Test
	void adamWDecaysTheWeightsApartFromTheGradient() throws Exception {
		Reference reference = new Reference("adamw", 0.1f, (id, n) -> RATE);
		Reference coupled = new Reference("adam", 0.1f, (id, n) -> RATE);
		try (Net net = new Net(reference.settings, false)) {
			FusedOptimizer fused = net.fused();
			for (int step = 1; step <= STEPS; step++) {
				Map<String, float[]> grads = net.backward(step);
				reference.step(net.weights(), grads, step);
				coupled.step(net.weights(), grads, step);
				assertThat(fused.step()).isTrue();
				assertClose(net.weights(), reference.weights, 1e-6);
			}
			assertThat(maxDifference(net.weights(), coupled.weights)).as("decoupled is not L2 added to the gradient")
				.isGreaterThan(1e-5);
		}
	}

	@Test
	void sgdKeepsDjlsMomentumWithTheRateInsideItUnderAChangingRate() throws Exception {
		ParameterTracker falling = (id, n) -> 0.1f / n;
		Reference reference = new Reference("sgd", 0f, falling);
		try (Net net = new Net(reference.settings, false)) {
			FusedOptimizer fused = net.fused();
			for (int step = 1; step <= STEPS; step++) {
				Map<String, float[]> grads = net.backward(step);
				reference.step(net.weights(), grads, step);
				assertThat(fused.step()).isTrue();
				assertClose(net.weights(), reference.weights, 1e-6);
			}
		}
	}

	@Test
	void eachRateGroupMovesAtItsOwnRate() throws Exception {
		Set<String> slow = new HashSet<>();
		ParameterTracker rates = (id, n) -> slow.contains(id) ? RATE * 0.1f : RATE;
		Reference reference = new Reference("adam", 0f, rates);
		try (Net net = new Net(reference.settings, false)) {
			net.first().forEach(parameter -> slow.add(parameter.getId()));
			FusedOptimizer fused = net.fused();
			Map<String, float[]> start = net.weights();
			for (int step = 1; step <= STEPS; step++) {
				Map<String, float[]> grads = net.backward(step);
				reference.step(net.weights(), grads, step);
				assertThat(fused.step()).isTrue();
				assertClose(net.weights(), reference.weights, 1e-6);
			}
			// Adam's first steps move each weight by about its rate: the slow group about a tenth as far
			String slowId = slow.iterator().next();
			String fastId = net.weights().keySet().stream().filter(id -> !slow.contains(id)).findFirst().orElseThrow();
			double slowMove = meanMove(start.get(slowId), net.weights().get(slowId));
			double fastMove = meanMove(start.get(fastId), net.weights().get(fastId));
			assertThat(slowMove / fastMove).isBetween(0.05, 0.2);
		}
	}

	@Test
	void frozenParametersAreLeftAlone() throws Exception {
		Reference reference = new Reference("adam", 0f, (id, n) -> RATE);
		try (Net net = new Net(reference.settings, true)) {
			Map<String, float[]> frozen = new LinkedHashMap<>();
			net.first().forEach(parameter -> frozen.put(parameter.getId(), parameter.getArray().toFloatArray()));
			FusedOptimizer fused = net.fused();
			Map<String, float[]> start = net.weights();
			for (int step = 1; step <= 3; step++) {
				net.backward(step);
				assertThat(fused.step()).isTrue();
			}
			net.first().forEach(parameter -> assertThat(parameter.getArray().toFloatArray())
				.containsExactly(frozen.get(parameter.getId())));
			assertThat(maxDifference(net.weights(), start)).as("the head trained").isGreaterThan(1e-3);
		}
	}

	/**
	 * DJL's Adam adds epsilon to sqrt(v) and scales the rate by sqrt(1 - beta2^t); PyTorch's adds it to
	 * sqrt(v / (1 - beta2^t)). With epsilon 1e-8 the two differ by far less than an update.
	 */
	@Test
	void adamAgreesWithDjlsOwnStepUpToWhereEpsilonIsAdded() throws Exception {
		assertThat(againstDjl("adam", 0f, (id, n) -> RATE, -1f)).isLessThan(1e-6);
		assertThat(againstDjl("adamw", 0.1f, (id, n) -> RATE, -1f)).isLessThan(1e-6);
	}

	@Test
	void sgdAndClippingAgreeWithDjlsOwnStep() throws Exception {
		assertThat(againstDjl("sgd", 0f, (id, n) -> 0.1f / n, -1f)).isLessThan(1e-6);
		// the gradients of this regression reach well beyond 0.05 on both sides; DJL clamps them from above only
		assertThat(againstDjl("sgd", 0f, (id, n) -> 0.1f, 0.05f)).isLessThan(1e-6);
		assertThat(againstDjl("adam", 0f, (id, n) -> RATE, 0.05f)).isLessThan(1e-6);
	}

	@Test
	void holdsNoArrayPerStep() throws Exception {
		try (Net net = new Net(new OptimizerSettings("adam", 0f, (id, n) -> RATE), false)) {
			FusedOptimizer fused = net.fused();
			net.backward(1);
			fused.step();
			int held = net.model.getNDManager().getManagedArrays().size();
			for (int step = 2; step <= 50; step++) {
				try (NDManager scope = net.model.getNDManager().newSubManager()) {
					net.backward(step, scope);
				}
				assertThat(fused.step()).isTrue();
			}
			assertThat(net.model.getNDManager().getManagedArrays()).hasSize(held);
		}
	}

	@Test
	void aModuleThatDoesNotLoadLeavesTheStepToDjl() throws Exception {
		try (Net net = new Net(new OptimizerSettings("adam", 0f, (id, n) -> RATE), false)) {
			InputStream garbage = new ByteArrayInputStream("not a TorchScript archive".getBytes());
			assertThat(FusedOptimizer.open(net.trainer, net.settings, garbage)).isNull();
		}
	}

	/** A module whose kernel refuses at the first step: the loop steps with DJL's optimizer, as if never fused. */
	@Test
	void aStepThatFailsIsTakenByDjlsOptimizerForTheRestOfTheJob() throws Exception {
		OptimizerSettings settings = new OptimizerSettings("adam", 0f, (id, n) -> RATE);
		Map<String, float[]> djl;
		try (Net net = new Net(settings, false)) {
			for (int step = 1; step <= 3; step++) {
				net.backward(step);
				net.trainer.step();
			}
			djl = net.weights();
		}
		try (Net net = new Net(settings, false);
				FusedOptimizer refusing = FusedOptimizer.open(net.trainer, settings, refusingModule())) {
			assertThat(refusing).isNotNull();
			for (int step = 1; step <= 3; step++) {
				net.backward(step);
				if (!refusing.step()) {
					net.trainer.step();
				}
			}
			assertThat(refusing.step()).isFalse();
			assertClose(net.weights(), djl, 0);
		}
	}

	@Test
	void trainingLoopTrainsThroughTheFusedStep() throws Exception {
		OptimizerSettings settings = new OptimizerSettings("adamw", 0.01f, (id, n) -> RATE);
		try (Net net = new Net(settings, false)) {
			Map<String, float[]> start = net.weights();
			try (FusedOptimizer fused = net.fused()) {
				assertThat(fused).isNotNull();
				TrainingLoop.run(net.trainer, fused, net.epochs(), 2, 0, new SilentListener());
				assertThat(fused.updates()).isEqualTo(2 * net.epochs().batches());
			}
			assertThat(maxDifference(net.weights(), start)).isGreaterThan(1e-3);
		}
	}

	/** The largest difference between the weights DJL's step and the fused step reach from the same start. */
	private static double againstDjl(String optimizer, float weightDecay, ParameterTracker rates, float clip)
			throws Exception {
		OptimizerSettings settings = new OptimizerSettings(optimizer, weightDecay, clip, rates);
		Map<String, float[]> djl;
		try (Net net = new Net(settings, false)) {
			for (int step = 1; step <= STEPS; step++) {
				net.backward(step);
				net.trainer.step();
			}
			djl = net.weights();
		}
		try (Net net = new Net(settings, false)) {
			FusedOptimizer fused = net.fused();
			Map<String, float[]> start = net.weights();
			for (int step = 1; step <= STEPS; step++) {
				net.backward(step);
				assertThat(fused.step()).isTrue();
			}
			assertThat(maxDifference(net.weights(), start)).as("it trained").isGreaterThan(1e-3);
			return maxDifference(net.weights(), djl);
		}
	}

	/** The fused module with Adam's kernel call replaced by an exception, as a kernel that refuses would raise. */
	private static InputStream refusingModule() throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (InputStream in = FusedOptimizer.class.getResourceAsStream(FusedOptimizer.MODULE);
				ZipInputStream zip = new ZipInputStream(in);
				ZipOutputStream out = new ZipOutputStream(bytes)) {
			for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
				byte[] data = zip.readAllBytes();
				if (entry.getName().endsWith("code/__torch__.py")) {
					String code = new String(data, StandardCharsets.UTF_8);
					String refused = code.replace("        torch._fused_adam_(",
							"        ops.prim.RaiseException(\"refused\")\n        torch._fused_adam_(");
					assertThat(refused).isNotEqualTo(code);
					data = refused.getBytes(StandardCharsets.UTF_8);
				}
				ZipEntry copy = new ZipEntry(entry.getName());
				copy.setMethod(ZipEntry.STORED);
				copy.setSize(data.length);
				CRC32 crc = new CRC32();
				crc.update(data);
				copy.setCrc(crc.getValue());
				out.putNextEntry(copy);
				out.write(data);
				out.closeEntry();
			}
		}
		return new ByteArrayInputStream(bytes.toByteArray());
	}

	private static void assertClose(Map<String, float[]> actual, Map<String, float[]> expected, double tolerance) {
		assertThat(maxDifference(actual, expected)).isLessThanOrEqualTo(tolerance);
	}

	/** Parameter by parameter in the block's order (two networks' parameters have different ids). */
	private static double maxDifference(Map<String, float[]> a, Map<String, float[]> b) {
		List<float[]> left = new ArrayList<>(a.values());
		List<float[]> right = new ArrayList<>(b.values());
		assertThat(left).hasSameSizeAs(right);
		double max = 0;
		for (int p = 0; p < left.size(); p++) {
			float[] x = left.get(p);
			float[] y = right.get(p);
			assertThat(x).hasSameSizeAs(y);
			for (int i = 0; i < x.length; i++) {
				max = Math.max(max, Math.abs((double) x[i] - y[i]));
			}
		}
		return max;
	}

	private static double meanMove(float[] from, float[] to) {
		double sum = 0;
		for (int i = 0; i < from.length; i++) {
			sum += Math.abs((double) to[i] - from[i]);
		}
		return sum / from.length;
	}

	/** The formulas, in double precision, each parameter's state kept here. */
	private static final class Reference {

		private final OptimizerSettings settings;

		private final Map<String, double[]> first = new LinkedHashMap<>();

		private final Map<String, double[]> second = new LinkedHashMap<>();

		private Map<String, float[]> weights;

		Reference(String optimizer, float weightDecay, ParameterTracker rates) {
			settings = new OptimizerSettings(optimizer, weightDecay, rates);
		}

		/** One step from {@code current} (the network's weights before it) with the network's gradients. */
		void step(Map<String, float[]> current, Map<String, float[]> grads, int t) {
			Map<String, float[]> next = new LinkedHashMap<>();
			float b1 = OptimizerSettings.BETA1;
			float b2 = OptimizerSettings.BETA2;
			float wd = settings.weightDecay();
			for (Map.Entry<String, float[]> entry : current.entrySet()) {
				String id = entry.getKey();
				float[] w = entry.getValue().clone();
				float[] g = grads.get(id);
				double lr = settings.rates().getNewValue(id, t);
				double[] m = first.computeIfAbsent(id, k -> new double[w.length]);
				double[] v = second.computeIfAbsent(id, k -> new double[w.length]);
				for (int i = 0; i < w.length; i++) {
					double grad = g[i];
					double weight = w[i];
					switch (settings.name()) {
						case "sgd" -> {
							m[i] = OptimizerSettings.MOMENTUM * m[i] + lr * (grad + wd * weight);
							weight -= m[i];
						}
						default -> {
							if ("adamw".equals(settings.name())) {
								weight *= 1 - lr * wd;
							}
							else {
								grad += wd * weight;
							}
							m[i] = b1 * m[i] + (1 - b1) * grad;
							v[i] = b2 * v[i] + (1 - b2) * grad * grad;
							double corrected = Math.sqrt(v[i] / (1 - Math.pow(b2, t)));
							weight -= lr / (1 - Math.pow(b1, t)) * m[i] / (corrected + OptimizerSettings.EPSILON);
						}
					}
					w[i] = (float) weight;
				}
				next.put(id, w);
			}
			weights = next;
		}

	}

	/**
	 * Two linear layers with a ReLU between them regressing fixed random targets, trained by hand: the same network,
	 * data and start for a given seed, whatever steps it.
	 */
	private static final class Net implements AutoCloseable {

		private final Model model = Model.newInstance("fused");

		private final SequentialBlock first = new SequentialBlock().add(Linear.builder().setUnits(6).build())
			.add(Activation::relu);

		private final OptimizerSettings settings;

		private final Trainer trainer;

		private final List<FusedOptimizer> opened = new ArrayList<>();

		Net(OptimizerSettings settings, boolean freezeFirst) {
			this.settings = settings;
			Engine.getInstance().setRandomSeed((int) SEED);
			model.setBlock(new SequentialBlock().add(first).add(Linear.builder().setUnits(2).build()));
			trainer = model.newTrainer(new DefaultTrainingConfig(Loss.l2Loss()).optOptimizer(settings.djl()));
			trainer.initialize(new Shape(4, 5));
			first.freezeParameters(freezeFirst);
		}

		FusedOptimizer fused() {
			FusedOptimizer fused = FusedOptimizer.open(trainer, settings);
			opened.add(fused);
			return fused;
		}

		List<Parameter> first() {
			return first.getParameters().values();
		}

		/** Forward and backward of batch {@code step}; its gradients. */
		Map<String, float[]> backward(int step) {
			try (NDManager scope = model.getNDManager().newSubManager()) {
				backward(step, scope);
			}
			return gradients();
		}

		void backward(int step, NDManager scope) {
			// the same batch for the same step, whatever ran before it
			scope.getEngine().setRandomSeed((int) SEED + step);
			NDArray x = scope.randomNormal(0, 1, new Shape(4, 5), DataType.FLOAT32);
			NDArray y = scope.randomNormal(0, 3, new Shape(4, 2), DataType.FLOAT32);
			try (GradientCollector collector = trainer.newGradientCollector()) {
				NDList predictions = trainer.forward(new NDList(x));
				collector.backward(trainer.getLoss().evaluate(new NDList(y), predictions));
			}
		}

		Map<String, float[]> weights() {
			Map<String, float[]> weights = new LinkedHashMap<>();
			for (Pair<String, Parameter> pair : model.getBlock().getParameters()) {
				weights.put(pair.getValue().getId(), pair.getValue().getArray().toFloatArray());
			}
			return weights;
		}

		Map<String, float[]> gradients() {
			Map<String, float[]> grads = new LinkedHashMap<>();
			for (Pair<String, Parameter> pair : model.getBlock().getParameters()) {
				NDArray array = pair.getValue().getArray();
				if (array.hasGradient()) {
					try (NDArray grad = array.getGradient()) {
						grads.put(pair.getValue().getId(), grad.toFloatArray());
					}
				}
			}
			return grads;
		}

		/** Four batches an epoch, scored by their negative loss. */
		TrainingLoop.Epochs epochs() {
			return new TrainingLoop.Epochs() {

				@Override
				public int batches() {
					return 4;
				}

				@Override
				public void startEpoch() {
				}

				@Override
				public TrainingLoop.Batch batch(NDManager scope, int index) {
					scope.getEngine().setRandomSeed((int) SEED + index);
					return new TrainingLoop.Batch(
							new NDList(scope.randomNormal(0, 1, new Shape(4, 5),
									DataType.FLOAT32)),
							new NDList(scope.randomNormal(0, 3, new Shape(4, 2),
									DataType.FLOAT32)),
							4);
				}

				@Override
				public TrainingLoop.Validation validate(Trainer trainer, int epoch, double trainLoss) {
					return new TrainingLoop.Validation(
							new TrainingJob.EpochResult(epoch, trainLoss, trainLoss, null, null), -trainLoss);
				}

				@Override
				public void keep(Trainer trainer) {
				}

			};
		}

		@Override
		public void close() {
			opened.forEach(fused -> {
				if (fused != null) {
					fused.close();
				}
			});
			trainer.close();
			model.close();
		}

	}

}
