package io.deepserve.inference;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Readiness (health indicator {@code models}) is DOWN until every version behind an alias has loaded and run a
 * warm-up batch, so the first requests a new pod takes are not the slow ones, and DOWN while a version behind a
 * {@code production} alias cannot load, so a rollout stops there. A version behind another alias that fails to load
 * is logged and left to load on first use rather than keep the whole service out of rotation. Its details also show,
 * under {@code tuned}, the serving settings each loaded version runs with and the table its tuning search measured.
 */
@Component("models")
class ModelsReadiness implements HealthIndicator {

	private final WorkloadManager manager;

	private final EngineService engine;

	private final CompletableFuture<Void> warmed = new CompletableFuture<>();

	ModelsReadiness(WorkloadManager manager, EngineService engine) {
		this.manager = manager;
		this.engine = engine;
	}

	@EventListener(ApplicationStartedEvent.class)
	void warmInBackground() {
		Thread thread = new Thread(() -> {
			try {
				engine.engine();
				manager.warmAliased();
				warmed.complete(null);
			}
			catch (RuntimeException | Error ex) {
				warmed.completeExceptionally(ex);
			}
		}, "warm-aliased-models");
		thread.setDaemon(true);
		thread.start();
	}

	@Override
	public Health health() {
		if (!warmed.isDone()) {
			return Health.down().withDetail("state", "warming aliased model versions").build();
		}
		if (warmed.isCompletedExceptionally()) {
			return Health.down().withDetail("state", "the warm-up could not run; see the server log").build();
		}
		Map<String, String> failed = manager.failedProduction();
		Health.Builder health = failed.isEmpty() ? Health.up()
				: Health.down().withDetail("state", "a version behind production cannot load").withDetail("failed", failed);
		Map<String, ServingTuner.Tuning> tuned = manager.tunings();
		if (!tuned.isEmpty()) {
			// the settings each loaded version serves with and, where they were measured here, the table
			health.withDetail("tuned", tuned);
		}
		Map<String, ServingRecheck.Result> rechecked = manager.rechecks();
		if (!rechecked.isEmpty()) {
			// what the last re-check under load found, and the settings it left each version serving with
			health.withDetail("rechecked", rechecked);
		}
		Map<String, Agreement> agreements = manager.agreements();
		if (!agreements.isEmpty()) {
			// each version served at a reduced precision, and how it compared with fp32 when it loaded
			health.withDetail("precision", agreements);
		}
		return health.build();
	}

}
