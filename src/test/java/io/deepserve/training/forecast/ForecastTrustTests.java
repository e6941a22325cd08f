package io.deepserve.training.forecast;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import io.deepserve.ApplicationTestSupport;

import static io.deepserve.training.forecast.ForecastHttp.forecast;
import static io.deepserve.training.forecast.ForecastHttp.jsonEntity;
import static io.deepserve.training.forecast.ForecastHttp.train;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tiny forecaster on a dated random walk with a missing close, end to end: the missing policy, the automatic
 * transform, no claim of beating naive and the warning that says so, calibrated bands per level, dates, the refit.
 */
class ForecastTrustTests extends ApplicationTestSupport {

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final int ROWS = 400;

	@Test
	void aRandomWalkIsNotReportedAsBeatenAndItsForecastSaysSo() throws Exception {
		List<LocalDate> dates = businessDays(LocalDate.of(2023, 1, 2), ROWS);
		String dataset = ForecastHttp.upload(http, "fc-trust-walk", walk(dates, 11));

		String tiny = "\"window\":10,\"horizon\":3,\"hiddenSize\":8,\"layers\":1,\"epochs\":2,\"batchSize\":64";
		ResponseEntity<String> refused = http.postForEntity("/api/v1/training-jobs", jsonEntity(job("fc-trust",
				dataset, "{" + tiny + "}")), String.class);
		assertThat(refused.getStatusCode()).as(refused.getBody()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(JSON.readTree(refused.getBody()).get("code").asText()).isEqualTo("missing_values");
		ResponseEntity<String> misspelt = http.postForEntity("/api/v1/training-jobs", jsonEntity(job("fc-trust",
				dataset, "{" + tiny + ",\"targetTransfrom\":\"none\"}")), String.class);
		assertThat(JSON.readTree(misspelt.getBody()).get("code").asText()).as(misspelt.getBody())
			.isEqualTo("unknown_field");

		JsonNode job = train(http, "fc-trust", "rnn", dataset, "{" + tiny + ",\"missing\":\"ffill\",\"refit\":true}");
		assertThat(job.get("status").asText()).as(job.toString()).isEqualTo("SUCCEEDED");
		assertThat(job.get("history")).as("the refit adds no epochs to the history").hasSize(2);
		JsonNode version = JSON.readTree(http.getForObject("/api/v1/models/fc-trust/versions/1", String.class));
		JsonNode metrics = version.get("metrics");
		assertThat(metrics.get("beatsNaive").asBoolean()).as(metrics.toString()).isFalse();
		assertThat(metrics.get("relativeMae").isNumber()).isTrue();
		JsonNode vsNaive = metrics.get("significance").get("naive");
		assertThat(vsNaive.get("byHorizon")).hasSize(3);
		assertThat(vsNaive.get("pValue").asDouble()).isBetween(0.0, 1.0);
		assertThat(metrics.get("targetTransform").get("requested").asText()).isEqualTo("auto");
		assertThat(metrics.get("targetTransform").get("chosen").asText())
			.isEqualTo(version.get("forecast").get("targetTransform").asText());
		assertThat(metrics.get("missing").get("rowsRead").asInt()).isEqualTo(ROWS);
		assertThat(metrics.get("refit").get("rows").asInt()).isEqualTo(ROWS);
		assertThat(metrics.get("dates").get("frequency").asText()).isEqualTo("business-day");
		JsonNode coverage = metrics.get("backtest").get("bandCoverage");
		assertThat(coverage.get("0.9").get("byHorizon")).hasSize(3);
		assertThat(coverage.get("0.8").get("overall").asDouble())
			.isLessThanOrEqualTo(coverage.get("0.95").get("overall").asDouble());

		String series = series(walkValues(11), 15);
		JsonNode wide = answer("{\"series\":" + series + ",\"level\":0.95}");
		JsonNode narrow = answer("{\"series\":" + series + ",\"level\":0.8}");
		assertThat(wide.get("warnings").get(0).get("code").asText())
			.isIn("worse_than_naive", "not_significantly_better_than_naive");
		assertThat(wide.get("level").asDouble()).isEqualTo(0.95);
		for (int k = 0; k < 3; k++) {
			assertThat(wide.get("lower").get(k).asDouble()).isLessThan(narrow.get("lower").get(k).asDouble());
			assertThat(wide.get("upper").get(k).asDouble()).isGreaterThan(narrow.get("upper").get(k).asDouble());
		}
		// the last training date is a Friday's neighbour: the version continues from it, skipping weekends
		LocalDate last = dates.get(ROWS - 1);
		assertThat(wide.get("dates").get(0).asText()).isEqualTo(businessDays(last, 2).get(1).toString());

		List<LocalDate> own = businessDays(LocalDate.of(2030, 1, 7), 15);
		JsonNode dated = answer("{\"series\":" + series + ",\"dates\":" + JSON.writeValueAsString(own.stream()
			.map(LocalDate::toString).toList()) + "}");
		assertThat(dated.get("dates").toString()).isEqualTo(JSON.writeValueAsString(businessDays(own.get(14), 4)
			.subList(1, 4).stream().map(LocalDate::toString).toList()));
		assertThat(dated.get("level").asDouble()).isEqualTo(0.9);

		List<String> gap = new ArrayList<>(own.stream().map(LocalDate::toString).toList());
		gap.set(14, "2030-03-01");
		assertCode(forecast(http, "fc-trust", "{\"series\":" + series + ",\"dates\":" + JSON.writeValueAsString(gap)
				+ "}"), "date_gap");
		gap.set(14, gap.get(13));
		assertCode(forecast(http, "fc-trust", "{\"series\":" + series + ",\"dates\":" + JSON.writeValueAsString(gap)
				+ "}"), "duplicate_dates");
		assertCode(forecast(http, "fc-trust", "{\"series\":" + series + ",\"dates\":[\"2030-01-07\"]}"),
				"invalid_dates");
		assertCode(forecast(http, "fc-trust", "{\"series\":" + series + ",\"level\":0.5}"), "invalid_level");

		backtestsOnNewData(walkValues(12));
	}

	/** The backtest endpoint on a walk the version never saw: forecasts per origin as /forecast makes them. */
	private void backtestsOnNewData(double[] walk) throws Exception {
		String values = JSON.writeValueAsString(walk);
		ResponseEntity<String> response = backtest("{\"series\":" + values + ",\"origins\":30}");
		assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.OK);
		JsonNode body = JSON.readTree(response.getBody());
		assertThat(body.get("model").asText()).isEqualTo("fc-trust:1");
		assertThat(body.get("forecasts")).hasSize(30);
		JsonNode firstOrigin = body.get("forecasts").get(0);
		int row = firstOrigin.get("row").asInt();
		assertThat(row).isEqualTo(ROWS - 3 - 30 + 1);
		assertThat(firstOrigin.get("actual").get(0).asDouble()).isEqualTo(walk[row]);
		JsonNode same = answer("{\"series\":" + JSON.writeValueAsString(java.util.Arrays.copyOfRange(walk, 0, row))
				+ "}");
		for (int k = 0; k < 3; k++) {
			// float32 in a batch of many against a batch of one
			assertThat(firstOrigin.get("forecast").get(k).asDouble())
				.isCloseTo(same.get("forecast").get(k).asDouble(), org.assertj.core.api.Assertions.within(1e-4));
		}
		double naiveMae = 0;
		for (int i = 0; i < 30; i++) {
			for (int k = 0; k < 3; k++) {
				naiveMae += Math.abs(walk[row + i + k] - walk[row + i - 1]) / 90;
			}
		}
		JsonNode metrics = body.get("metrics");
		assertThat(metrics.get("naive").get("mae").asDouble()).isCloseTo(naiveMae,
				org.assertj.core.api.Assertions.within(1e-9));
		assertThat(metrics.get("beatsNaive").asBoolean()).isFalse();
		assertThat(metrics.get("significance").get("naive").get("pValue").isNumber()).isTrue();
		assertThat(metrics.get("bandCoverage").get("0.95").get("byHorizon")).hasSize(3);

		assertCode(backtest("{\"series\":" + values + ",\"origins\":1}"), "invalid_origins");
		assertCode(backtest("{\"series\":" + values + ",\"origins\":100000}"), "invalid_origins");
		assertCode(backtest("{\"series\":" + values + ",\"origins\":30,\"horizon\":4}"), "invalid_horizon");
		assertCode(backtest("{\"series\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15],\"origins\":30}"),
				"series_too_short");
		assertCode(backtest("{\"series\":" + values + ",\"origins\":30,\"orgins\":3}"), "unknown_field");
		assertCode(backtest("{\"series\":" + values + ",\"origins\":30,\"dates\":[\"2024-01-01\"]}"),
				"invalid_dates");
	}

