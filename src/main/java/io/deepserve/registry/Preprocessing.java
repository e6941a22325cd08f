package io.deepserve.registry;

import java.util.List;

/**
 * How an image becomes the model's input tensor: resize the short side, centre-crop to {@code imageSize}, scale to
 * [0, 1], normalise per channel with {@code mean} and {@code std} (RGB order).
 */
public record Preprocessing(Integer imageSize, Integer resize, List<Float> mean, List<Float> std) {

	public static final List<Float> IMAGENET_MEAN = List.of(0.485f, 0.456f, 0.406f);

	public static final List<Float> IMAGENET_STD = List.of(0.229f, 0.224f, 0.225f);

	/** The short side is resized to this before the centre crop; defaults to {@code imageSize} (no crop margin). */
	public int resizeOrDefault() {
		return resize != null ? resize : imageSize;
	}

}
