package io.deepserve.inference.oip;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.info.BuildProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Open Inference Protocol v2 (KServe) REST endpoints, so KServe and Triton clients work unchanged. Server
 * liveness and readiness are the same as {@code /actuator/health/liveness} and {@code readiness}; a model is ready
 * when it can take requests (it loads on first use if it is not in memory yet).
 */
@RestController
@Tag(name = "open inference protocol", description = "KServe v2 REST: health, model metadata and tensor inference")
class OipController {

	private final OipService oip;

	private final HealthEndpoint health;

	private final String version;

	OipController(OipService oip, HealthEndpoint health, ObjectProvider<BuildProperties> build) {
		this.oip = oip;
		this.health = health;
		BuildProperties info = build.getIfAvailable();
		this.version = info != null ? info.getVersion() : "dev";
	}

	@GetMapping("/v2")
	Map<String, Object> server() {
		return Map.of("name", "deepserve", "version", version, "extensions", List.of());
	}

	@GetMapping("/v2/health/live")
	ResponseEntity<Map<String, Object>> live() {
		return probe("liveness", "live");
	}

	@GetMapping("/v2/health/ready")
	ResponseEntity<Map<String, Object>> ready() {
		return probe("readiness", "ready");
	}

	private ResponseEntity<Map<String, Object>> probe(String group, String field) {
		HealthComponent state = health.healthForPath(group);
		boolean up = state != null && Status.UP.equals(state.getStatus());
		return ResponseEntity.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(Map.of(field, up));
	}

	@GetMapping("/v2/models/{name}")
	Map<String, Object> metadata(@PathVariable String name) {
		return oip.metadata(name, null);
	}

	@GetMapping("/v2/models/{name}/versions/{version}")
	Map<String, Object> metadata(@PathVariable String name, @PathVariable int version) {
		return oip.metadata(name, version);
	}

	@GetMapping("/v2/models/{name}/ready")
	Map<String, Object> modelReady(@PathVariable String name) {
		return oip.ready(name, null);
	}

	@GetMapping("/v2/models/{name}/versions/{version}/ready")
	Map<String, Object> modelReady(@PathVariable String name, @PathVariable int version) {
		return oip.ready(name, version);
	}

	@PostMapping(path = "/v2/models/{name}/infer", consumes = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Run a KServe v2 inference request (JSON tensors)",
			requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
					content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE)))
	Map<String, Object> infer(@PathVariable String name, @Parameter(hidden = true) HttpServletRequest request)
			throws IOException {
		return oip.infer(name, null, request.getInputStream(), request.getContentLengthLong());
	}

	@PostMapping(path = "/v2/models/{name}/versions/{version}/infer", consumes = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Run a KServe v2 inference request on one version",
			requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
					content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE)))
	Map<String, Object> infer(@PathVariable String name, @PathVariable int version,
			@Parameter(hidden = true) HttpServletRequest request) throws IOException {
		return oip.infer(name, version, request.getInputStream(), request.getContentLengthLong());
	}

}
