package io.deepserve.training;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.ConflictException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.NotFoundException;
import io.deepserve.error.UnavailableException;
import io.deepserve.registry.Task;

import static io.deepserve.web.ProblemMatchers.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** The training jobs' HTTP edge: how a submission is read, what a job looks like, and the jobs' refusals. */
@WebMvcTest(TrainingJobController.class)
@EnableConfigurationProperties(DeepserveProperties.class)
class TrainingJobControllerTests {

	private static final String BODY = """
			{"model": "shapes", "task": "image-classification", "architecture": "resnet18", "dataset": "ds-1",
			 "baseModel": "imagenet-r18:1", "transfer": {"mode": "fine-tune", "baseLearningRateFactor": 0.1},
			 "hyperparameters": {"epochs": 3, "batchSize": 16, "learningRate": 0.001, "augment": true},
			 "device": "auto"}""";

	@Autowired
	MockMvc mvc;

	@MockitoBean
	TrainingJobs jobs;

	@MockitoBean
	TrainingJobEvents events;

	@Test
	void aSubmissionIs202WithTheQueuedJobAndItsLocation() throws Exception {
		when(jobs.submit(any())).thenReturn(job(TrainingJob.Status.QUEUED));

		submit(BODY).andExpect(status().isAccepted())
			.andExpect(header().string(HttpHeaders.LOCATION, "/api/v1/training-jobs/job-1"))
			.andExpect(jsonPath("$.id").value("job-1"))
			.andExpect(jsonPath("$.status").value("QUEUED"))
			.andExpect(jsonPath("$.model").value("shapes"))
			.andExpect(jsonPath("$.createdAt").value("2026-01-02T03:04:05Z"));

		ArgumentCaptor<TrainingRequest> request = ArgumentCaptor.forClass(TrainingRequest.class);
		verify(jobs).submit(request.capture());
		TrainingRequest read = request.getValue();
		assertThat(read.model()).isEqualTo("shapes");
		assertThat(read.baseModel()).isEqualTo("imagenet-r18:1");
		assertThat(read.transfer().mode()).isEqualTo("fine-tune");
		assertThat(read.transfer().baseLearningRateFactor()).isEqualTo(0.1f);
		assertThat(read.hyperparameters().epochs()).isEqualTo(3);
		assertThat(read.hyperparameters().learningRate()).isEqualTo(0.001f);
		assertThat(read.hyperparameters().augment()).isTrue();
	}

	@Test
	void aMisspeltFieldIs400UnknownFieldNamingIt() throws Exception {
		submit(BODY.replace("\"epochs\"", "\"epocs\"")).andExpect(problem(400, "unknown_field"))
			.andExpect(jsonPath("$.detail").value(containsString("'hyperparameters.epocs'")));
		submit(BODY.replace("\"device\"", "\"devices\"")).andExpect(problem(400, "unknown_field"))
			.andExpect(jsonPath("$.detail").value(containsString("'devices'")));
		verify(jobs, never()).submit(any());
	}

	@Test
	void theAugmentationObjectIsReadAndItsMisspeltFieldsNamed() throws Exception {
		when(jobs.submit(any())).thenReturn(job(TrainingJob.Status.QUEUED));
		String augmentation = "\"augment\": true, \"augmentation\": {\"pcaColor\": true, \"colorJitter\": false, "
				+ "\"crop\": {\"scale\": [0.08, 1.0], \"ratio\": [0.75, 1.333]}, \"flip\": true}";

		submit(BODY.replace("\"augment\": true", augmentation)).andExpect(status().isAccepted());

		ArgumentCaptor<TrainingRequest> request = ArgumentCaptor.forClass(TrainingRequest.class);
		verify(jobs).submit(request.capture());
		var read = request.getValue().hyperparameters().augmentation();
		assertThat(read.pcaColor()).isTrue();
		assertThat(read.colorJitter()).isFalse();
		assertThat(read.crop().scale()).containsExactly(0.08, 1.0);
		assertThat(read.crop().ratio()).containsExactly(0.75, 1.333);

		submit(BODY.replace("\"augment\": true", augmentation.replace("pcaColor", "pcaColour")))
			.andExpect(problem(400, "unknown_field"))
			.andExpect(jsonPath("$.detail").value(containsString("'hyperparameters.augmentation.pcaColour'")));
		submit(BODY.replace("\"augment\": true", augmentation.replace("\"ratio\"", "\"ratios\"")))
			.andExpect(problem(400, "unknown_field"))
			.andExpect(jsonPath("$.detail").value(containsString("'hyperparameters.augmentation.crop.ratios'")));
	}