	private ResponseEntity<String> backtest(String body) {
		return http.postForEntity("/api/v1/models/fc-trust/backtest", jsonEntity(body), String.class);
	}

	private JsonNode answer(String body) throws Exception {
		ResponseEntity<String> answer = forecast(http, "fc-trust", body);
		assertThat(answer.getStatusCode()).as(answer.getBody()).isEqualTo(HttpStatus.OK);
		return JSON.readTree(answer.getBody());
	}

	private static void assertCode(ResponseEntity<String> response, String code) throws Exception {
		assertThat(response.getStatusCode()).as(response.getBody()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(JSON.readTree(response.getBody()).get("code").asText()).isEqualTo(code);
	}

	private static String job(String model, String dataset, String hyperparameters) {
		return "{\"model\":\"" + model + "\",\"task\":\"forecasting\",\"architecture\":\"rnn\",\"dataset\":\""
				+ dataset + "\",\"target\":\"value\",\"hyperparameters\":" + hyperparameters + "}";
	}

	private static List<LocalDate> businessDays(LocalDate from, int count) {
		List<LocalDate> dates = new ArrayList<>();
		for (LocalDate d = from; dates.size() < count; d = d.plusDays(1)) {
			if (d.getDayOfWeek() != DayOfWeek.SATURDAY && d.getDayOfWeek() != DayOfWeek.SUNDAY) {
				dates.add(d);
			}
		}
		return dates;
	}

	private static double[] walkValues(long seed) {
		Random random = new Random(seed);
		double[] values = new double[ROWS];
		values[0] = 100;
		for (int t = 1; t < ROWS; t++) {
			values[t] = values[t - 1] + random.nextGaussian();
		}
		return values;
	}

	/** The walk as a CSV, with the close of row 50 missing. */
	private static String walk(List<LocalDate> dates, long seed) {
		double[] values = walkValues(seed);
		StringBuilder csv = new StringBuilder("date,value\n");
		for (int t = 0; t < ROWS; t++) {
			csv.append(dates.get(t)).append(',').append(t == 50 ? "NA" : String.format(Locale.ROOT, "%.4f",
					values[t])).append('\n');
		}
		return csv.toString();
	}

	private static String series(double[] values, int newest) throws Exception {
		return JSON.writeValueAsString(java.util.Arrays.copyOfRange(values, values.length - newest, values.length));
	}

}
