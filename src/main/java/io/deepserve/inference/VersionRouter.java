package io.deepserve.inference;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.stereotype.Component;

import io.deepserve.error.InvalidInputException;
import io.deepserve.error.NotFoundException;
import io.deepserve.registry.ModelRef;
import io.deepserve.registry.ModelRegistry;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.Task;

/**
 * Which version a model reference ({@code name}, {@code name:7}, {@code name@alias}) names, for every serving
 * endpoint alike: the registry's own rule ({@link ModelRegistry#resolve}), with each answer remembered so a request
 * for a reference seen before reads no database. The {@link WorkloadManager} moves an alias here only once the new
 * version is warm, and tells it when versions come and go.
 */
@Component
public class VersionRouter {

	private final ModelRegistry registry;

	/** Each reference resolved, by its text, to the version it names now. */
	private final Map<String, ModelVersion> resolved = new ConcurrentHashMap<>();

	/** Counts changes to versions and aliases, so a resolution that raced one is not remembered. */
	private final AtomicLong changes = new AtomicLong();

	VersionRouter(ModelRegistry registry) {
		this.registry = registry;
	}

	/** The version {@code ref} names, whatever it is. */
	public ModelVersion resolve(String ref) {
		return resolve(ModelRef.parse(ref));
	}

	/** The version {@code ref} names, if it is READY and of {@code task}. */
	public ModelVersion resolve(String ref, Task task) {
		ModelVersion version = resolve(ref);
		if (version.status() != ModelVersion.Status.READY) {
			throw new NotFoundException("model_not_found", version.ref() + " is " + version.status()
					+ ", not READY, so it cannot serve");
		}
		if (version.task() != task) {
			throw new InvalidInputException("wrong_task", version.ref() + " is a " + version.task() + " model; this "
					+ "endpoint serves " + task + " models");
		}
		return version;
	}

	ModelVersion resolve(ModelRef ref) {
		String key = ref.toString();
		ModelVersion known = resolved.get(key);
		if (known != null) {
			return known;
		}
		long seen = changes.get();
		ModelVersion fresh = registry.resolve(ref);
		resolved.put(key, fresh);
		// versions are immutable: once seen, its own record serves name:N too
		resolved.putIfAbsent(fresh.ref(), fresh);
		if (changes.get() != seen) {
			// the registry was read while versions or aliases changed: this answer may already be stale
			resolved.remove(key, fresh);
			resolved.remove(fresh.ref(), fresh);
		}
		return fresh;
	}

	/** {@code name@alias} serves {@code to} from now on; null when the alias is gone. */
	void route(String name, String alias, ModelVersion to) {
		changes.incrementAndGet();
		resolved.remove(name);
		if (to == null) {
			resolved.remove(name + "@" + alias);
		}
		else {
			resolved.put(name + "@" + alias, to);
			resolved.putIfAbsent(to.ref(), to);
		}
	}

	/** A version of {@code name} was registered, or deleted ({@code deleted} not null). */
	void versionsChanged(String name, Integer deleted) {
		changes.incrementAndGet();
		resolved.remove(name);
		if (deleted != null) {
			resolved.remove(name + ":" + deleted);
		}
	}

	/**
	 * Forgets whatever another replica may have changed without this one hearing of it: what bare names resolve to,
	 * and versions no longer registered. Aliases are the manager's to move, so they are kept.
	 */
	void forgetUnrouted() {
		changes.incrementAndGet();
		resolved.entrySet().removeIf(e -> !e.getKey().contains("@")
				&& (!e.getKey().contains(":") || !registry.exists(e.getValue().name(), e.getValue().version())));
	}

	/** How many changes this router has seen: a snapshot of the registry read before a change may be stale. */
	long changes() {
		return changes.get();
	}

	/** Every alias routed now, {@code name@alias} to the version it serves. */
	Map<String, ModelVersion> routes() {
		Map<String, ModelVersion> routes = new HashMap<>();
		resolved.forEach((key, version) -> {
			if (key.contains("@")) {
				routes.put(key, version);
			}
		});
		return routes;
	}

	/** Whether an alias routes to {@code name:version}: such a version is unloaded only when nothing else can be. */
	boolean routed(String name, int version) {
		return resolved.entrySet()
			.stream()
			.anyMatch(e -> e.getKey().startsWith(name + "@") && e.getValue().version() == version);
	}

}