	@Test
	void aNumberOfTheWrongTypeIs400InvalidJsonNamingTheField() throws Exception {
		submit(BODY.replace("\"epochs\": 3", "\"epochs\": \"3\"")).andExpect(problem(400, "invalid_json"))
			.andExpect(jsonPath("$.detail").value(containsString("hyperparameters.epochs")));
		submit(BODY.replace("\"epochs\": 3", "\"epochs\": 2.5")).andExpect(problem(400, "invalid_json"));
		submit(BODY.replace("\"augment\": true", "\"augment\": 1")).andExpect(problem(400, "invalid_json"));
		submit(BODY.replace("\"learningRate\": 0.001", "\"learningRate\": 1e999"))
			.andExpect(problem(400, "invalid_json"));
		verify(jobs, never()).submit(any());
	}

	@Test
	void aBodyThatIsNotJsonOrMissingIs400AndOtherMediaTypes415() throws Exception {
		submit("{\"model\": ").andExpect(problem(400, "invalid_json"));
		submit("").andExpect(problem(400, "invalid_json"));
		mvc.perform(post("/api/v1/training-jobs").contentType(MediaType.TEXT_PLAIN).content(BODY))
			.andExpect(problem(415, "unsupported_media_type"));
		verifyNoInteractions(jobs);
	}

	@Test
	void theJobsRefusalsKeepTheirStatusAndCode() throws Exception {
		when(jobs.submit(any())).thenThrow(new InvalidInputException("invalid_name", "model name 'A' must match"))
			.thenThrow(new NotFoundException("dataset_not_found", "there is no dataset 'ds-1'"))
			.thenThrow(new UnavailableException("shutting_down", "the server is shutting down", 30));

		submit(BODY).andExpect(problem(400, "invalid_name"));
		submit(BODY).andExpect(problem(404, "dataset_not_found"));
		submit(BODY).andExpect(problem(503, "shutting_down")).andExpect(header().string(HttpHeaders.RETRY_AFTER, "30"));
	}

