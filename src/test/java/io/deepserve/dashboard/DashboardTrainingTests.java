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
		type("testSplit", "0.25");
		browser().findElement(By.cssSelector("[data-testid='start-job']")).click();

		waitFor(By.cssSelector("[data-testid='job-detail']"));
		List<Double> seen = new ArrayList<>();
		boolean shotWhileRunning = false;
		long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
		String status = "";
		while (System.nanoTime() < deadline) {
			// one snapshot per poll: the panel is redrawn as epochs end, so element handles would go stale
			List<?> state = (List<?>) js("""
					const panel = document.querySelector("[data-testid='job-detail']");
					const bar = panel.querySelector("[data-testid='job-progress']");
					return [panel.dataset.status, bar.getAttribute('aria-valuenow'),
						!!panel.querySelector("[data-testid='loss-chart']")];""");
			status = (String) state.get(0);
			double value = Double.parseDouble((String) state.get(1));
			if (seen.isEmpty() || seen.get(seen.size() - 1) != value) {
				seen.add(value);
			}
			if (!shotWhileRunning && "RUNNING".equals(status) && Boolean.TRUE.equals(state.get(2))) {
				screenshot("running");
				shotWhileRunning = true;
			}
			if (List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(status)) {
				break;
			}
			Thread.sleep(100);
		}
		screenshot("succeeded");
		assertThat(status).isEqualTo("SUCCEEDED");
		String slot = "";
		for (int i = 0; i < 100 && !slot.contains("confusion-matrix"); i++) {
			Thread.sleep(200);
			slot = (String) js("return document.querySelector('.matrix-slot').innerHTML");
		}
		assertThat(slot).as("the finished classifier's confusion matrix").contains("confusion-matrix");
		screenshot("succeeded");
		// the bar moved through values strictly between empty and full, in order, before ending full
		assertThat(seen).as("progress values seen").isSorted().contains(1.0);
		assertThat(seen.stream().filter(v -> v > 0 && v < 1)).as("progress values seen: " + seen).hasSizeGreaterThan(1);
		// two epochs: train and validation loss each drawn through two points
		WebElement loss = browser().findElement(By.cssSelector("[data-testid='loss-chart']"));
		assertThat(loss.findElements(By.cssSelector("path.line"))).hasSize(2)
			.allSatisfy(p -> assertThat(p.getAttribute("d").split("L")).hasSize(2));
		assertThat(browser().findElements(By.cssSelector("[data-testid='job-detail'] [data-testid='confusion-matrix'] td"))).hasSize(4);
		// the held-out test split: 6 of each class's 24 images, tested once with the best epoch's model
		assertThat(browser().findElement(By.cssSelector("[data-testid='job-detail'] [data-testid='test-accuracy']"))
			.getText()).matches("\\d+\\.\\d%");
		assertThat(browser().findElements(By.cssSelector("[data-testid='job-detail'] [data-testid='per-class-test-accuracy'] dt")))
			.extracting(dt -> dt.getAttribute("textContent")).containsExactly("o", "x");
		assertThat(browser().findElements(By.cssSelector("[data-testid='job-detail'] [data-testid='test-confusion-matrix'] td")))
			.extracting(td -> Integer.parseInt(td.getAttribute("textContent"))).hasSize(4).satisfies(cells ->
				assertThat(cells.stream().mapToInt(Integer::intValue).sum()).as("test images").isEqualTo(12));
		assertThat(browser().findElement(By.cssSelector("#job-list li[data-status='SUCCEEDED'] strong")).getText())
			.isNotEmpty();
	}

	@Test
	void aRefusedJobShowsTheServicesReasonNextToTheField() throws Exception {
		ResponseEntity<String> sample = http.postForEntity(
				"/api/v1/datasets/samples/shapes?name=dash-refused&classes=x,o&countPerClass=2&imageSize=32", null,
				String.class);
		String dataset = json.readTree(sample.getBody()).get("id").asText();
		open("training");
		waitFor(By.cssSelector("[data-testid='start-job']"));
		type("model", "dash-refused");
		new Select(browser().findElement(By.name("architecture"))).selectByValue("resnet18");
		new Select(browser().findElement(By.name("dataset"))).selectByValue(dataset);
		type("imageSize", "4");
		browser().findElement(By.cssSelector("[data-testid='start-job']")).click();
		WebElement problem = waitFor(By.cssSelector("[data-field='imageSize'] .problem"));
		screenshot("refused");
		assertThat(problem.findElement(By.tagName("code")).getText()).isEqualTo("image_too_small");
		assertThat(problem.getText()).contains("at least 32 pixels");
		assertThat(browser().findElements(By.cssSelector("#job-list li[data-job]")))
			.noneMatch(li -> li.getText().contains("dash-refused"));
	}

	private void type(String field, String value) {
		WebElement input = browser().findElement(By.name(field));
		input.clear();
		input.sendKeys(value);
	}

}
