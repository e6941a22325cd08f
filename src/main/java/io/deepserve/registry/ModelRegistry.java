package io.deepserve.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.ConflictException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.NotFoundException;
import io.deepserve.storage.ArtifactStore;
import io.deepserve.storage.Sha256;
import io.deepserve.storage.StoredArtifact;
import io.deepserve.web.Names;

/**
 * The model registry: immutable numbered versions per model name, aliases with history, and verified access to
 * each version's artifact. The one public entry point for other packages.
 */
@Service
public class ModelRegistry {

	public static final String PRODUCTION = "production";

	private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

	private final ModelRepository repository;

	private final ArtifactStore store;

	private final TransactionTemplate tx;

	private final ObjectProvider<ArtifactInspector> inspector;

	private final ObjectProvider<AliasTargetCheck> aliasTargets;
	private final ObjectProvider<WeightsImporter> weightsImporter;

	private final ApplicationEventPublisher events;

	private final ModelCache cache;

	private final DeepserveProperties properties;

	private final Clock clock;

	ModelRegistry(ModelRepository repository, ArtifactStore store, TransactionTemplate tx,
			ObjectProvider<ArtifactInspector> inspector, ObjectProvider<AliasTargetCheck> aliasTargets,
			ObjectProvider<WeightsImporter> weightsImporter,
			ApplicationEventPublisher events, DeepserveProperties properties) {
		this.repository = repository;
		this.store = store;
		this.tx = tx;
		this.inspector = inspector;
		this.aliasTargets = aliasTargets;
		this.weightsImporter = weightsImporter;
		this.events = events;
		this.properties = properties;
		this.cache = new ModelCache(properties.cacheDir().resolve("models"));
		this.clock = Clock.systemUTC();
	}

	/** A model and its aliases, as listed. */
	public record ModelSummary(String name, Task task, Integer latestVersion, Map<String, Integer> aliases,
			Instant createdAt) {
	}

	/** A model with every version. */
	public record ModelDetails(String name, Task task, Integer latestVersion, Map<String, Integer> aliases,
			Instant createdAt, List<ModelVersion> versions) {
	}

	/** One alias switch: who moved it from which version to which, and when. */
	public record AliasChange(String alias, Integer fromVersion, Integer toVersion, Instant changedAt,
			String changedBy) {
	}

	/**
	 * Registers a new version from an uploaded or trained artifact. The artifact is checked (safe zip layout,
	 * loadable by the engine when an inspector is present), written atomically with its SHA-256, and only then
	 * given a number.
	 * @param artifact the artifact's bytes; read to the end, not closed
	 */
	public ModelVersion register(String name, NewModelVersion spec, InputStream artifact) throws IOException {
		return register(name, spec, artifact, version -> {
		});
	}

	/**
	 * Registers a new version as {@link #register(String, NewModelVersion, InputStream)} does, if {@code confirm}
	 * accepts it.
	 * @param confirm runs in the transaction that numbers the version, before it commits: what it throws rolls the
	 * version back and deletes its artifact
	 */
	public ModelVersion register(String name, NewModelVersion spec, InputStream artifact,
			Consumer<ModelVersion> confirm) throws IOException {
		Names.require("model", name);
		ModelVersionValidator.validate(spec);
		long max = properties.registry().maxArtifactSize().toBytes();
		Path staging = Files.createDirectories(properties.cacheDir().resolve("staging"));
		Path upload = Files.createTempFile(staging, "import-", ".bin");
		try {
			String sha256 = copyLimited(artifact, upload, max);
			if (WeightsImporter.isWeightsFile(upload)) {
				sha256 = importWeights(spec, upload, staging);
			}
			ArtifactFormat format = ArtifactLayout.detect(upload);
			QuantizedImport.check(spec, format, upload, repository::findVersion);
			NewModelVersion checked = inspect(spec, format, upload, staging);
			String key = "models/" + name + "/" + UUID.randomUUID() + "/artifact." + format.extension();
			StoredArtifact stored;
			try (InputStream in = Files.newInputStream(upload)) {
				stored = store.put(key, in, max);
			}
			if (!stored.sha256().equals(sha256)) {
				store.delete(key);
				throw new IOException("artifact changed while it was being stored");
			}
			try {
				ModelVersion created = insert(name, checked, format, stored, confirm);
				events.publishEvent(new VersionsChangedEvent(name, null));
				log.info("registered {} ({}, {} bytes, sha256 {})", created.ref(), format.id(), stored.sizeBytes(),
						stored.sha256());
				return created;
			}
			catch (RuntimeException ex) {
				store.delete(key);
				throw ex;
			}
		}
		finally {
			Files.deleteIfExists(upload);
		}
	}

