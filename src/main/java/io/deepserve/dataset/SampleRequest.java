package io.deepserve.dataset;

import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;

/**
 * Query parameters of {@code POST /api/v1/datasets/samples/{sample}}; each is optional and missing ones get
 * their defaults.
 *
 * @param name the dataset's name; null stands for the sample's own name
 * @param classes shapes: which shapes, all of {@link ShapesSample#SHAPES} by default
 * @param countPerClass shapes: images per class
 * @param imageSize shapes: width and height in pixels
 * @param rows sine: data rows
 * @param seed the same seed gives the same dataset, byte for byte
 */
record SampleRequest(String name, @Size(max = 16) List<String> classes, @Min(2) @Max(1000) Integer countPerClass,
		@Min(16) @Max(256) Integer imageSize, @Min(10) @Max(100_000) Integer rows, Long seed) {

	SampleRequest {
		classes = classes != null ? classes : ShapesSample.SHAPES;
		countPerClass = countPerClass != null ? countPerClass : 60;
		imageSize = imageSize != null ? imageSize : 64;
		rows = rows != null ? rows : 1000;
		seed = seed != null ? seed : 42L;
	}

}
