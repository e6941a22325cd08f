package io.deepserve.training;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-sent events for watching a job: {@code status} when its status changes (and once on connect),
 * {@code progress} when its progress or history moves; each event's data is the whole job. The job's row is the
 * source, read at most twice a second per watched job however many clients watch it, so a job trained by another
 * replica streams the same way. The stream completes after the event that reports a finished job.
 */
@Component
class TrainingJobEvents {

	static final long POLL_MILLIS = 500;

	private static final Logger log = LoggerFactory.getLogger(TrainingJobEvents.class);

	private static final Duration STREAM_TIMEOUT = Duration.ofHours(12);

	private final TrainingJobRepository repository;

	private final Map<String, Watch> watches = new ConcurrentHashMap<>();

	private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
		Thread thread = new Thread(runnable, "training-events");
		thread.setDaemon(true);
		return thread;
	});

	TrainingJobEvents(TrainingJobRepository repository) {
		this.repository = repository;
		poller.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
	}

	SseEmitter subscribe(TrainingJob job) {
		SseEmitter emitter = new SseEmitter(STREAM_TIMEOUT.toMillis());
		if (!send(emitter, "status", job)) {
			return emitter;
		}
		if (job.status().finished()) {
			emitter.complete();
			return emitter;
		}
		// compute, not computeIfAbsent + add: the poller drops a watch whose emitters are gone under the same lock
		Watch watch = watches.compute(job.id(), (id, existing) -> {
			Watch w = existing != null ? existing : new Watch(job);
			w.emitters.add(emitter);
			return w;
		});
		Runnable remove = () -> watch.emitters.remove(emitter);
		emitter.onCompletion(remove);
		emitter.onTimeout(remove);
		emitter.onError(error -> remove.run());
		return emitter;
	}

	private void poll() {
		for (Watch watch : watches.values()) {
			try {
				Optional<TrainingJob> now = repository.find(watch.last.id());
				if (now.isEmpty()) {
					watch.emitters.forEach(SseEmitter::complete);
					watches.remove(watch.last.id());
					continue;
				}
				publish(watch, now.get());
			}
			catch (RuntimeException ex) {
				log.debug("could not poll training job {}", watch.last.id(), ex);
			}
		}
	}

	private void publish(Watch watch, TrainingJob job) {
		String event = job.status() != watch.last.status() ? "status"
				: moved(watch.last, job) ? "progress" : null;
		watch.last = job;
		if (event != null) {
			watch.emitters.removeIf(emitter -> !send(emitter, event, job));
		}
		watches.computeIfPresent(job.id(), (id, w) -> {
			if (job.status().finished()) {
				w.emitters.forEach(SseEmitter::complete);
				return null;
			}
			return w.emitters.isEmpty() ? null : w;
		});
	}

	private static boolean moved(TrainingJob before, TrainingJob now) {
		return !Objects.equals(before.progress(), now.progress())
				|| !Objects.equals(size(before.history()), size(now.history()));
	}

	private static int size(List<?> list) {
		return list == null ? 0 : list.size();
	}

	/** @return false when the client has gone */
	private static boolean send(SseEmitter emitter, String event, TrainingJob job) {
		try {
			emitter.send(SseEmitter.event().name(event).id(job.id()).data(job));
			return true;
		}
		catch (IOException | IllegalStateException ex) {
			emitter.completeWithError(ex);
			return false;
		}
	}

	@PreDestroy
	void stop() {
		poller.shutdownNow();
		watches.values().forEach(watch -> watch.emitters.forEach(SseEmitter::complete));
		watches.clear();
	}

	private static final class Watch {

		private final List<SseEmitter> emitters = new CopyOnWriteArrayList<>();

		private volatile TrainingJob last;

		Watch(TrainingJob first) {
			this.last = first;
		}

	}

}
