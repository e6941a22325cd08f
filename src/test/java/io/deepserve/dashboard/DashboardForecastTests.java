package io.deepserve.dashboard;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A forecast plotted over its history, with its band. Needs forecaster training and {@code /forecast} from the
 * forecasting issue: until they are on main the job is refused and this test fails saying so.
 */
class DashboardForecastTests extends BrowserTestSupport {

	private static final int HORIZON = 5;

	private final ObjectMapper json = new ObjectMapper();

	@Test
	void aForecastIsPlottedWithItsHistoryAndBands() throws Exception {
		trainForecaster("dash-sine");
		open("try");
		new Select(waitFor(By.cssSelector("select[name='forecast-model']"))).selectByValue("dash-sine:1");
		browser().findElement(By.cssSelector("[data-testid='forecast-sine']")).click();
		browser().findElement(By.cssSelector("[data-testid='forecast-go']")).click();
		WebElement chart = waitFor(By.cssSelector("[data-testid='forecast-chart']"), Duration.ofSeconds(30));
		screenshot("forecast");
		// the forecast line starts at the last observed point, then one point per step ahead
		String forecast = chart.findElement(By.cssSelector("path.line[data-series='forecast']")).getAttribute("d");
		assertThat(forecast.split("L")).hasSize(HORIZON + 1);
		assertThat(chart.findElement(By.cssSelector("path.line[data-series='history']")).getAttribute("d").split("L"))
			.hasSizeGreaterThan(HORIZON);
		assertThat(chart.findElements(By.cssSelector("path.band"))).hasSize(1);
	}

	private void trainForecaster(String model) throws Exception {
		ResponseEntity<String> sine = http.postForEntity("/api/v1/datasets/samples/sine?name=dash-sine&rows=200", null,
				String.class);
		assertThat(sine.getStatusCode()).isEqualTo(HttpStatus.CREATED);
		String body = """
				{"model": "%s", "task": "forecasting", "architecture": "lstm", "dataset": "%s", "target": "value",
				 "hyperparameters": {"window": 24, "horizon": %d, "hiddenSize": 16, "layers": 1, "epochs": 2,
				   "batchSize": 16, "learningRate": 0.01, "seed": 3}, "device": "cpu"}"""
			.formatted(model, json.readTree(sine.getBody()).get("id").asText(), HORIZON);
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		ResponseEntity<String> job = http.postForEntity("/api/v1/training-jobs", new HttpEntity<>(body, headers),
				String.class);
		assertThat(job.getStatusCode()).as("forecaster training (forecasting issue): " + job.getBody())
			.isEqualTo(HttpStatus.ACCEPTED);
		String id = json.readTree(job.getBody()).get("id").asText();
		long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
		JsonNode state;
		do {
			Thread.sleep(300);
			state = json.readTree(http.getForObject("/api/v1/training-jobs/" + id, String.class));
		}
		while (!state.get("status").asText().matches("SUCCEEDED|FAILED|CANCELLED") && System.nanoTime() < deadline);
		assertThat(state.get("status").asText()).as(state.toString()).isEqualTo("SUCCEEDED");
	}

}
