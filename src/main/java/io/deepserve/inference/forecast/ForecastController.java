package io.deepserve.inference.forecast;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
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
import io.deepserve.error.InvalidInputException;
import io.deepserve.error.PayloadTooLargeException;
import io.deepserve.inference.BoundedBody;
import io.deepserve.registry.ModelVersion;
import io.deepserve.task.forecast.ForecastBands;
import io.deepserve.task.forecast.ForecastCodec;

/**
 * {@code POST /api/v1/models/{ref}/forecast} with {@code {"series": [..oldest first..], "horizon": 5}}. The version
 * is resolved before the body is read, so an unknown model costs nothing; the body is then read token by token,
 * keeping only the newest rows the version reads. It accepts the non-standard {@code NaN} and {@code Infinity}
 * tokens, so that a series holding them is refused as {@code invalid_series} by name rather than as unreadable JSON.
 */
@RestController
@Tag(name = "inference")
class ForecastController {

	private static final JsonFactory LENIENT = JsonFactory.builder()
		.enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
		.build();

	private final Forecaster forecaster;

	private final int maxValues;

	private final long maxBodyBytes;

	ForecastController(Forecaster forecaster, DeepserveProperties properties) {
		this.forecaster = forecaster;
		this.maxValues = properties.inference().maxTensorElements();
		// a number takes at most about 16 characters of JSON, plus separators
		this.maxBodyBytes = maxValues * 20L + 64 * 1024;
	}

	@PostMapping(path = "/api/v1/models/{ref}/forecast", consumes = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Forecast the next values of a series with a forecasting model version",
			requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
					content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(
							example = "{\"series\": [101.2, 102.5, 101.9], \"horizon\": 5, \"level\": 0.9}"))))
	Forecast forecast(@Parameter(description = "name, name:version or name@alias") @PathVariable String ref,
			@Parameter(hidden = true) HttpServletRequest http) throws IOException {
		ModelVersion version = forecaster.resolve(ref);
		ForecastCodec codec = ForecastCodec.of(version.forecast());
		SeriesTail series = new SeriesTail(codec.historyNeeded(), codec.features());
		Integer horizon = null;
		Double level = null;
		DateTail dates = null;
		String target = null;
		boolean seen = false;
		InputStream body = BoundedBody.open(http.getInputStream(), http.getContentLengthLong(), maxBodyBytes,
				"a forecast request");
		try (JsonParser parser = LENIENT.createParser(body)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				throw new InvalidInputException("invalid_json", "the body must be a JSON object with series and horizon");
			}
			while (parser.nextToken() == JsonToken.FIELD_NAME) {
				String field = parser.currentName();
				parser.nextToken();
				if ("series".equals(field)) {
					readSeries(parser, series, version);
					seen = true;
				}
				else if ("horizon".equals(field)) {
					horizon = horizon(parser);
				}
				else if ("level".equals(field)) {
					level = level(parser);
				}
				else if ("dates".equals(field)) {
					dates = dates(parser, codec.historyNeeded());
				}
				else if ("target".equals(field)) {
					target = target(parser);
				}
				else {
					throw new InvalidInputException("unknown_field", "unknown field '" + field
							+ "' in the forecast request; the fields there are [dates, horizon, level, series, target]");
				}
			}
		}
		catch (JacksonException ex) {
			throw new InvalidInputException("invalid_json", "the body is not JSON: " + ex.getOriginalMessage());
		}
		if (!seen) {
			throw new InvalidInputException("invalid_series", "series must be a JSON array of numbers, oldest first");
		}
		return forecaster.forecast(version.ref(), series, horizon, target, level, dates);
	}

	/** Keeps the newest {@code keep} dates; a value that is not a string is kept as one that is no date. */
	private static DateTail dates(JsonParser parser, int keep) throws IOException {
		if (parser.currentToken() != JsonToken.START_ARRAY) {
			parser.skipChildren();
			throw new InvalidInputException("invalid_dates", "dates must be a JSON array of dates such as "
					+ "\"2024-01-31\", one per series row, oldest first");
		}
		DateTail dates = new DateTail(keep);
		for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
			dates.add(token == JsonToken.VALUE_STRING ? parser.getText() : null);
			parser.skipChildren();
		}
		return dates;
	}

	private static Double level(JsonParser parser) throws IOException {
		JsonToken token = parser.currentToken();
		if (token == JsonToken.VALUE_NULL) {
			return null;
		}
		if (token.isNumeric() && ForecastBands.LEVELS.contains(parser.getDoubleValue())) {
			return parser.getDoubleValue();
		}
		String text = parser.getText();
		parser.skipChildren();
		throw new InvalidInputException("invalid_level", "level must be one of " + ForecastBands.LEVELS + ", not "
				+ text);
	}

	private void readSeries(JsonParser parser, SeriesTail series, ModelVersion version) throws IOException {
		if (parser.currentToken() != JsonToken.START_ARRAY) {
			throw new InvalidInputException("invalid_series", "series must be a JSON array of numbers, oldest first");
		}
		int features = series.features();
		for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
			if ((long) (series.length() + 1) * features > maxValues) {
				throw new PayloadTooLargeException("the series holds more than "
						+ "deepserve.inference.max-tensor-elements (" + maxValues + ") numbers; send the newest "
						+ ForecastCodec.of(version.forecast()).historyNeeded() + " rows, which is all "
						+ version.ref() + " reads");
			}
			if (features == 1) {
				if (token.isNumeric()) {
					series.add(new double[] { parser.getDoubleValue() });
				}
				else {
					series.fault(describe(parser) + ", not a number");
				}
				continue;
			}
			if (token != JsonToken.START_ARRAY) {
				series.fault(describe(parser));
				continue;
			}
			double[] row = new double[features];
			int columns = 0;
			String fault = null;
			for (JsonToken value = parser.nextToken(); value != JsonToken.END_ARRAY; value = parser.nextToken()) {
				if (fault == null && value.isNumeric() && columns < features) {
					row[columns++] = parser.getDoubleValue();
				}
				else {
					fault = "a row that is not " + features + " numbers";
					parser.skipChildren();
				}
			}
			if (fault == null && columns < features) {
				fault = "a row of " + columns + " numbers";
			}
			if (fault != null) {
				series.fault(fault);
			}
			else {
				series.add(row);
			}
		}
	}

	/** What a value that is no number was, for the message; skips it. */
	private static String describe(JsonParser parser) throws IOException {
		JsonToken token = parser.currentToken();
		parser.skipChildren();
		return switch (token) {
			case START_ARRAY -> "an array";
			case START_OBJECT -> "an object";
			case VALUE_STRING -> "\"" + parser.getText() + "\"";
			default -> parser.getText();
		};
	}

	/** A global model's series by name; a single-series model accepts its own target's name. */
	private static String target(JsonParser parser) throws IOException {
		JsonToken token = parser.currentToken();
		if (token == JsonToken.VALUE_NULL) {
			return null;
		}
		if (token != JsonToken.VALUE_STRING) {
			String text = parser.getText();
			parser.skipChildren();
			throw new InvalidInputException("unknown_target", "target must be the name of a series, not " + text);
		}
		return parser.getText();
	}

	private static Integer horizon(JsonParser parser) throws IOException {
		JsonToken token = parser.currentToken();
		if (token == JsonToken.VALUE_NULL) {
			return null;
		}
		if (token.isNumeric()) {
			double value = parser.getDoubleValue();
			if (value == Math.rint(value) && value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
				return (int) value;
			}
		}
		String text = parser.getText();
		parser.skipChildren();
		throw new InvalidInputException("invalid_horizon", "horizon must be a whole number, not " + text);
	}

}
