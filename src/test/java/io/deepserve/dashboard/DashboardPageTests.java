package io.deepserve.dashboard;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deepserve.inference.Images;
import io.deepserve.registry.RegistryHttp;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard in a real browser: every tab loads cleanly, an alias moves, an image is classified, a sample is made. */
class DashboardPageTests extends BrowserTestSupport {

	private final ObjectMapper json = new ObjectMapper();

	@Test
	void everyTabLoadsWithoutConsoleErrors() throws Exception {
		importTiny("dash-page");
		// a service still loading its engine rightly answers readiness with a 503, which the browser logs
		awaitReady();
		open("models");
		waitFor(By.cssSelector("#model-list li[data-model='dash-page']")).click();
		waitFor(By.cssSelector("[data-testid='sha256']"));
		screenshot("models");
		open("training");
		waitFor(By.cssSelector("[data-testid='start-job']"));
		screenshot("training");
		open("try");
		waitFor(By.cssSelector(".dropzone"));
		screenshot("try");
		open("datasets");
		waitFor(By.cssSelector("[data-testid='sample-shapes']"));
		screenshot("datasets");
		assertThat(consoleErrors()).isEmpty();
	}

	@Test
	void anAliasSwitchedFromThePageShowsUp() throws Exception {
		importTiny("dash-alias");
		importTiny("dash-alias");
		open("models");
		waitFor(By.cssSelector("#model-list li[data-model='dash-alias']")).click();
		WebElement alias = waitFor(By.cssSelector(".alias-form input[name='alias']"));
		alias.clear();
		alias.sendKeys("production");
		new Select(browser().findElement(By.cssSelector(".alias-form select[name='version']"))).selectByValue("2");
		browser().findElement(By.cssSelector("[data-testid='alias-switch']")).click();
		waitFor(By.id("confirm-ok")).click();
		waitFor(By.cssSelector("[data-testid='alias-chips'] [data-alias='production'][data-version='2']"));
		screenshot("alias-switched");
		JsonNode model = json.readTree(http.getForObject("/api/v1/models/dash-alias", String.class));
		assertThat(model.at("/aliases/production").asInt()).isEqualTo(2);
		assertThat(browser().findElements(By.cssSelector("#model-list li[data-model='dash-alias'] .chip")))
			.extracting(WebElement::getText)
			.containsExactly("production→2");
	}

	@Test
	void aDroppedImageIsClassified() throws Exception {
		importTiny("dash-classify");
		Path png = Files.createTempFile("dash-", ".png");
		Files.write(png, Images.encode(Images.solid(48, 48, Color.ORANGE, BufferedImage.TYPE_INT_RGB), "png"));
		open("try");
		Select model = new Select(waitFor(By.cssSelector("select[name='classify-model']")));
		model.selectByValue("dash-classify:1");
		// WebDriver cannot drag a file from the desktop: dispatch the drop a browser would, a File in a DataTransfer
		js("""
				const bytes = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0));
				const data = new DataTransfer();
				data.items.add(new File([bytes], 'orange.png', { type: 'image/png' }));
				const zone = document.querySelector('.dropzone');
				zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
				zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));""",
				Base64.getEncoder().encodeToString(Files.readAllBytes(png)));
		List<WebElement> bars = waitUntil(Duration.ofSeconds(30),
				d -> {
					List<WebElement> found = d.findElements(By.cssSelector("[data-testid='prediction-bars'] li"));
					return found.isEmpty() ? null : found;
				});
		screenshot("classified");
		assertThat(bars).hasSize(3);
		assertThat(browser().findElement(By.cssSelector("[data-testid='classify-model']")).getText())
			.isEqualTo("dash-classify:1");
		double total = bars.stream()
			.mapToDouble(li -> Double.parseDouble(li.findElement(By.className("bar-value")).getText().replace("%", "")))
			.sum();
		assertThat(total).isBetween(99.0, 101.0);
		assertThat(browser().findElement(By.cssSelector("[data-testid='classify-timings']")).getText())
			.contains("inference").contains("ms");
		Files.delete(png);
	}

	@Test
	void aSampleGeneratedFromThePageShowsItsClassCounts() {
		open("datasets");
		WebElement perClass = waitFor(By.cssSelector("input[name='countPerClass']"));
		perClass.clear();
		perClass.sendKeys("3");
		WebElement size = browser().findElement(By.cssSelector("input[name='imageSize']"));
		size.clear();
		size.sendKeys("32");
		int before = browser().findElements(By.cssSelector("[data-testid='class-counts']")).size();
		browser().findElement(By.cssSelector("[data-testid='sample-shapes']")).click();
		List<WebElement> lists = waitUntil(Duration.ofSeconds(30), d -> {
			List<WebElement> found = d.findElements(By.cssSelector("[data-testid='class-counts']"));
			return found.size() > before ? found : null;
		});
		screenshot("sample");
		assertThat(lists.get(0).findElements(By.className("bar-value"))).isNotEmpty()
			.allSatisfy(v -> assertThat(v.getText()).isEqualTo("3"));
	}

	@Test
	void anInt8VersionShowsHowItAgreedWithItsFloat32Version() throws Exception {
		importTiny("dash-int8");
		ResponseEntity<String> shapes = http.postForEntity(
				"/api/v1/datasets/samples/shapes?name=dash-int8-shapes&countPerClass=4&imageSize=32", null, String.class);
		assertThat(shapes.getStatusCode()).as(shapes.getBody()).isEqualTo(HttpStatus.CREATED);
		byte[] int8;
		try (var in = getClass().getResourceAsStream("/fixtures/int8-tiny-classifier.pt")) {
			int8 = in.readAllBytes();
		}
		ResponseEntity<String> created = RegistryHttp.importVersion(http, "dash-int8", int8, Images.tinyMetadata(
				"{\"precision\": \"int8\", \"agreementReference\": \"dash-int8:1\", \"agreementDataset\": "
						+ "\"dash-int8-shapes\", \"minAgreement\": 0.9}"));
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
		assertThat(Images.probabilities(http, "dash-int8:2", Images.encode(Images.pattern(40, 40, 1), "png")))
			.hasSize(3);
		open("models");
		waitFor(By.cssSelector("#model-list li[data-model='dash-int8']")).click();
		waitFor(By.cssSelector("tr[data-version='2']")).click();
		// the JavaScript fills the agreement in once the version's OIP metadata answers; the page may re-render
		String agreement = waitUntil(Duration.ofSeconds(20), d -> js("const e = document.querySelector("
				+ "\"[data-testid='agreement']\"); return e && e.textContent.startsWith('Picks') ? e.textContent : null;"))
			.toString();

		assertThat(browser().findElement(By.cssSelector("[data-testid='precision']")).getText()).isEqualTo("int8");
		assertThat(agreement).contains("% of 24 held-out images", "max |Δp|");
		assertThat(consoleErrors()).isEmpty();
	}

	private void awaitReady() throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (!http.getForEntity("/actuator/health/readiness", String.class).getStatusCode().is2xxSuccessful()) {
			assertThat(System.nanoTime()).as("readiness UP within a minute").isLessThan(deadline);
			Thread.sleep(200);
		}
	}

	private void importTiny(String name) throws Exception {
		ResponseEntity<String> created = RegistryHttp.importVersion(http, name, Images.tinyTorchScript(),
				Images.tinyMetadata(null));
		assertThat(created.getStatusCode()).as(created.getBody()).isEqualTo(HttpStatus.CREATED);
	}

}
