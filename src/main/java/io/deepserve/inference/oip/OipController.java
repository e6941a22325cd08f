package io.deepserve.inference.oip;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.PayloadTooLargeException;

/**
 * Open Inference Protocol v2 (KServe) REST endpoints, so KServe and Triton clients work unchanged. Server
 * readiness is the same as {@code /actuator/health/readiness}; a model is ready when it can take requests (it loads
 * on first use if it is not in memory yet).
 */
@RestController
@Tag(name = "open inference protocol", description = "KServe v2 REST: health, model metadata and tensor inference")
class OipController {

	private final OipService oip;

	private final HealthEndpoint health;

	private final ObjectMapper json;

	private final long maxBodyBytes;

	private final String version;

	OipController(OipService oip, HealthEndpoint health, ObjectMapper json, DeepserveProperties properties,
			ObjectProvider<BuildProperties> build) {
		this.oip = oip;
		this.health = health;
		this.json = json;
		// a number takes at most about 16 characters of JSON, plus separators
		this.maxBodyBytes = properties.inference().maxTensorElements() * 20L;
		BuildProperties info = build.getIfAvailable();
		this.version = info != null ? info.getVersion() : "dev";
	}

	@GetMapping("/v2")
	Map<String, Object> server() {
		return Map.of("name", "deepserve", "version", version, "extensions", List.of());
	}

	@GetMapping("/v2/health/live")
	Map<String, Object> live() {
		return Map.of("live", true);
	}

	@GetMapping("/v2/health/ready")
	ResponseEntity<Map<String, Object>> ready() {
		HealthComponent readiness = health.healthForPath("readiness");
		boolean up = readiness != null && Status.UP.equals(readiness.getStatus());
		return ResponseEntity.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("ready", up));
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
		return oip.infer(name, null, body(request));
	}

	@PostMapping(path = "/v2/models/{name}/versions/{version}/infer", consumes = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Run a KServe v2 inference request on one version",
			requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
					content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE)))
	Map<String, Object> infer(@PathVariable String name, @PathVariable int version,
			@Parameter(hidden = true) HttpServletRequest request) throws IOException {
		return oip.infer(name, version, body(request));
	}

	/** Reads the JSON within a byte bound: a tensor too large for memory is refused before it is parsed. */
	private JsonNode body(HttpServletRequest request) throws IOException {
		if (request.getContentLengthLong() > maxBodyBytes) {
			throw tooLarge();
		}
		try (InputStream in = request.getInputStream()) {
			byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
			if (bytes.length > maxBodyBytes) {
				throw tooLarge();
			}
			return json.readTree(bytes);
		}
		catch (JacksonException ex) {
			throw new InvalidInputException("invalid_json", "the body is not valid JSON");
		}
	}

	private DeepserveException tooLarge() {
		return new PayloadTooLargeException("the request is larger than " + maxBodyBytes
				+ " bytes (20 per element of deepserve.inference.max-tensor-elements)");
	}

}