	/**
	 * Replaces exported PyTorch weights with a DJL model zip of the named architecture holding them, so that the
	 * version is stored, served and transferred from like one trained here.
	 * @return the zip's SHA-256
	 */
	private String importWeights(NewModelVersion spec, Path upload, Path staging) throws IOException {
		WeightsImporter importer = weightsImporter.getIfAvailable();
		if (importer == null) {
			throw new InvalidInputException("invalid_artifact", "weights files can only be imported where the "
					+ "engine runs; import a DJL model zip or TorchScript file instead");
		}
		Path dir = Files.createTempDirectory(staging, "weights-");
		try {
			importer.writeModel(spec, upload, dir);
			try (OutputStream out = Files.newOutputStream(upload); ZipOutputStream zip = new ZipOutputStream(out);
					Stream<Path> files = Files.list(dir)) {
				// float weights hardly compress: not worth deflating a VGG's 550 MB hard
				zip.setLevel(Deflater.BEST_SPEED);
				for (Path file : files.sorted().toList()) {
					zip.putNextEntry(new ZipEntry(file.getFileName().toString()));
					Files.copy(file, zip);
					zip.closeEntry();
				}
			}
			return Sha256.of(upload);
		}
		finally {
			ModelCache.deleteTree(dir);
		}
	}

	/** Lets the engine load the artifact (a DJL zip is extracted first) and records its parameter count. */
	private NewModelVersion inspect(NewModelVersion spec, ArtifactFormat format, Path upload, Path staging)
			throws IOException {
		ArtifactInspector engine = inspector.getIfAvailable();
		if (engine == null) {
			return spec;
		}
		if (format == ArtifactFormat.TORCHSCRIPT) {
			return spec.withParameters(engine.inspect(spec, format, upload));
		}
		Path extracted = Files.createTempDirectory(staging, "inspect-");
		try {
			ModelCache.extract(upload, extracted);
			return spec.withParameters(engine.inspect(spec, format, ModelCache.modelDir(extracted)));
		}
		finally {
			ModelCache.deleteTree(extracted);
		}
	}

	private ModelVersion insert(String name, NewModelVersion spec, ArtifactFormat format, StoredArtifact stored,
			Consumer<ModelVersion> confirm) {
		Instant now = clock.instant();
		try {
			tx.executeWithoutResult(status -> repository.ensureModel(name, spec.task(), now));
		}
		catch (DuplicateKeyException ex) {
			// created concurrently by another registration: fine, it exists now
		}
		return tx.execute(status -> {
			ModelVersion version = insertVersion(name, spec, format, stored, now);
			confirm.accept(version);
			return version;
		});
	}

	private ModelVersion insertVersion(String name, NewModelVersion spec, ArtifactFormat format,
			StoredArtifact stored, Instant now) {
		Task task = repository.lockModel(name);
		if (task != spec.task()) {
			throw new ConflictException("task_mismatch",
					"model '" + name + "' holds " + task + " versions; this version is " + spec.task());
		}
		int number = repository.allocateVersion(name);
		ModelVersion version = new ModelVersion(name, number, spec.task(), spec.architecture(), format,
				spec.inputShape(), spec.labels(), spec.preprocessing(), spec.forecast(), spec.metrics(),
				spec.lineage(), spec.serving(), stored.sha256(), stored.sizeBytes(), spec.parameters(), now,
				ModelVersion.Status.READY, stored.key(), spec.architectureOptions());
		repository.insertVersion(version);
		return version;
	}

	/** Copies at most {@code max} bytes to {@code target}; returns their SHA-256. */
	private static String copyLimited(InputStream in, Path target, long max) throws IOException {
		try (OutputStream out = Files.newOutputStream(target)) {
			Sha256.Copied copied = Sha256.copy(in, out, max,
					"the artifact is larger than deepserve.registry.max-artifact-size (" + max + " bytes)");
			if (copied.sizeBytes() == 0) {
				throw new InvalidInputException("invalid_artifact", "the artifact is empty");
			}
			return copied.sha256();
		}
	}

	public List<ModelSummary> list() {
		return repository.findModels()
			.stream()
			.map(m -> new ModelSummary(m.name(), m.task(), repository.latestVersion(m.name()).orElse(null),
					repository.aliases(m.name()), m.createdAt()))
			.toList();
	}

	public ModelDetails get(String name) {
		ModelRepository.ModelRow model = model(name);
		return new ModelDetails(model.name(), model.task(), repository.latestVersion(name).orElse(null),
				repository.aliases(name), model.createdAt(), repository.findVersions(name));
	}

	public ModelVersion version(String name, int version) {
		model(name);
		return repository.findVersion(name, version)
			.orElseThrow(() -> new NotFoundException("version_not_found",
					"model '" + name + "' has no version " + version));
	}

	/** Whether {@code name:version} is registered (and not deleted). */
	public boolean exists(String name, int version) {
		return repository.findVersion(name, version).isPresent();
	}

	/** Resolves {@code name}, {@code name:7} or {@code name@alias} to a version. */
	public ModelVersion resolve(String ref) {
		return resolve(ModelRef.parse(ref));
	}