	@Test
	void aJobShowsItsProgressHistoryAndResult() throws Exception {
		when(jobs.get("job-1")).thenReturn(job(TrainingJob.Status.SUCCEEDED));

		mvc.perform(get("/api/v1/training-jobs/job-1"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.status").value("SUCCEEDED"))
			.andExpect(jsonPath("$.progress.epoch").value(3))
			.andExpect(jsonPath("$.progress.fraction").value(1.0))
			.andExpect(jsonPath("$.history[0].valAccuracy").value(0.75))
			.andExpect(jsonPath("$.history[0].trainAccuracy").doesNotExist())
			.andExpect(jsonPath("$.resultModel").value("shapes:2"))
			.andExpect(jsonPath("$.request.hyperparameters.epochs").value(3))
			.andExpect(jsonPath("$.finishedAt").value("2026-01-02T03:14:05Z"));
	}

	@Test
	void anUnknownJobIs404() throws Exception {
		when(jobs.get("nope")).thenThrow(new NotFoundException("job_not_found", "no training job 'nope'"));

		mvc.perform(get("/api/v1/training-jobs/nope")).andExpect(problem(404, "job_not_found"));
		when(jobs.cancel("nope")).thenThrow(new NotFoundException("job_not_found", "no training job 'nope'"));
		mvc.perform(post("/api/v1/training-jobs/nope/cancel")).andExpect(problem(404, "job_not_found"));
	}

	@Test
	void listingPassesTheStatusFilterAndItsRefusal() throws Exception {
		when(jobs.list("RUNNING")).thenReturn(List.of(job(TrainingJob.Status.RUNNING)));
		when(jobs.list("DONE")).thenThrow(new InvalidInputException("invalid_status", "no status DONE"));

		mvc.perform(get("/api/v1/training-jobs").param("status", "RUNNING"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$[0].status").value("RUNNING"));
		mvc.perform(get("/api/v1/training-jobs").param("status", "DONE")).andExpect(problem(400, "invalid_status"));
	}

	@Test
	void cancellingIs202AndAFinishedJobIs409() throws Exception {
		when(jobs.cancel("job-1")).thenReturn(job(TrainingJob.Status.RUNNING));
		when(jobs.cancel("job-2")).thenThrow(new ConflictException("job_finished", "training job job-2 is SUCCEEDED"));

		mvc.perform(post("/api/v1/training-jobs/job-1/cancel"))
			.andExpect(status().isAccepted())
			.andExpect(jsonPath("$.id").value("job-1"));
		mvc.perform(post("/api/v1/training-jobs/job-2/cancel")).andExpect(problem(409, "job_finished"));
	}

	@Test
	void eventsStreamWhatTheJobsEventsSend() throws Exception {
		TrainingJob job = job(TrainingJob.Status.RUNNING);
		SseEmitter emitter = new SseEmitter();
		when(jobs.get("job-1")).thenReturn(job);
		when(events.subscribe(job)).thenReturn(emitter);

		MvcResult started = mvc.perform(get("/api/v1/training-jobs/job-1/events").accept(MediaType.TEXT_EVENT_STREAM))
			.andExpect(request().asyncStarted())
			.andReturn();
		emitter.send(SseEmitter.event().name("status").id("job-1").data("RUNNING"));
		emitter.complete();

		mvc.perform(asyncDispatch(started))
			.andExpect(status().isOk())
			.andExpect(content().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM))
			.andExpect(content().string(containsString("event:status\n")))
			.andExpect(content().string(containsString("data:RUNNING\n")));
	}

	@Test
	void eventsOfAnUnknownJobAre404WithoutSubscribing() throws Exception {
		when(jobs.get("nope")).thenThrow(new NotFoundException("job_not_found", "no training job 'nope'"));

		// an EventSource asks for text/event-stream only; the 404 must still reach it as a problem
		mvc.perform(get("/api/v1/training-jobs/nope/events").accept(MediaType.TEXT_EVENT_STREAM))
			.andExpect(problem(404, "job_not_found"));
		verifyNoInteractions(events);
	}

	private ResultActions submit(String body) throws Exception {
		return mvc.perform(post("/api/v1/training-jobs").contentType(MediaType.APPLICATION_JSON).content(body));
	}

	private static TrainingJob job(TrainingJob.Status status) throws Exception {
		TrainingRequest request = new ObjectMapper().readValue(BODY, TrainingRequest.class);
		boolean done = status == TrainingJob.Status.SUCCEEDED;
		return new TrainingJob("job-1", "shapes", Task.IMAGE_CLASSIFICATION, "resnet18", "ds-1", request, status,
				new TrainingJob.Progress(3, 3, 10, 10, 1.0, 0L),
				List.of(new TrainingJob.EpochResult(1, 0.9, 0.8, null, 0.75)), done ? "shapes:2" : null, null, "cpu",
				Instant.parse("2026-01-02T03:04:05Z"), Instant.parse("2026-01-02T03:05:05Z"),
				done ? Instant.parse("2026-01-02T03:14:05Z") : null);
	}

}
