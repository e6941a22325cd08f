package io.deepserve.training;

import java.net.URI;
import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

@RestController
@RequestMapping("/api/v1/training-jobs")
class TrainingJobController {

	private final TrainingJobs jobs;

	private final TrainingJobEvents events;

	TrainingJobController(TrainingJobs jobs, TrainingJobEvents events) {
		this.jobs = jobs;
		this.events = events;
	}

	@PostMapping
	ResponseEntity<TrainingJob> submit(@RequestBody TrainingRequest request) {
		TrainingJob job = jobs.submit(request);
		return ResponseEntity.accepted().location(URI.create("/api/v1/training-jobs/" + job.id())).body(job);
	}

	@GetMapping
	List<TrainingJob> list(@RequestParam(required = false) String status) {
		return jobs.list(status);
	}

	@GetMapping("/{id}")
	TrainingJob get(@PathVariable String id) {
		return jobs.get(id);
	}

	@GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	SseEmitter events(@PathVariable String id) {
		return events.subscribe(jobs.get(id));
	}

	@PostMapping("/{id}/cancel")
	ResponseEntity<TrainingJob> cancel(@PathVariable String id) {
		return ResponseEntity.accepted().body(jobs.cancel(id));
	}

}
