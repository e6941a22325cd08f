package io.deepserve.training;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.deepserve.dataset.ShapeImages;
import io.deepserve.inference.Images;
import io.deepserve.inference.ModelLoader;
import io.deepserve.nn.Architectures;
import io.deepserve.registry.ArchitectureOptions;
import io.deepserve.registry.ArtifactFormat;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.NewModelVersion;

import static org.assertj.core.api.Assertions.assertThat;

/** Training jobs over HTTP, end to end on tiny generated shapes: queue, train, register, cancel, fail. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TrainingJobTests {

	/** Not a JUnit {@code @TempDir}: the cached context outlives the class, and its lease timer keeps using the files. */
	static final Path dataDir = newDataDir();

	private static Path newDataDir() {
		try {
			return Files.createTempDirectory(Files.createDirectories(Path.of("target", "test-data")), "training-")
				.toAbsolutePath();
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("deepserve.data-dir", dataDir::toString);
		// surefire caps oneDNN at AVX2, where bf16 is right but slow; the bf16 job below trains all the same
		registry.add("deepserve.engine.allow-slow-bf16", () -> "true");
	}

	@Autowired
	TestRestTemplate http;

	@Autowired
	ObjectMapper json;

	@Autowired
	ModelRegistry registry;

	@Autowired
	ModelLoader loader;

	@Autowired
	MeterRegistry meters;

	@Autowired
	Architectures architectures;

	@Test
	void aJobTrainsRegistersAVersionThatLoads() throws Exception {
		String dataset = shapes(40);
		ResponseEntity<String> created = submit(job("shapes-r18", dataset, 8));
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.ACCEPTED);
		JsonNode queued = json.readTree(created.getBody());
		assertThat(created.getHeaders().getLocation().toString()).endsWith("/api/v1/training-jobs/" + queued.get("id").asText());

		JsonNode done = await(queued.get("id").asText(), Duration.ofSeconds(150));
		assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
		assertThat(done.get("device").asText()).isIn("cpu", "gpu");
		assertThat(done.get("history").size()).isBetween(1, 8);
		assertThat(done.get("progress").get("fraction").asDouble()).isGreaterThan(0);
		double best = 0;
		for (JsonNode epoch : done.get("history")) {
			best = Math.max(best, epoch.get("valAccuracy").asDouble());
		}
		System.out.println("training history: " + done.get("history"));
		assertThat(best).as(done.get("history").toString()).isGreaterThanOrEqualTo(0.75);

		ModelVersion version = registry.resolve(done.get("resultModel").asText());
		assertThat(version.name()).isEqualTo("shapes-r18");
		assertThat(version.labels()).containsExactly("o", "x");
		assertThat(version.architecture()).isEqualTo("resnet18");
		assertThat(version.preprocessing().imageSize()).isEqualTo(32);
		assertThat(version.preprocessing().mean()).containsExactly(0.485f, 0.456f, 0.406f);
		assertThat(version.lineage().trainingJobId()).isEqualTo(queued.get("id").asText());
		assertThat(version.lineage().datasetId()).isEqualTo(dataset);
		assertThat(version.lineage().datasetSha256()).hasSize(64);
		assertThat(((Number) version.metrics().get("bestValidationAccuracy")).doubleValue()).isEqualTo(best);
		assertThat(version.metrics()).containsEntry("trainingPrecision", "fp32");
		assertInfersTwoClasses(version);

		// shapes it never saw, classified over HTTP as a client would
		int right = 0;
		for (int i = 0; i < 20; i++) {
			String shape = i % 2 == 0 ? "x" : "o";
			ResponseEntity<String> answer = Images.classify(http, "shapes-r18", ShapeImages.png(shape, 32, 1000 + i),
					MediaType.IMAGE_PNG);
			assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(HttpStatus.OK);
			JsonNode body = json.readTree(answer.getBody());
			assertThat(body.get("model").asText()).isEqualTo("shapes-r18:1");
			assertThat(body.get("predictions")).hasSize(2);
			right += shape.equals(body.get("predictions").get(0).get("label").asText()) ? 1 : 0;
		}
		assertThat(right).as("new shapes classified right out of 20, better than chance").isGreaterThan(10);
	}

	/**
	 * AdamW, stepped by the fused optimizer step, trains (its training loss falls; validation on a few images from
	 * scratch is too noisy to judge) and registers a version.
	 */
	@Test
	void anAdamWJobTrainsAndRegisters() throws Exception {
		String dataset = shapes(24);
		String body = job("shapes-adamw", dataset, 4).replace("\"seed\": 7", "\"seed\": 7, \"optimizer\": \"adamw\"");
		assertThat(body).contains("adamw");
		JsonNode done = trainsFourEpochsWithFallingLoss(body, Duration.ofSeconds(150));
		assertThat(registry.resolve(done.get("resultModel").asText()).name()).isEqualTo("shapes-adamw");
	}

	/** Runs the job, which must succeed after 4 epochs with its last training loss under 80% of its first. */
	private JsonNode trainsFourEpochsWithFallingLoss(String body, Duration timeout) throws Exception {
		JsonNode done = await(id(submit(body)), timeout);
		assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
		JsonNode history = done.get("history");
		assertThat(history).hasSize(4);
		assertThat(history.get(3).get("trainLoss").asDouble()).as(history.toString())
			.isLessThan(0.8 * history.get(0).get("trainLoss").asDouble());
		return done;
	}

	/**
	 * {@code precision: bf16}: mixed precision (bf16 forward and backward, float32 weights and step) trains (its
	 * training loss falls; MixedPrecisionTrainingTests compares its steps with fp32's) and registers a float32
	 * version that says how it was trained.
	 */
	@Test
	void aBf16JobTrainsInMixedPrecisionAndRegistersAFloat32Version() throws Exception {
		String dataset = shapes(24);
		String body = job("shapes-bf16", dataset, 4).replace("\"device\"", "\"precision\": \"bf16\", \"device\"");
		assertThat(body).contains("bf16");
		JsonNode done = trainsFourEpochsWithFallingLoss(body, Duration.ofSeconds(300));

		ModelVersion version = registry.resolve(done.get("resultModel").asText());
		assertThat(version.metrics()).containsEntry("trainingPrecision", "bf16");
		assertInfersTwoClasses(version);
		String prefix = "{\"model\":\"m\",\"architecture\":\"resnet18\",\"dataset\":\"" + dataset + "\",";
		for (String refused : new String[] { prefix + "\"precision\":\"fp16\"}", prefix + "\"precision\":7}" }) {
			ResponseEntity<String> answer = submit(refused);
			assertThat(answer.getStatusCode()).as(refused).isEqualTo(HttpStatus.BAD_REQUEST);
		}
		assertThat(json.readTree(submit(prefix + "\"precision\":\"fp16\"}").getBody()).get("code").asText())
			.isEqualTo("invalid_precision");
	}

	/** GoogLeNet trains with its two auxiliary heads and is registered as the single-output inference network. */
	@Test
	void aGoogLeNetJobTrainsWithItsAuxiliaryHeads() throws Exception {
		String dataset = shapes(8);
		String id = id(submit(job("shapes-googlenet", dataset, 2).replace("resnet18", "googlenet")));
		JsonNode done = await(id, Duration.ofSeconds(120));
		assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
		assertThat(done.get("history").size()).isEqualTo(2);
		ModelVersion version = registry.resolve(done.get("resultModel").asText());
		assertThat(version.architecture()).isEqualTo("googlenet");
		assertInfersTwoClasses(version);
	}

	/** AlexNet's PCA colour augmentation, its components taken from the training split at the job's start. */
	@Test
	void aJobTrainsWithPcaColourAugmentationAndAnAugmentationObject() throws Exception {
		String dataset = shapes(8);
		String id = id(submit(job("shapes-pca", dataset, 1).replace("\"seed\": 7", "\"seed\": 7, \"augmentation\": "
				+ "{\"pcaColor\": true, \"colorJitter\": false, \"crop\": {\"scale\": [0.5, 1.0], "
				+ "\"ratio\": [0.75, 1.333]}, \"flip\": true}")));
		JsonNode done = await(id, Duration.ofSeconds(120));
		assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
		assertThat(done.at("/request/hyperparameters/augmentation/pcaColor").asBoolean()).as(done.toString()).isTrue();
		assertInfersTwoClasses(registry.resolve(done.get("resultModel").asText()));
	}

	/**
	 * A DenseNet with its own growth rate and compression trains, keeps them in its version (whose parameter count
	 * is that network's, not torchvision's DenseNet-121's) and serves over HTTP.
	 */
	@Test
	void aDenseNetJobTrainsWithItsGrowthRateAndCompressionAndServes() throws Exception {
		String dataset = shapes(8);
		String id = id(submit(job("shapes-densenet", dataset, 1).replace("resnet18", "densenet121")
			.replace("\"seed\": 7", "\"seed\": 7, \"growthRate\": 8, \"compression\": 0.25")));
		JsonNode done = await(id, Duration.ofSeconds(120));
		assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
		assertThat(done.at("/history/0/trainLoss").asDouble()).as(done.toString()).isFinite().isPositive();

		ModelVersion version = registry.resolve(done.get("resultModel").asText());
		assertThat(version.architectureOptions()).isEqualTo(new ArchitectureOptions(8, 0.25f));
		long shaped = architectures.parameterCount("densenet121", 2, 32, new ArchitectureOptions(8, 0.25f));
		assertThat(version.parameters()).isEqualTo(shaped)
			.isLessThan(architectures.parameterCount("densenet121", 2, 32, new ArchitectureOptions(8, null)));
		JsonNode served = json.readTree(http.getForObject("/api/v1/models/shapes-densenet/versions/1", String.class));
		assertThat(served.at("/architectureOptions/growthRate").asInt()).as(served.toString()).isEqualTo(8);
		assertThat(served.at("/architectureOptions/compression").asDouble()).isEqualTo(0.25);
		ResponseEntity<String> answer = Images.classify(http, "shapes-densenet", ShapeImages.png("x", 32, 5),
				MediaType.IMAGE_PNG);
		assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(HttpStatus.OK);
		assertThat(json.readTree(answer.getBody()).get("predictions")).hasSize(2);
	}

	private void assertInfersTwoClasses(ModelVersion version) {
		NewModelVersion spec = new NewModelVersion(version.task(), version.architecture(), null, version.labels(),
				version.preprocessing(), null, null, null, null, null, version.architectureOptions());
		try (Model model = loader.load(spec, ArtifactFormat.DJL, registry.materialize(version), Device.cpu());
				NDManager manager = model.getNDManager().newSubManager()) {
			NDList out = model.getBlock()
				.forward(new ParameterStore(manager, false), new NDList(manager.zeros(new Shape(1, 3, 32, 32))), false);
			assertThat(out).hasSize(1);
			assertThat(out.head().getShape()).isEqualTo(new Shape(1, 2));
		}
	}

	@Test
	void badRequestsAreRefusedWithTheirCodeAndNothingIsQueued() throws Exception {
		String dataset = shapes(4);
		String series = json.readTree(http.postForEntity("/api/v1/datasets/samples/sine?rows=50", null, String.class)
			.getBody()).get("id").asText();
		int before = json.readTree(http.getForObject("/api/v1/training-jobs", String.class)).size();
		Map<String, String> cases = Map.of(
				"{\"model\":\"m\",\"architecture\":\"nonet\",\"dataset\":\"" + dataset + "\"}", "unknown_architecture",
				"{\"model\":\"m\",\"architecture\":\"resnet18\",\"dataset\":\"" + series + "\"}", "wrong_dataset_kind",
				"{\"model\":\"m\",\"architecture\":\"resnet18\",\"dataset\":\"" + dataset
						+ "\",\"hyperparameters\":{\"epochs\":0}}", "invalid_hyperparameter",
				"{\"model\":\"m\",\"architecture\":\"resnet18\",\"dataset\":\"" + dataset
						+ "\",\"hyperparameters\":{\"imageSize\":4}}", "image_too_small",
				"{\"model\":\"m\",\"architecture\":\"resnet18\",\"dataset\":\"" + dataset
						+ "\",\"hyperparameters\":{\"augmentation\":{\"crop\":{\"scale\":[0.5,1.5]}}}}",
				"invalid_augmentation",
				"{\"model\":\"Bad Name\",\"architecture\":\"resnet18\",\"dataset\":\"" + dataset + "\"}", "invalid_name",
				"{\"model\":\"m\",\"task\":\"forecasting\",\"architecture\":\"lstm\",\"dataset\":\"" + series + "\"}",
				"invalid_request",
				"{\"model\":\"m\",\"architecture\":\"densenet121\",\"dataset\":\"" + dataset
						+ "\",\"hyperparameters\":{\"growthRate\":0}}", "invalid_growth_rate",
				"{\"model\":\"m\",\"architecture\":\"densenet169\",\"dataset\":\"" + dataset
						+ "\",\"hyperparameters\":{\"compression\":1.5}}", "invalid_compression",
				"{\"model\":\"m\",\"architecture\":\"resnet18\",\"dataset\":\"" + dataset
						+ "\",\"hyperparameters\":{\"growthRate\":12}}", "unsupported_architecture_option");
		for (Map.Entry<String, String> c : cases.entrySet()) {
			ResponseEntity<String> refused = submit(c.getKey());
			assertThat(refused.getStatusCode()).as(c.getKey()).isEqualTo(HttpStatus.BAD_REQUEST);
			assertThat(json.readTree(refused.getBody()).get("code").asText()).as(c.getKey()).isEqualTo(c.getValue());
		}
		// the held-out test split: in [0, 1), beside validation below 1, and every class keeps a training image
		String prefix = "{\"model\":\"m\",\"architecture\":\"resnet18\",\"dataset\":\"" + dataset
				+ "\",\"hyperparameters\":";
		Map<String, String> splits = Map.of(prefix + "{\"testSplit\":1}}", "invalid_hyperparameter",
				prefix + "{\"testSplit\":-0.1}}", "invalid_hyperparameter",
				prefix + "{\"validationSplit\":0.5,\"testSplit\":0.5}}", "invalid_hyperparameter",
				// 4 images a class: 1 for validation, 3 for test, none left to train on
				prefix + "{\"validationSplit\":0.2,\"testSplit\":0.7}}", "not_enough_images");
		for (Map.Entry<String, String> c : splits.entrySet()) {
			ResponseEntity<String> refused = submit(c.getKey());
			assertThat(refused.getStatusCode()).as(c.getKey()).isEqualTo(HttpStatus.BAD_REQUEST);
			assertThat(json.readTree(refused.getBody()).get("code").asText()).as(c.getKey()).isEqualTo(c.getValue());
		}
		// the optimizer and its weight decay: adam, adamw or sgd; a decay in [0, 1)
		Map<String, String> optimizers = Map.of(prefix + "{\"optimizer\":\"lamb\"}}", "invalid_hyperparameter",
				prefix + "{\"optimizer\":\"adamw\",\"weightDecay\":-0.1}}", "invalid_weight_decay",
				prefix + "{\"optimizer\":\"sgd\",\"weightDecay\":1}}", "invalid_weight_decay");
		for (Map.Entry<String, String> c : optimizers.entrySet()) {
			ResponseEntity<String> refused = submit(c.getKey());
			assertThat(refused.getStatusCode()).as(c.getKey()).isEqualTo(HttpStatus.BAD_REQUEST);
			assertThat(json.readTree(refused.getBody()).get("code").asText()).as(c.getKey()).isEqualTo(c.getValue());
		}
		ResponseEntity<String> missing = submit(job("m", "no-such-dataset", 1));
		assertThat(missing.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(json.readTree(missing.getBody()).get("code").asText()).isEqualTo("dataset_not_found");
		assertThat(json.readTree(http.getForObject("/api/v1/training-jobs", String.class)).size()).isEqualTo(before);
		ResponseEntity<String> unknown = http.getForEntity("/api/v1/training-jobs/nope", String.class);
		assertThat(unknown.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(json.readTree(unknown.getBody()).get("code").asText()).isEqualTo("job_not_found");
	}

	@Test
	void aJobStreamsItsProgressAsServerSentEventsAndCountsItsBatches() throws Exception {
		String id = id(submit(job("streamed", shapes(8), 2)));
		HttpRequest request = HttpRequest.newBuilder(URI.create(http.getRootUri() + "/api/v1/training-jobs/" + id + "/events"))
			.header("Accept", "text/event-stream")
			.build();
		HttpResponse<Stream<String>> response = HttpClient.newHttpClient()
			.send(request, HttpResponse.BodyHandlers.ofLines());
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("text/event-stream"));
		List<String> events = new ArrayList<>();
		List<JsonNode> data = new ArrayList<>();
		// the stream ends by itself after the event that reports the finished job
		response.body().forEach(line -> {
			if (line.startsWith("event:")) {
				events.add(line.substring(6));
			}
			else if (line.startsWith("data:")) {
				data.add(read(line.substring(5)));
			}
		});
		assertThat(events.get(0)).isEqualTo("status");
		assertThat(events).contains("progress");
		assertThat(events.get(events.size() - 1)).isEqualTo("status");
		assertThat(data.get(data.size() - 1).get("status").asText()).isEqualTo("SUCCEEDED");
		assertThat(data).anySatisfy(job -> assertThat(job.path("progress").path("batch").asInt()).isPositive());

		// 16 images, 4 of them held out for validation: 12 train in batches of 8 and 4, twice
		assertThat(meters.get("deepserve.training.batches").tag("model", "streamed").counter().count()).isEqualTo(4);
		assertThat(meters.get("deepserve.training.samples").tag("model", "streamed").counter().count())
			.isEqualTo(24);
		assertThat(meters.get("deepserve.training.jobs").tag("status", "SUCCEEDED").gauge().value())
			.isGreaterThanOrEqualTo(1);
		assertThat(meters.get("deepserve.training.loss").tag("model", "streamed").gauge().value()).isNaN();
	}

	@Test
	void theEventsOfAMissingJobAreNotFound() throws Exception {
		ResponseEntity<String> missing = http.getForEntity("/api/v1/training-jobs/nope/events", String.class);
		assertThat(missing.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(json.readTree(missing.getBody()).get("code").asText()).isEqualTo("job_not_found");
	}

	private JsonNode read(String text) {
		try {
			return json.readTree(text);
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	/** One worker: a long job runs while the others wait, so each way a job can end is seen in order. */
	@Test
	void cancelledAndFailedJobsEndAndTheNextJobStillRuns() throws Exception {
		String dataset = shapes(8);
		String doomed = shapes(8);
		String running = id(submit(job("long", dataset, 200)));
		awaitRunning(running);
		String queued = id(submit(job("never", dataset, 1)));
		String failing = id(submit(job("orphan", doomed, 1)));
		String next = id(submit(job("after", dataset, 1)));
		http.delete("/api/v1/datasets/" + doomed);

		ResponseEntity<String> cancelQueued = http.postForEntity("/api/v1/training-jobs/" + queued + "/cancel", null,
				String.class);
		assertThat(cancelQueued.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
		assertThat(json.readTree(cancelQueued.getBody()).get("status").asText()).isEqualTo("CANCELLED");
		assertThat(http.postForEntity("/api/v1/training-jobs/" + running + "/cancel", null, String.class)
			.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);

		assertThat(await(running, Duration.ofSeconds(30)).get("status").asText()).isEqualTo("CANCELLED");
		JsonNode failed = await(failing, Duration.ofSeconds(30));
		assertThat(failed.get("status").asText()).isEqualTo("FAILED");
		assertThat(failed.get("error").asText()).contains(doomed);
		assertThat(await(next, Duration.ofSeconds(60)).get("status").asText()).isEqualTo("SUCCEEDED");
		ResponseEntity<String> again = http.postForEntity("/api/v1/training-jobs/" + next + "/cancel", null,
				String.class);
		assertThat(again.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
		assertThat(json.readTree(again.getBody()).get("code").asText()).isEqualTo("job_finished");
		assertThat(json.readTree(http.getForObject("/api/v1/training-jobs?status=CANCELLED", String.class)))
			.extracting(j -> j.get("id").asText())
			.contains(running, queued)
			.doesNotContain(next);
	}

	private String shapes(int countPerClass) throws Exception {
		ResponseEntity<String> created = http.postForEntity("/api/v1/datasets/samples/shapes?classes=x,o&countPerClass="
				+ countPerClass + "&imageSize=32&seed=1", null, String.class);
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
		return json.readTree(created.getBody()).get("id").asText();
	}

	private static String job(String model, String dataset, int epochs) {
		return """
				{"model": "%s", "task": "image-classification", "architecture": "resnet18", "dataset": "%s",
				 "hyperparameters": {"epochs": %d, "batchSize": 8, "learningRate": 0.001, "imageSize": 32,
				   "earlyStoppingPatience": 0, "seed": 7}, "device": "cpu"}""".formatted(model, dataset, epochs);
	}

	private ResponseEntity<String> submit(String body) {
		return TrainingHttp.submit(http, body);
	}

	private String id(ResponseEntity<String> created) throws Exception {
		return TrainingHttp.id(json, created);
	}

	private JsonNode await(String id, Duration timeout) throws Exception {
		return TrainingHttp.awaitFinished(http, json, id, timeout);
	}

	private void awaitRunning(String id) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (System.nanoTime() < deadline) {
			JsonNode job = json.readTree(http.getForObject("/api/v1/training-jobs/" + id, String.class));
			if ("RUNNING".equals(job.get("status").asText()) && job.hasNonNull("progress")) {
				return;
			}
			Thread.sleep(100);
		}
		throw new AssertionError("job " + id + " never started");
	}

}
