package io.deepserve.container;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.lifecycle.Startables;

import org.springframework.boot.test.web.client.TestRestTemplate;

import io.deepserve.EmbeddedPostgresSupport;
import io.deepserve.storage.S3MockServer;

/**
 * Serving containers and one trainer container of the image in scaled-out mode, on a fresh database of the host's
 * embedded PostgreSQL and their own prefix in the host's S3Mock. The containers share the host's network, so
 * {@code localhost} in the JDBC URL and the S3 endpoint reach those servers.
 */
final class Cluster implements AutoCloseable {

	private final List<String> shared;

	private final String key;

	private final List<GenericContainer<?>> serving = new ArrayList<>();

	private final List<Integer> servingPorts = new ArrayList<>();

	private final List<GenericContainer<?>> everyContainer = new ArrayList<>();

	private GenericContainer<?> trainer;

	private int trainerPort;

	private final String name;

	private int trainers;

	private Cluster(String name, String key, List<String> shared) {
		this.name = name;
		this.key = key;
		this.shared = shared;
	}

	/** Starts {@code servingReplicas} serving containers and one trainer, in parallel. */
	static Cluster start(String name, String key, Duration aliasSync, Duration leaseTimeout, int servingReplicas) {
		List<String> shared = new ArrayList<>(EmbeddedPostgresSupport.newDatabaseArgs());
		shared.addAll(S3MockServer.get().storageArgs(name + "/"));
		shared.add("--deepserve.inference.alias-sync-interval=" + aliasSync.toMillis() + "ms");
		shared.add("--deepserve.training.lease-timeout=" + leaseTimeout.toMillis() + "ms");
		Cluster cluster = new Cluster(name, key, shared);
		List<GenericContainer<?>> all = new ArrayList<>();
		for (int i = 0; i < servingReplicas; i++) {
			int port = DeepserveImage.freePort();
			cluster.servingPorts.add(port);
			GenericContainer<?> replica = cluster.replica(name + "-serving-" + i, port, "serving");
			cluster.serving.add(replica);
			all.add(replica);
		}
		all.add(cluster.newTrainer());
		try {
			Startables.deepStart(all).join();
		}
		catch (RuntimeException ex) {
			cluster.close();
			throw ex;
		}
		return cluster;
	}

	/** A new trainer container (not started) that replaces the current one as {@link #trainer()}. */
	GenericContainer<?> newTrainer() {
		trainerPort = DeepserveImage.freePort();
		trainer = replica(name + "-trainer-" + trainers++, trainerPort, "training");
		return trainer;
	}

	private GenericContainer<?> replica(String container, int port, String roles) {
		List<String> args = new ArrayList<>(shared);
		args.add("--deepserve.roles=" + roles);
		// a stable id per container, as Kubernetes gives each pod a host name
		args.add("--deepserve.training.instance-id=" + container);
		GenericContainer<?> replica = DeepserveImage.withAdminKey(DeepserveImage.container(container, port), key)
			.withCommand(args.toArray(String[]::new));
		everyContainer.add(replica);
		return replica;
	}

	List<GenericContainer<?>> serving() {
		return serving;
	}

	GenericContainer<?> trainer() {
		return trainer;
	}

	TestRestTemplate servingHttp(int i) {
		return DeepserveImage.http(servingPorts.get(i), key);
	}

	TestRestTemplate trainerHttp() {
		return DeepserveImage.http(trainerPort, key);
	}

	/** The shapes recipe users post ({@code models/shapes-resnet18.json}) for {@code model}, cut to a few epochs. */
	static ObjectNode shapesRecipe(String model, int epochs) throws Exception {
		ObjectNode recipe = (ObjectNode) new ObjectMapper()
			.readTree(Files.readString(Path.of("models", "shapes-resnet18.json")));
		recipe.put("model", model);
		((ObjectNode) recipe.path("hyperparameters")).put("epochs", epochs);
		return recipe;
	}

	@Override
	public void close() {
		everyContainer.forEach(GenericContainer::stop);
	}

}
