package io.deepserve.inference.forecast;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import io.deepserve.config.DeepserveProperties;
import io.deepserve.error.NotFoundException;
import io.deepserve.registry.ArtifactFormat;
import io.deepserve.registry.ForecastSpec;
import io.deepserve.registry.ModelVersion;
import io.deepserve.registry.Task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * How {@code /forecast} reads its body: only after the version is known, keeping only the rows that version reads,
 * and within {@code max-tensor-elements}.
 */
@WebMvcTest(ForecastController.class)
@EnableConfigurationProperties(DeepserveProperties.class)
@TestPropertySource(properties = "deepserve.inference.max-tensor-elements=1000")
class ForecastBodyTests {

	@Autowired
	MockMvc mvc;

	@MockitoBean
	Forecaster forecaster;

	@Test
	void anUnknownModelIs404BeforeItsBodyIsRead() throws Exception {
		when(forecaster.resolve("nope")).thenThrow(new NotFoundException("model_not_found", "no model nope"));

		mvc.perform(post("/api/v1/models/nope/forecast").contentType(MediaType.APPLICATION_JSON).content("{{{ not json"))
			.andExpect(status().isNotFound())
			.andExpect(jsonPath("$.code").value("model_not_found"));
	}

	@Test
	void onlyTheNewestRowsTheVersionReadsAreKept() throws Exception {
		when(forecaster.resolve("fc")).thenReturn(version(3));

		mvc.perform(post("/api/v1/models/fc/forecast").contentType(MediaType.APPLICATION_JSON)
			.content("{\"horizon\": 2.0, \"series\": [\"old\", null, [1], 4, 5, 6, 7]}"))
			.andExpect(status().isOk());

		ArgumentCaptor<SeriesTail> series = ArgumentCaptor.forClass(SeriesTail.class);
		verify(forecaster).forecast(eq("fc:1"), series.capture(), eq(2), isNull(), isNull(), isNull());
		SeriesTail tail = series.getValue();
		assertThat(tail.length()).isEqualTo(7);
		assertThat(tail.kept()).isEqualTo(3);
		assertThat(new double[] { tail.row(0)[0], tail.row(1)[0], tail.row(2)[0] }).containsExactly(5, 6, 7);
		assertThat(tail.index(0)).isEqualTo(4);
	}

	@Test
	void aSeriesOverTheElementLimitIs413WithoutReachingTheModel() throws Exception {
		when(forecaster.resolve("fc")).thenReturn(version(3));
		String series = "1,".repeat(1000) + "1";

		mvc.perform(post("/api/v1/models/fc/forecast").contentType(MediaType.APPLICATION_JSON)
			.content("{\"series\": [" + series + "]}"))
			.andExpect(status().isPayloadTooLarge())
			.andExpect(jsonPath("$.code").value("payload_too_large"));
		verify(forecaster, never()).forecast(any(), any(), any(), any(), any(), any());
	}

	@Test
	void aLevelOutsideTheCalibratedOnesIs400AndDatesAreKeptLikeTheSeries() throws Exception {
		when(forecaster.resolve("fc")).thenReturn(version(3));
		for (String level : java.util.List.of("0.85", "\"0.9\"", "1", "[0.9]")) {
			mvc.perform(post("/api/v1/models/fc/forecast").contentType(MediaType.APPLICATION_JSON)
				.content("{\"series\": [1, 2, 3], \"level\": " + level + "}"))
				.andExpect(status().isBadRequest())
				.andExpect(jsonPath("$.code").value("invalid_level"));
		}
		verify(forecaster, never()).forecast(any(), any(), any(), any(), any(), any());

		mvc.perform(post("/api/v1/models/fc/forecast").contentType(MediaType.APPLICATION_JSON)
			.content("{\"series\": [1, 2, 3, 4], \"level\": 0.95, \"dates\": [\"2024-01-01\", 5, \"2024-01-03\", "
					+ "\"2024-01-04\"]}"))
			.andExpect(status().isOk());
		ArgumentCaptor<DateTail> dates = ArgumentCaptor.forClass(DateTail.class);
		verify(forecaster).forecast(eq("fc:1"), any(), isNull(), isNull(), eq(0.95), dates.capture());
		assertThat(dates.getValue().length()).isEqualTo(4);
		assertThat(dates.getValue().kept()).containsExactly("", "2024-01-03", "2024-01-04");
	}

	@Test
	void anUnknownFieldIsRefusedByName() throws Exception {
		when(forecaster.resolve("fc")).thenReturn(version(3));

		mvc.perform(post("/api/v1/models/fc/forecast").contentType(MediaType.APPLICATION_JSON)
			.content("{\"series\": [1, 2, 3], \"horizn\": 2}"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.code").value("unknown_field"))
			.andExpect(jsonPath("$.detail").value(org.hamcrest.Matchers.containsString("'horizn'")));
		verify(forecaster, never()).forecast(any(), any(), any(), any(), any(), any());
	}

	@Test
	void aTargetNamesTheSeriesOfAGlobalModel() throws Exception {
		when(forecaster.resolve("fc")).thenReturn(version(3));

		mvc.perform(post("/api/v1/models/fc/forecast").contentType(MediaType.APPLICATION_JSON)
			.content("{\"series\": [1, 2, 3], \"target\": \"MSFT\"}"))
			.andExpect(status().isOk());
		verify(forecaster).forecast(eq("fc:1"), any(), isNull(), eq("MSFT"), isNull(), isNull());

		mvc.perform(post("/api/v1/models/fc/forecast").contentType(MediaType.APPLICATION_JSON)
			.content("{\"series\": [1, 2, 3], \"target\": [\"MSFT\"]}"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.code").value("unknown_target"));
	}

	@Test
	void aBodyOverTheByteLimitIs413ByItsLength() throws Exception {
		when(forecaster.resolve("fc")).thenReturn(version(3));
		// 20 bytes per element plus 64 KiB: whitespace that holds no number at all
		String padding = " ".repeat(1000 * 20 + 64 * 1024 + 1);

		mvc.perform(post("/api/v1/models/fc/forecast").contentType(MediaType.APPLICATION_JSON)
			.content("{\"series\": [1, 2, 3]}" + padding))
			.andExpect(status().isPayloadTooLarge())
			.andExpect(jsonPath("$.code").value("payload_too_large"));
	}

	private static ModelVersion version(int window) {
		return new ModelVersion("fc", 1, Task.FORECASTING, "rnn", ArtifactFormat.DJL, null, null, null,
				new ForecastSpec(window, 2, "Close", null, null, "none", null), null, null, null, "0", 1, null,
				Instant.now(), ModelVersion.Status.READY, "k");
	}

}
