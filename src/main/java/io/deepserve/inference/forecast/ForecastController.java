package io.deepserve.inference.forecast;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.DeepserveException;
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.PayloadTooLargeException;

/**
 * {@code POST /api/v1/models/{ref}/forecast} with {@code {"series": [..oldest first..], "horizon": 5}}. The body is
 * parsed here, accepting the non-standard {@code NaN} and {@code Infinity} tokens, so that a series holding them is
 * refused as {@code invalid_series} by name rather than as unreadable JSON.
 */
@RestController
@Tag(name = "inference")
class ForecastController {

	private static final ObjectMapper LENIENT = JsonMapper.builder()
		.enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
		.build();

	private final Forecaster forecaster;

	private final long maxBodyBytes;

	ForecastController(Forecaster forecaster, DeepserveProperties properties) {
		this.forecaster = forecaster;
		this.maxBodyBytes = properties.inference().maxTensorElements() * 20L;
	}

	@PostMapping(path = "/api/v1/models/{ref}/forecast", consumes = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Forecast the next values of a series with a forecasting model version",
			requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
					content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(
							example = "{\"series\": [101.2, 102.5, 101.9], \"horizon\": 5}"))))
	Forecast forecast(@Parameter(description = "name, name:version or name@alias") @PathVariable String ref,
			@Parameter(hidden = true) HttpServletRequest http) throws IOException {
		byte[] body = read(http);
		JsonNode request;
		try (JsonParser parser = LENIENT.createParser(body)) {
			request = LENIENT.readTree(parser);
		}
		catch (JsonProcessingException ex) {
			throw new InvalidInputException("invalid_json", "the body is not JSON: " + ex.getOriginalMessage());
		}
		catch (IOException ex) {
			throw new InvalidInputException("invalid_json", "the body could not be read: " + ex.getMessage());
		}
		if (request == null || !request.isObject()) {
			throw new InvalidInputException("invalid_json", "the body must be a JSON object with series and horizon");
		}
		JsonNode horizon = request.get("horizon");
		Integer steps = null;
		if (horizon != null && !horizon.isNull()) {
			if (!horizon.canConvertToExactIntegral() || !horizon.canConvertToInt()) {
				throw new InvalidInputException("invalid_horizon", "horizon must be a whole number, not " + horizon);
			}
			steps = horizon.intValue();
		}
		return forecaster.forecast(ref, request.get("series"), steps);
	}

	/** Reads at most the limit, whatever Content-Length claimed (chunked bodies declare none). */
	private byte[] read(HttpServletRequest http) throws IOException {
		if (http.getContentLengthLong() > maxBodyBytes) {
			throw tooLarge();
		}
		try (InputStream in = http.getInputStream()) {
			byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
			if (bytes.length > maxBodyBytes) {
				throw tooLarge();
			}
			return bytes;
		}
	}

	private DeepserveException tooLarge() {
		return new PayloadTooLargeException("the request is larger than " + maxBodyBytes
				+ " bytes (20 per element of deepserve.inference.max-tensor-elements)");
	}

}
