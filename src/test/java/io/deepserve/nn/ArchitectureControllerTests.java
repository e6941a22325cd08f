package io.deepserve.nn;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.web.servlet.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

@WebMvcTest(ArchitectureController.class)
@Import(Architectures.class)
class ArchitectureControllerTests {

	@Autowired
	MockMvc mvc;

	@Test
	void listsArchitecturesWithTheirParameterCounts() throws Exception {
		mvc.perform(get("/api/v1/architectures").param("classes", "1000").param("imageSize", "224"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$", hasSize(27)))
			.andExpect(jsonPath("$[?(@.name == 'vgg16')].parameters").value(138_357_544))
			.andExpect(jsonPath("$[?(@.name == 'alexnet-paper')].parameters").value(60_965_224))
			.andExpect(jsonPath("$[?(@.name == 'densenet201')].parameters").value(20_013_928))
			.andExpect(jsonPath("$[?(@.name == 'googlenet')].parameters").value(6_998_552))
			.andExpect(jsonPath("$[?(@.name == 'resnet50')].task").value("image-classification"))
			.andExpect(jsonPath("$[?(@.name == 'lstm')].parameters").value(50_497))
			.andExpect(jsonPath("$[?(@.name == 'lstm')].countedFor.window").value(60))
			// AttentionForecasterTests derives these from PyTorch's per-layer counts
			.andExpect(jsonPath("$[?(@.name == 'transformer')].parameters").value(100_161))
			.andExpect(jsonPath("$[?(@.name == 'seq2seq-attention')].parameters").value(113_281))
			.andExpect(jsonPath("$[?(@.name == 'transformer')].task").value("forecasting"))
			.andExpect(jsonPath("$[?(@.name == 'lstm')].defaultImageSize", contains(nullValue())))
			.andExpect(jsonPath("$[?(@.name == 'resnet18')].stages[*]", contains("stem", "layer1", "layer2", "layer3", "layer4")))
			.andExpect(jsonPath("$[?(@.name == 'lstm')].stages", contains(hasSize(0))));
	}

	@Test
	void saysWhichArchitecturesTakeGrowthRateAndCompressionAndCountsThem() throws Exception {
		mvc.perform(get("/api/v1/architectures").param("growthRate", "12"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$[?(@.name == 'densenet121')].options[*].name",
					contains("growthRate", "compression")))
			.andExpect(jsonPath("$[?(@.name == 'densenet121')].options[0].defaultValue").value(32))
			.andExpect(jsonPath("$[?(@.name == 'densenet121')].options[0].maximum").value(128))
			.andExpect(jsonPath("$[?(@.name == 'resnet18')].options", contains(hasSize(0))))
			// torchvision's DenseNet(growth_rate=12, block_config=(6, 12, 24, 16), num_init_features=24), 10 classes
			.andExpect(jsonPath("$[?(@.name == 'densenet121')].parameters").value(1_003_546))
			.andExpect(jsonPath("$[?(@.name == 'densenet121')].countedFor.growthRate").value(12))
			.andExpect(jsonPath("$[?(@.name == 'densenet121')].countedFor.compression").value(0.5))
			.andExpect(jsonPath("$[?(@.name == 'resnet18')].parameters").value(11_181_642));
	}

	@Test
	void refusesAGrowthRateOutOfRange() throws Exception {
		mvc.perform(get("/api/v1/architectures").param("growthRate", "129"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.code").value("invalid_growth_rate"));
	}

	@Test
	void countsForTenClassesAt224ByDefault() throws Exception {
		mvc.perform(get("/api/v1/architectures"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$[?(@.name == 'resnet18')].parameters").value(11_181_642))
			.andExpect(jsonPath("$[?(@.name == 'resnet18')].countedFor.imageSize").value(224));
	}

	@Test
	void leavesOutCountsForNetworksThatNeedLargerImages() throws Exception {
		mvc.perform(get("/api/v1/architectures").param("imageSize", "32"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$[?(@.name == 'alexnet')].parameters", contains(nullValue())))
			.andExpect(jsonPath("$[?(@.name == 'resnet18')].parameters").value(11_181_642));
	}

	@Test
	void rejectsClassesOutOfRange() throws Exception {
		mvc.perform(get("/api/v1/architectures").param("classes", "1"))
			.andExpect(status().isBadRequest())
			.andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
			.andExpect(jsonPath("$.code").value("invalid_classes"));
		mvc.perform(get("/api/v1/architectures").param("classes", "100001"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.code").value("invalid_classes"));
	}

	@Test
	void rejectsImageSizesNoNetworkTakes() throws Exception {
		mvc.perform(get("/api/v1/architectures").param("imageSize", "16"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.code").value("image_too_small"));
		mvc.perform(get("/api/v1/architectures").param("imageSize", "5000"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.code").value("invalid_image_size"));
		mvc.perform(get("/api/v1/architectures").param("imageSize", "big"))
			.andExpect(status().isBadRequest())
			.andExpect(jsonPath("$.code").value("invalid_request"));
	}

}
