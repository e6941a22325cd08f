package io.deepserve.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import ai.djl.engine.Engine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.deepserve.config.DeepserveProperties;

/**
 * Loads the deep-learning engine once, offline, from the native library bundled in the jar. Readiness (health
 * indicator {@code engine}) is DOWN until the engine has loaded.
 */
@Component("engine")
public class EngineService implements HealthIndicator {

	private static final Logger log = LoggerFactory.getLogger(EngineService.class);

	private final DeepserveProperties properties;

	private final CompletableFuture<Engine> engine = new CompletableFuture<>();

	private final AtomicReference<Thread> loader = new AtomicReference<>();

	public EngineService(DeepserveProperties properties) {
		this.properties = properties;
		configureOffline(properties.cacheDir());
	}

	/**
	 * DJL reads these when it first loads an engine: never download, and keep its cache under the data directory.
	 * Values set on the command line win.
	 */
	static void configureOffline(Path cacheDir) {
		System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
		Path djlCache = cacheDir.resolve("djl").toAbsolutePath();
		if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
			System.setProperty("DJL_CACHE_DIR", djlCache.toString());
		}
		if (System.getProperty("ENGINE_CACHE_DIR") == null && System.getenv("ENGINE_CACHE_DIR") == null) {
			System.setProperty("ENGINE_CACHE_DIR", djlCache.toString());
		}
		try {
			Files.createDirectories(djlCache);
		}
		catch (IOException ex) {
			throw new IllegalStateException("cannot create the engine cache " + djlCache, ex);
		}
	}

	@EventListener(ApplicationStartedEvent.class)
	void loadInBackground() {
		if (!properties.engine().loadAtStartup()) {
			return;
		}
		Thread thread = new Thread(this::load, "engine-loader");
		thread.setDaemon(true);
		if (loader.compareAndSet(null, thread)) {
			thread.start();
		}
	}

	private void load() {
		try {
			long start = System.nanoTime();
			Engine loaded = Engine.getEngine(properties.engine().name());
			log.info("{} engine {} loaded in {} ms; GPUs visible: {}", loaded.getEngineName(), loaded.getVersion(),
					(System.nanoTime() - start) / 1_000_000, loaded.getGpuCount());
			engine.complete(loaded);
		}
		catch (RuntimeException | Error ex) {
			log.error("the {} engine failed to load", properties.engine().name(), ex);
			engine.completeExceptionally(ex);
		}
	}

	/** The engine, loading it now if the background load has not run (or is off). */
	public Engine engine() {
		if (loader.get() == null) {
			synchronized (this) {
				if (!engine.isDone()) {
					load();
				}
			}
		}
		return engine.join();
	}

	@Override
	public Health health() {
		if (!engine.isDone()) {
			return Health.down().withDetail("engine", properties.engine().name()).withDetail("state", "loading").build();
		}
		if (engine.isCompletedExceptionally()) {
			return Health.down().withDetail("engine", properties.engine().name()).withDetail("state", "failed").build();
		}
		Engine e = engine.join();
		return Health.up()
			.withDetail("engine", e.getEngineName())
			.withDetail("version", e.getVersion())
			.withDetail("gpus", e.getGpuCount())
			.build();
	}

}
