package io.deepserve.dashboard;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/** A job started from the form is followed live over its event stream until it has SUCCEEDED. */
class DashboardTrainingTests extends BrowserTestSupport {

	private final ObjectMapper json = new ObjectMapper();

	@Test
	void aJobStartedFromTheFormShowsProgressAndCurvesUntilItSucceeds() throws Exception {
		ResponseEntity<String> sample = http.postForEntity(
				"/api/v1/datasets/samples/shapes?name=dash-shapes&classes=x,o&countPerClass=24&imageSize=32&seed=3", null,
				String.class);
		assertThat(sample.getStatusCode()).isEqualTo(HttpStatus.CREATED);
		String dataset = json.readTree(sample.getBody()).get("id").asText();

		open("training");
		waitFor(By.cssSelector("[data-testid='start-job']"));
		type("model", "dash-trained");
		new Select(browser().findElement(By.name("architecture"))).selectByValue("resnet18");
		new Select(browser().findElement(By.name("dataset"))).selectByValue(dataset);
		new Select(browser().findElement(By.name("device"))).selectByValue("cpu");
		type("epochs", "2");
		type("batchSize", "4");
		type("imageSize", "32");
		type("seed", "5");
		browser().findElement(By.cssSelector("[data-testid='start-job']")).click();

		By detail = By.cssSelector("[data-testid='job-detail']");
		By bar = By.cssSelector("[data-testid='job-detail'] [data-testid='job-progress']");
		List<Double> seen = new ArrayList<>();
		boolean shotWhileRunning = false;
		long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
		String status = "";
		while (System.nanoTime() < deadline) {
			WebElement panel = waitFor(detail);
			status = panel.getAttribute("data-status");
			List<WebElement> bars = browser().findElements(bar);
			if (!bars.isEmpty()) {
				double value = Double.parseDouble(bars.get(0).getAttribute("aria-valuenow"));
				if (seen.isEmpty() || seen.get(seen.size() - 1) != value) {
					seen.add(value);
				}
			}
			if (!shotWhileRunning && "RUNNING".equals(status)
					&& !browser().findElements(By.cssSelector("[data-testid='loss-chart']")).isEmpty()) {
				screenshot("running");
				shotWhileRunning = true;
			}
			if (List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(status)) {
				break;
			}
			Thread.sleep(100);
		}
		waitFor(By.cssSelector("[data-testid='confusion-matrix']"));
		screenshot("succeeded");
		assertThat(status).isEqualTo("SUCCEEDED");
		// the bar moved through values strictly between empty and full, in order, before ending full
		assertThat(seen).as("progress values seen").isSorted().contains(1.0);
		assertThat(seen.stream().filter(v -> v > 0 && v < 1)).as("progress values seen: " + seen).hasSizeGreaterThan(1);
		// two epochs: train and validation loss each drawn through two points
		WebElement loss = browser().findElement(By.cssSelector("[data-testid='loss-chart']"));
		assertThat(loss.findElements(By.cssSelector("path.line"))).hasSize(2)
			.allSatisfy(p -> assertThat(p.getAttribute("d").split("L")).hasSize(2));
		assertThat(browser().findElements(By.cssSelector("[data-testid='confusion-matrix'] td"))).hasSize(4);
		assertThat(browser().findElement(By.cssSelector("#job-list li[data-status='SUCCEEDED'] strong")).getText())
			.isNotEmpty();
	}

	private void type(String field, String value) {
		WebElement input = browser().findElement(By.name(field));
		input.clear();
		input.sendKeys(value);
	}

}