	public ModelVersion resolve(ModelRef ref) {
		model(ref.name());
		if (ref.version() != null) {
			return version(ref.name(), ref.version());
		}
		if (ref.alias() != null) {
			Integer v = repository.aliases(ref.name()).get(ref.alias());
			if (v == null) {
				throw new NotFoundException("alias_not_found",
						"model '" + ref.name() + "' has no alias '" + ref.alias() + "'");
			}
			return version(ref.name(), v);
		}
		Integer production = repository.aliases(ref.name()).get(PRODUCTION);
		if (production != null) {
			return version(ref.name(), production);
		}
		return repository.latestReadyVersion(ref.name())
			.map(v -> version(ref.name(), v))
			.orElseThrow(() -> new NotFoundException("model_not_ready", "model '" + ref.name()
					+ "' has no READY version"));
	}

	/** Deletes a version and its artifact; refused while an alias points to it. Its number is never reused. */
	public void delete(String name, int version) throws IOException {
		ModelVersion removed = tx.execute(status -> {
			ModelVersion v = version(name, version);
			List<String> aliases = repository.aliasesOf(name, version);
			if (!aliases.isEmpty()) {
				throw new ConflictException("version_in_use", v.ref() + " is behind alias(es) " + aliases
						+ "; move or delete them first");
			}
			List<String> int8 = repository.findModels()
				.stream()
				.flatMap(m -> QuantizedImport.referencing(repository.findVersions(m.name()), v.ref()).stream())
				.toList();
			if (!int8.isEmpty()) {
				throw new ConflictException("version_in_use", v.ref() + " is the float32 version that int8 version(s) "
						+ int8 + " are measured against where they load (serving.agreementReference); delete them "
						+ "first");
			}
			repository.deleteVersion(name, version);
			return v;
		});
		events.publishEvent(new VersionsChangedEvent(name, version));
		store.delete(removed.artifactKey());
		cache.evict(removed);
		log.info("deleted {}", removed.ref());
	}

	/**
	 * Points {@code alias} at {@code version} atomically, recording who did it; only once the version is warm where
	 * it is served, so a version that cannot serve never takes the alias.
	 */
	public ModelVersion setAlias(String name, String alias, int version, String by) {
		ModelRef.requireAlias(alias);
		ModelVersion target = version(name, version);
		if (target.status() != ModelVersion.Status.READY) {
			throw new ConflictException("version_not_ready", target.ref() + " is " + target.status());
		}
		aliasTargets.ifAvailable(check -> check.prepare(target));
		Integer previous = tx.execute(status -> {
			Integer from = repository.lockAlias(name, alias).orElse(null);
			Instant now = clock.instant();
			repository.upsertAlias(name, alias, version, now, by);
			if (from == null || from != version) {
				repository.recordAliasChange(name, alias, from, version, now, by);
			}
			return from;
		});
		events.publishEvent(new AliasChangedEvent(name, alias, previous, version));
		log.info("alias {}@{} -> {} (was {}) by {}", name, alias, version, previous, by);
		return target;
	}

	public void deleteAlias(String name, String alias, String by) {
		ModelRef.requireAlias(alias);
		model(name);
		Integer previous = tx.execute(status -> {
			Optional<Integer> from = repository.lockAlias(name, alias);
			if (from.isEmpty()) {
				throw new NotFoundException("alias_not_found", "model '" + name + "' has no alias '" + alias + "'");
			}
			repository.deleteAlias(name, alias);
			repository.recordAliasChange(name, alias, from.get(), null, clock.instant(), by);
			return from.get();
		});
		events.publishEvent(new AliasChangedEvent(name, alias, previous, null));
	}

	public List<AliasChange> aliasHistory(String name, String alias) {
		ModelRef.requireAlias(alias);
		model(name);
		return repository.aliasHistory(name, alias)
			.stream()
			.map(c -> new AliasChange(c.alias(), c.fromVersion(), c.toVersion(), c.changedAt(), c.changedBy()))
			.toList();
	}

	/** The exact stored bytes, after checking they still hash to the recorded SHA-256. */
	public InputStream openArtifact(ModelVersion version) throws IOException {
		return store.openVerified(version.artifactKey(), version.sha256());
	}

	/**
	 * A local, verified copy ready for the engine: the extracted directory of a DJL model zip, or the TorchScript
	 * file. The checksum is checked on every call, so a corrupted artifact is never loaded.
	 */
	public Path materialize(ModelVersion version) {
		try {
			Path verified = store.localVerifiedFile(version.artifactKey(), version.sha256());
			return cache.materialize(version, verified);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read the artifact of " + version.ref(), ex);
		}
	}

	private ModelRepository.ModelRow model(String name) {
		Names.require("model", name);
		return repository.findModel(name)
			.orElseThrow(() -> new NotFoundException("model_not_found", "no model named '" + name + "'"));
	}

}
